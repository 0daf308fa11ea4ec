// Fonts for invoice PDFs in any script (issue 16): Noto Sans (Latin, Greek,
// Cyrillic), Noto Sans CJK SC (Chinese, Japanese kanji and kana) and Noto
// Naskh Arabic, from npm packages; pdfkit embeds only the glyphs used (subset).
// No single font covers every script, so each string is cut into runs, each
// drawn with a font that has its characters. Right-to-left text: fontkit lays
// an Arabic run out right to left; a string that starts right to left has its
// runs placed right to left too (a simple bidi: enough for names).
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { pdfEngine } from './pdf-engine.js'

export type FontKey = 'latin' | 'cjk' | 'arabic'
export type Run = { font: FontKey; text: string }

const require = createRequire(import.meta.url)
const folder = (pkg: string) => join(dirname(require.resolve(pkg)), '..', 'fonts')

const FILES: Record<FontKey, { regular: string; bold: string }> = {
  latin: { regular: 'NotoSans-Regular.ttf', bold: 'NotoSans-Bold.ttf' },
  cjk: { regular: 'NotoSansHans-Regular.otf', bold: 'NotoSansHans-Bold.otf' },
  arabic: { regular: 'NotoNaskhArabic-Regular.ttf', bold: 'NotoNaskhArabic-Bold.ttf' },
}
const PACKAGES: Record<FontKey, string> = { latin: '@embedpdf/fonts-latin', cjk: '@embedpdf/fonts-sc', arabic: '@embedpdf/fonts-arabic' }

export const fontPath = (key: FontKey, bold: boolean): string => join(folder(PACKAGES[key]), FILES[key][bold ? 'bold' : 'regular'])
export const fontName = (key: FontKey, bold: boolean): string => `${key}-${bold ? 'bold' : 'regular'}`

export type Coverage = { hasGlyphForCodePoint(cp: number): boolean }
const coverage = new Map<FontKey, Coverage>()
let source: ((key: FontKey) => Coverage | undefined) | undefined

/**
 * Where coverage is asked: the fonts a PDF document already opened (so the
 * 16 MB CJK font is read and parsed once, not once here and once to draw).
 */
export function coverageFrom(fonts: ((key: FontKey) => Coverage | undefined) | undefined): void {
  source = fonts
  coverage.clear()
}

function covers(key: FontKey, char: string): boolean {
  let font = coverage.get(key)
  if (!font) {
    font = source?.(key) ?? (pdfEngine().fontkit.openSync(fontPath(key, false)) as Coverage)
    coverage.set(key, font)
  }
  return font.hasGlyphForCodePoint(char.codePointAt(0) ?? 0)
}

const ARABIC = /[\p{Script=Arabic}]/u
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u3000-\u303f\uff00-\uffef]/u
/** Characters that take the font of the run they are in. */
const NEUTRAL = /[\s\p{P}]/u

/** Latin letters and digits Noto Sans has (Basic Latin to Latin Extended-B): no need to open a font to know. */
const LATIN = /^[\u0020-\u007e\u00a0-\u024f]$/

function preferred(char: string): FontKey | null {
  if (ARABIC.test(char)) return 'arabic'
  if (CJK.test(char)) return 'cjk'
  if (NEUTRAL.test(char)) return null
  if (LATIN.test(char) || covers('latin', char)) return 'latin'
  if (covers('cjk', char)) return 'cjk'
  return 'latin'
}

/** The string cut into runs of one font each, in visual order; characters no font has become "?". */
export function fontRuns(text: string): Run[] {
  const runs: Run[] = []
  for (let char of text.normalize('NFC')) {
    if (/[\p{Cc}\p{Default_Ignorable_Code_Point}]/u.test(char) && char !== '\n') continue
    const last = runs[runs.length - 1]
    let font = preferred(char) ?? last?.font ?? 'latin'
    if (char !== '\n' && !(font === 'latin' && LATIN.test(char)) && !covers(font, char)) {
      font = (['latin', 'cjk', 'arabic'] as const).find((key) => covers(key, char)) ?? 'latin'
      if (!covers(font, char)) char = '?'
    }
    if (last && last.font === font) last.text += char
    else runs.push({ font, text: char })
  }
  const firstStrong = [...text].find((c) => preferred(c) !== null)
  return firstStrong !== undefined && ARABIC.test(firstStrong) ? runs.reverse() : runs
}
