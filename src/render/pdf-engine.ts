// pdfkit and fontkit, loaded when a PDF is drawn and not before: from the bundle
// `npm run build` makes (dist/pdfkit.cjs, "#pdfkit" in package.json), which the
// V8 code cache covers (bin/compile-cache.cjs); from node_modules before a build
// (tests that import src/ directly).
import { createRequire } from 'node:module'
import type PDFDocument from 'pdfkit'

export type PdfEngine = { PDFDocument: typeof PDFDocument; fontkit: { openSync(path: string): unknown; create(...args: unknown[]): unknown } }

const load = createRequire(import.meta.url)
let engine: PdfEngine | undefined

export function pdfEngine(): PdfEngine {
  if (engine) return engine
  try {
    engine = load('#pdfkit') as PdfEngine
  } catch {
    engine = { PDFDocument: load('pdfkit') as PdfEngine['PDFDocument'], fontkit: load('fontkit') as PdfEngine['fontkit'] }
  }
  return engine
}
