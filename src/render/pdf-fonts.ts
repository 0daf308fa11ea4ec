// Fonts for invoice PDFs in any script (issue 16): Noto Sans (Latin, Greek,
// Cyrillic), Noto Sans CJK SC (Chinese, Japanese kanji and kana) and Noto
// Naskh Arabic, from npm packages; pdfkit embeds only the glyphs used (subset).
// No single font covers every script, so each string is cut into runs, each
// drawn with a font that has its characters. Right-to-left text: fontkit lays
// an Arabic run out right to left; a string that starts right to left has its
// runs placed right to left too (a simple bidi: enough for names).
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import * as fontkit from 'fontkit'

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

type Coverage = { hasGlyphForCodePoint(cp: number): boolean }
const coverage = new Map<FontKey, Coverage>()
function covers(key: FontKey, char: string): boolean {
  let font = coverage.get(key)
  if (!font) {
    font = fontkit.openSync(fontPath(key, false)) as unknown as Coverage
    coverage.set(key, font)
  }
  return font.hasGlyphForCodePoint(char.codePointAt(0) ?? 0)
}

const ARABIC = /[\p{Script=Arabic}]/u
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u3000-\u303f\uff00-\uffef]/u
/** Characters that take the font of the run they are in. */
const NEUTRAL = /[\s\p{P}]/u

function preferred(char: string): FontKey | null {
  if (ARABIC.test(char)) return 'arabic'
  if (CJK.test(char)) return 'cjk'
  if (NEUTRAL.test(char)) return null
  if (covers('latin', char)) return 'latin'
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
    if (char !== '\n' && !covers(font, char)) {
      font = (['latin', 'cjk', 'arabic'] as const).find((key) => covers(key, char)) ?? 'latin'
      if (!covers(font, char)) char = '?'
    }
    if (last && last.font === font) last.text += char
    else runs.push({ font, text: char })
  }
  const firstStrong = [...text].find((c) => preferred(c) !== null)
  return firstStrong !== undefined && ARABIC.test(firstStrong) ? runs.reverse() : runs
}
