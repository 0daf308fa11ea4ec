// How invoice PDFs embed their fonts fast (issue 25: `invoice pdf` within 1.5× of
// a cold `invoice show`). pdfkit embeds a subset of each Noto face, laid out by
// fontkit; most of a cold render went to work an invoice does not need:
// - Latin and CJK faces are laid out without OpenType features (no kerning,
//   ligatures or mark positioning: none changes these letters' shapes): their GSUB
//   and GPOS tables are never decoded (reading them for kerning and marks was most
//   of an invoice's drawing time, 0.3 s for a Latin one, 0.6 s for a Japanese one);
//   Arabic keeps full shaping;
// - the `post` table is read for its header only (its glyph names were decoded to
//   learn two numbers);
// - a CFF face (the CJK one) decodes its CFF table only when a subset is encoded:
//   pdfkit asked for it when opening the font, 60 ms a face, and laying text out
//   reads cmap and hmtx only;
// - a Latin face's subset always starts with the same glyphs (printable ASCII and
//   Latin-1, in one order), so the subset of most invoices is the same, and every
//   subset's encoded font program is kept in a cache (~/.cache/wsb/pdf-fonts,
//   keyed by the font file and the subset's glyph ids, checked by a hash on
//   read): re-encoding a subset, 0.3 s for the CJK face, happens once per subset.
// pdfkit 0.20's and fontkit 2's internals are reached in this file only.
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import type { Coverage, FontKey } from './pdf-fonts.js'
import { fontName, fontPath } from './pdf-fonts.js'

type Doc = PDFKit.PDFDocument

type FontkitFont = Coverage & {
  _tables: Record<string, unknown>
  directory: { tables: Record<string, { offset: number; length: number } | undefined> }
  stream: { buffer: Uint8Array }
}
type EmbeddedFont = {
  font: FontkitFont
  subset: { glyphs: number[]; encode(): Uint8Array }
  encode(text: string): unknown
}
type DocState = { _font: EmbeddedFont | null }

type Fontkit = { create(buffer: Uint8Array): unknown }
type TableEntry = { tag: string }
type FontPrototype = { _getTable(this: FontkitFont, table: TableEntry): unknown; _decodeTable(this: FontkitFont, table: TableEntry): object }
const patched = new WeakSet<object>()

/**
 * Has fontkit (the one pdfkit uses) decode a font's CFF table on first use: its
 * font class's table reader hands out a proxy for it that decodes when touched.
 * The class is reached through a font opened for the purpose (the Latin face,
 * read anyway): fontkit's exports cannot be replaced.
 */
export function lazyCff(fontkit: Fontkit): void {
  if (patched.has(fontkit)) return
  patched.add(fontkit)
  const proto = Object.getPrototypeOf(fontkit.create(readFileSync(fontPath('latin', false)))) as FontPrototype
  const getTable = proto._getTable
  proto._getTable = function (this: FontkitFont, table: TableEntry) {
    if (table.tag === 'CFF ' && !(table.tag in this._tables)) {
      let real: object | undefined
      const decoded = () => (real ??= proto._decodeTable.call(this, table))
      // In _tables, a table counts as decoded: fontkit returns the proxy, which decodes on first touch.
      this._tables[table.tag] = new Proxy(
        {},
        {
          get: (_, key) => {
            const value = Reflect.get(decoded(), key)
            return typeof value === 'function' ? value.bind(decoded()) : value
          },
          set: (_, key, value) => Reflect.set(decoded(), key, value),
          has: (_, key) => key in decoded(),
        },
      )
    }
    return getTable.call(this, table)
  }
}

/** Printable ASCII and Latin-1: the glyphs every Latin subset starts with, in this order. */
const LATIN_BASE = [...Array.from({ length: 0x7f - 0x20 }, (_, i) => 0x20 + i), ...Array.from({ length: 0x100 - 0xa1 }, (_, i) => 0xa1 + i)]
  .map((cp) => String.fromCodePoint(cp))
  .join('')

const prepared = new WeakSet<EmbeddedFont>()

/** Makes a face current, preparing it the first time (see the top of this file). */
export function useFont(doc: Doc, key: FontKey, bold: boolean): Doc {
  doc.font(fontName(key, bold))
  const embedded = (doc as unknown as DocState)._font
  if (embedded && !prepared.has(embedded)) {
    prepared.add(embedded)
    prepare(embedded, key, fontPath(key, bold))
  }
  return doc
}

/** The regular face of a font as the document opened it, the current font left as it was. */
export function openedFont(doc: Doc, key: FontKey): Coverage | undefined {
  const state = doc as unknown as DocState
  const current = state._font
  useFont(doc, key, false)
  const font = state._font?.font
  state._font = current
  return font
}

function prepare(embedded: EmbeddedFont, key: FontKey, path: string): void {
  const font = embedded.font
  if (key !== 'arabic') {
    // In _tables, a tag counts as decoded: fontkit finds neither and builds no OpenType layout engine.
    font._tables.GSUB = undefined
    font._tables.GPOS = undefined
  }
  const post = postHeader(font)
  if (post) font._tables.post = post
  if (key === 'latin') embedded.encode(LATIN_BASE)
  const encode = embedded.subset.encode.bind(embedded.subset)
  embedded.subset.encode = () => cachedSubset(path, embedded.subset.glyphs, encode)
}

/** The post table's header (what pdfkit reads: italic angle, fixed pitch), without its glyph names. */
function postHeader(font: FontkitFont): Record<string, number> | undefined {
  const entry = font.directory.tables.post
  const bytes = font.stream.buffer
  if (!entry || entry.length < 32) return undefined
  const view = new DataView(bytes.buffer, bytes.byteOffset + entry.offset, 32)
  return {
    version: view.getInt32(0) / 65536,
    italicAngle: view.getInt32(4) / 65536,
    underlinePosition: view.getInt16(8),
    underlineThickness: view.getInt16(10),
    isFixedPitch: view.getUint32(12),
  }
}

// --- The subset cache ---------------------------------------------------------

function cacheDirectory(): string | undefined {
  try {
    return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'wsb', 'pdf-fonts')
  } catch {
    return undefined
  }
}

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest()

/**
 * The encoded subset of `path` holding `glyphs`, from the cache or encoded now and
 * kept. A file is the bytes' SHA-256 and the bytes: one that does not check out is
 * encoded again. The cache only ever costs speed: any error falls back to encoding.
 */
export function cachedSubset(path: string, glyphs: number[], encode: () => Uint8Array): Uint8Array {
  const directory = cacheDirectory()
  let file: string | undefined
  try {
    const { size, mtimeMs } = statSync(path)
    if (directory) file = join(directory, `${sha256(`${path}\0${size}\0${mtimeMs}\0${glyphs.join(',')}`).toString('hex')}.bin`)
  } catch {}
  if (file) {
    try {
      const stored = readFileSync(file)
      const bytes = stored.subarray(32)
      if (stored.length > 32 && sha256(bytes).equals(stored.subarray(0, 32))) return bytes
    } catch {}
  }
  const bytes = encode()
  if (file && directory) {
    try {
      mkdirSync(directory, { recursive: true, mode: 0o700 })
      const temporary = `${file}.${process.pid}`
      writeFileSync(temporary, Buffer.concat([sha256(bytes), bytes]), { mode: 0o600 })
      renameSync(temporary, file)
    } catch {}
  }
  return bytes
}
