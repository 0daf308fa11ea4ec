// An issued invoice as an A4 PDF (`wsb invoice pdf`). pdfkit is loaded inside
// renderInvoicePdf (render/pdf-engine.ts) so that it only loads for this command.
import type { AccountView } from '../core/accounts/view.js'
import type { InvoiceView } from '../core/invoices/view.js'
import type { Money } from '../core/money.js'
import { invoiceNumber } from './invoices.js'
import { lazyCff, openedFont, useFont } from './pdf-embedding.js'
import { coverageFrom, type FontKey, fontName, fontPath, fontRuns } from './pdf-fonts.js'
import { formatMoney } from './money.js'
import { declineWords, invoiceStatusWords, OUTCOME_WORDS } from './invoice-status.js'
import { pdfEngine } from './pdf-engine.js'

export type InvoicePdfInput = {
  invoice: InvoiceView
  /** The account now: used only for invoices issued before snapshots (the snapshot is what was printed at issue). */
  account: AccountView
  seller: { name: string; workspaceId: string }
  /** The seller's logo as frozen at issue: its stored bytes (or an older wsb's file path, read now). */
  logo?: Buffer | string
}

type Doc = PDFKit.PDFDocument
type Align = 'left' | 'right'
type Column = { header: string; width: number; align: Align }

const MARGIN = 50
// The footer lives inside the bottom margin, so the margin is taller than the others.
const BOTTOM_MARGIN = 70
const INK = '#1a1a1a'
const MUTED = '#666666'
const RULE = '#bbbbbb'
const TABLE_SIZE = 9
const CELL_GAP = 10

export async function renderInvoicePdf({ invoice, account, seller, logo }: InvoicePdfInput): Promise<Buffer> {
  const { PDFDocument, fontkit } = pdfEngine()
  lazyCff(fontkit)
  const number = invoice.invoiceNumber ?? invoiceNumber(invoice.number)
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: MARGIN, left: MARGIN, right: MARGIN, bottom: BOTTOM_MARGIN },
    // Page numbers ("Page 1 of N") need every page kept until the total is known.
    bufferPages: true,
    displayTitle: true,
    // Metadata strings are written as PDF text strings (UTF-16 when needed), not
    // drawn with a font, so they keep the original characters.
    info: { Title: `Invoice ${number}`, Author: seller.name, Subject: `Invoice ${number} for ${account.name}`, Creator: 'wsb' },
    // No default font: pdfkit would read Helvetica's metrics, and every string is drawn in a Noto font (write()).
    font: null as unknown as string,
  })
  const output = collect(doc)
  for (const key of ['latin', 'cjk', 'arabic'] as const) for (const bold of [false, true]) doc.registerFont(fontName(key, bold), fontPath(key, bold))
  coverageFrom((key) => openedFont(doc, key))

  const issuer = invoice.seller ?? { name: seller.name, addressLines: [], country: null, region: null, taxId: null, email: null, logo: null, footer: null }
  const buyer = invoice.buyer ?? { name: account.name, addressLines: account.address ? account.address.split('\n') : [], country: account.country, region: account.region, taxId: account.taxId, email: account.email }
  drawHeader(doc, invoice, issuer, buyer, number, logo)
  drawLines(doc, invoice)
  drawTotals(doc, invoice)
  drawPayments(doc, invoice)
  // A customer document: the seller's own footer, or its name; never an internal id.
  drawFooters(doc, issuer.footer ?? issuer.name)

  doc.end()
  return output
}

function collect(doc: Doc): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    doc.on('data', (chunk: Buffer) => chunks.push(chunk))
    doc.on('end', () => resolve(Buffer.concat(chunks)))
    doc.on('error', reject)
  })
}

// --- Text the standard fonts can draw ---------------------------------------

// WinAnsi is printable ASCII, Latin-1 (0xA0–0xFF) and these characters in 0x80–0x9F.
const WIN_ANSI_EXTRAS = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ')

// Close forms for common characters that Unicode decomposition does not bring into WinAnsi.
const CLOSE_FORMS: Readonly<Record<string, string>> = {
  '\t': ' ',
  '→': '->',
  '←': '<-',
  '↔': '<->',
  '⇒': '=>',
  '⇐': '<=',
  '≤': '<=',
  '≥': '>=',
  '≠': '!=',
  '≈': '~',
  '−': '-',
  '‐': '-',
  '‑': '-',
  '‒': '-',
  '―': '-',
  '′': "'",
  '″': '"',
  '✓': 'v',
  '✔': 'v',
  '✗': 'x',
  '✘': 'x',
}

const isWinAnsi = (char: string): boolean => {
  const code = char.codePointAt(0) ?? 0
  return (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || WIN_ANSI_EXTRAS.has(char)
}

/**
 * Text that pdfkit's standard fonts can draw. Their encoder writes any other
 * character as a wrong byte sequence (garbage glyphs), so each character is
 * kept if WinAnsi has it, else given a close form (a table, then Unicode
 * compatibility decomposition without accents: "ő" → "o", "ﬁ" → "fi"), else
 * dropped when invisible (controls, combining marks, zero-width), else "?".
 */
export function toWinAnsi(text: string): string {
  let out = ''
  for (const char of text.replace(/\r\n?/g, '\n').normalize('NFC')) {
    out += char === '\n' || isWinAnsi(char) ? char : closeForm(char)
  }
  return out
}

function closeForm(char: string): string {
  const mapped = CLOSE_FORMS[char]
  if (mapped !== undefined) return mapped
  if (/[\p{Cc}\p{M}\p{Default_Ignorable_Code_Point}]/u.test(char)) return ''
  const decomposed = char.normalize('NFKD').replace(/\p{M}/gu, '')
  if (decomposed && [...decomposed].every(isWinAnsi)) return decomposed
  return '?'
}

// --- Drawing helpers ---------------------------------------------------------

type Style = { size?: number; bold?: boolean; color?: string }

/** The font most of the text is in: heights are measured with it. */
function mainFont(runs: { font: FontKey; text: string }[]): FontKey {
  const sizes = new Map<FontKey, number>()
  for (const run of runs) sizes.set(run.font, (sizes.get(run.font) ?? 0) + run.text.length)
  return [...sizes.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'latin'
}

/** Every string reaches the page through here: cut into runs of embedded fonts that have its characters. */
function write(doc: Doc, text: string, x: number, y: number, options: PDFKit.Mixins.TextOptions & Style = {}): number {
  const { size = 10, bold = false, color = INK, ...textOptions } = options
  const runs = fontRuns(text.replace(/\r\n?/g, '\n').replace(/\t/g, ' '))
  if (runs.length === 0) return 0
  const height = measure(doc, text, (textOptions.width as number | undefined) ?? contentWidth(doc), { size, bold })
  doc.fillColor(color).fontSize(size)
  runs.forEach((run, index) => {
    useFont(doc, run.font, bold)
    const continued = index < runs.length - 1
    if (index === 0) doc.text(run.text, x, y, { ...textOptions, continued })
    else doc.text(run.text, { continued })
  })
  return height
}

function measure(doc: Doc, text: string, width: number, style: Style = {}): number {
  const runs = fontRuns(text)
  useFont(doc, mainFont(runs), style.bold ?? false).fontSize(style.size ?? 10)
  return doc.heightOfString(runs.map((r) => r.text).join(''), { width })
}

const contentWidth = (doc: Doc) => doc.page.width - doc.page.margins.left - doc.page.margins.right
const bottomOf = (doc: Doc) => doc.page.height - doc.page.margins.bottom

function rule(doc: Doc, y: number, color = RULE, from = doc.page.margins.left): void {
  doc.save().moveTo(from, y).lineTo(doc.page.margins.left + contentWidth(doc), y).lineWidth(0.5).strokeColor(color).stroke().restore()
}

/** Starts a new page unless `height` still fits below `y`; returns where to continue. */
function ensureSpace(doc: Doc, y: number, height: number): number {
  if (y + height <= bottomOf(doc)) return y
  doc.addPage()
  return doc.page.margins.top
}

const isoDate = (value: string): string => {
  const time = Date.parse(value)
  return Number.isNaN(time) ? value : new Date(time).toISOString().slice(0, 10)
}

const negative = (value: Money): Money => ({ ...value, amount: -value.amount })

/** Made on first use (ICU), not when a command bundle loads. */
let quantityFormat: Intl.NumberFormat | undefined

// --- Sections ----------------------------------------------------------------

type Party = NonNullable<InvoiceView['buyer']>

function partyLines(party: Party): string[] {
  const place = party.country ? (party.region ? `${party.country}-${party.region}` : party.country) : null
  return [...party.addressLines, place, party.email, party.taxId === null ? null : `Tax ID: ${party.taxId}`].filter((l): l is string => Boolean(l))
}

function drawHeader(doc: Doc, invoice: InvoiceView, seller: Party, buyer: Party, number: string, logo: Buffer | string | undefined): void {
  const left = doc.page.margins.left
  const width = contentWidth(doc)
  const top = doc.page.margins.top

  const titleWidth = width * 0.4
  let sellerY = top
  if (logo !== undefined) {
    try {
      doc.image(logo, left, top, { fit: [120, 40] })
      sellerY += 46
    } catch {
      // An image pdfkit cannot decode (or an older wsb's path gone) must not stop the invoice.
    }
  }
  sellerY += write(doc, seller.name, left, sellerY, { size: 16, bold: true, width: width - titleWidth - CELL_GAP })
  for (const line of partyLines(seller)) sellerY += write(doc, line, left, sellerY, { size: 9, color: MUTED, width: width - titleWidth - CELL_GAP })
  const titleHeight = write(doc, `Invoice ${number}`, left + width - titleWidth, top, { size: 18, bold: true, width: titleWidth, align: 'right' })
  let y = Math.max(sellerY, top + titleHeight) + 20

  // Left: who pays. Right: the invoice's facts, as label/value rows.
  const half = (width - CELL_GAP * 2) / 2
  let billY = y + write(doc, 'BILL TO', left, y, { size: 8, bold: true, color: MUTED, width: half })
  billY += write(doc, buyer.name, left, billY + 2, { bold: true, width: half }) + 2
  for (const line of partyLines(buyer)) billY += write(doc, line, left, billY, { width: half })

  const terms = invoice.paymentTermsDays === null ? null : invoice.paymentTermsDays === 0 ? 'Due on receipt' : `Net ${invoice.paymentTermsDays} days`
  const facts: [string, string][] = [
    ['Status', invoiceStatusWords(invoice)],
    ['Issue date', isoDate(invoice.issuedAt)],
  ]
  if (invoice.dueAt) facts.push(['Due date', isoDate(invoice.dueAt)])
  if (terms) facts.push(['Terms', terms])
  facts.push(['Billing period', `${isoDate(invoice.periodStart)} – ${isoDate(invoice.periodEnd)}`])
  if (invoice.taxDetail?.jurisdiction) facts.push(['Tax jurisdiction', invoice.taxDetail.jurisdiction])
  if (invoice.taxDetail?.summary) facts.push(['Tax rule', invoice.taxDetail.summary])
  if (invoice.paidAt) facts.push(['Paid on', isoDate(invoice.paidAt)])
  const factsX = left + width - half
  const labelWidth = 90
  let factsY = y
  for (const [label, value] of facts) {
    write(doc, label, factsX, factsY, { color: MUTED, width: labelWidth })
    factsY += write(doc, value, factsX + labelWidth, factsY, { bold: label === 'Status', width: half - labelWidth, align: 'right' }) + 3
  }

  y = Math.max(billY, factsY) + 24
  doc.y = y
}

function drawLines(doc: Doc, invoice: InvoiceView): void {
  const [qty, unit, amount] = [55, 100, 105]
  const description = contentWidth(doc) - qty - unit - amount - CELL_GAP * 3
  const columns: Column[] = [
    { header: 'Description', width: description, align: 'left' },
    { header: 'Qty', width: qty, align: 'right' },
    { header: 'Unit price', width: unit, align: 'right' },
    { header: 'Amount', width: amount, align: 'right' },
  ]
  const rows = invoice.lines.map((line) => [
    line.description,
    line.quantity === null ? '' : (quantityFormat ??= new Intl.NumberFormat('en-US', { maximumFractionDigits: 6 })).format(line.quantity),
    line.unitAmount ? formatMoney(line.unitAmount) : '',
    formatMoney(line.amount),
  ])
  drawTable(doc, columns, rows)
}

function drawTotals(doc: Doc, invoice: InvoiceView): void {
  const rows: { label: string; value: string; bold?: boolean }[] = [{ label: 'Subtotal', value: formatMoney(invoice.subtotal) }]
  if (invoice.discount.amount !== 0) rows.push({ label: 'Discount', value: formatMoney(negative(invoice.discount)) })
  const tax = invoice.taxDetail
  const taxLabel = tax ? `${tax.name}${tax.jurisdiction ? ` ${tax.jurisdiction}` : ''} (${tax.rate}%)${tax.rule === 'reverse_charge' ? ', reverse charge' : tax.rule === 'exempt' ? ', exempt' : ''}` : `Tax (${invoice.taxRate}%)`
  rows.push({ label: taxLabel, value: formatMoney(invoice.tax) })
  rows.push({ label: 'Total', value: formatMoney(invoice.total) })
  if (invoice.creditApplied.amount !== 0) rows.push({ label: 'Credit applied', value: formatMoney(negative(invoice.creditApplied)) })
  rows.push({ label: 'Amount due', value: formatMoney(invoice.amountDue), bold: true })
  if (invoice.amountPaid.amount !== 0) rows.push({ label: 'Amount paid', value: formatMoney(invoice.amountPaid) })

  const rowHeight = 16
  // The block is short: keep it together rather than split it across pages.
  let y = ensureSpace(doc, doc.y + 12, rows.length * rowHeight + 8)
  const right = doc.page.margins.left + contentWidth(doc)
  const labelX = right - 270
  for (const { label, value, bold } of rows) {
    if (label === 'Amount due') {
      rule(doc, y - 3, RULE, labelX)
      y += 3
    }
    write(doc, label, labelX, y, { bold, width: 150, height: rowHeight, ellipsis: true })
    write(doc, value, right - 120, y, { bold, width: 120, align: 'right' })
    y += rowHeight
  }
  if (tax?.note) y += write(doc, tax.note, doc.page.margins.left, y + 6, { size: 8, color: MUTED, width: contentWidth(doc) }) + 6
  doc.y = y
}

function drawPayments(doc: Doc, invoice: InvoiceView): void {
  if (invoice.payments.length === 0) return
  // Keep the heading with the table header and at least one row.
  let y = ensureSpace(doc, doc.y + 20, 60)
  y += write(doc, 'Payments', doc.page.margins.left, y, { size: 12, bold: true }) + 6
  doc.y = y
  const [date, outcome, decline] = [75, 75, 110]
  const columns: Column[] = [
    { header: 'Date', width: date, align: 'left' },
    { header: 'Payment method', width: contentWidth(doc) - date - outcome - decline - CELL_GAP * 3, align: 'left' },
    { header: 'Outcome', width: outcome, align: 'left' },
    { header: 'Reason', width: decline, align: 'left' },
  ]
  drawTable(
    doc,
    columns,
    // The method as people know it (payments/label.ts: "Visa ••••4242", "SEPA debit ••••3000"), never an internal id.
    invoice.payments.map((p) => [
      isoDate(p.at),
      p.method ?? 'A removed payment method',
      OUTCOME_WORDS[p.outcome],
      p.outcome === 'failed' || p.outcome === 'requires_action' ? declineWords(p.declineCode) : '',
    ]),
  )
}

/**
 * A table starting at doc.y. A row that does not fit above the bottom margin
 * moves to a new page, which gets the header row again; a row taller than a
 * whole page is clipped rather than left to pdfkit's own page flow.
 */
function drawTable(doc: Doc, columns: Column[], rows: string[][]): void {
  const left = doc.page.margins.left
  const xs = columns.map((_, index) => left + columns.slice(0, index).reduce((sum, c) => sum + c.width + CELL_GAP, 0))
  const padding = 4

  const header = (y: number): number => {
    const height = Math.max(...columns.map((c) => measure(doc, c.header, c.width, { size: TABLE_SIZE, bold: true })))
    columns.forEach((c, index) => write(doc, c.header, xs[index] ?? left, y, { size: TABLE_SIZE, bold: true, color: MUTED, width: c.width, align: c.align }))
    rule(doc, y + height + padding / 2, INK)
    return y + height + padding
  }

  let y = header(doc.y)
  let rowsOnPage = 0
  const tallest = bottomOf(doc) - doc.page.margins.top - 40
  for (const row of rows) {
    const height = Math.min(tallest, Math.max(...columns.map((c, index) => measure(doc, row[index] ?? '', c.width, { size: TABLE_SIZE }))))
    if (y + padding + height > bottomOf(doc) && rowsOnPage > 0) {
      doc.addPage()
      y = header(doc.page.margins.top)
      rowsOnPage = 0
    }
    y += padding
    columns.forEach((c, index) =>
      write(doc, row[index] ?? '', xs[index] ?? left, y, { size: TABLE_SIZE, width: c.width, align: c.align, height, ellipsis: true }),
    )
    y += height + padding
    rule(doc, y)
    rowsOnPage++
  }
  doc.y = y
}

function drawFooters(doc: Doc, footer: string): void {
  const { start, count } = doc.bufferedPageRange()
  for (let index = start; index < start + count; index++) {
    doc.switchToPage(index)
    // Text below the bottom margin would make pdfkit add a page; lift the margin while writing there.
    const bottom = doc.page.margins.bottom
    doc.page.margins.bottom = 0
    const left = doc.page.margins.left
    const width = contentWidth(doc)
    const y = doc.page.height - BOTTOM_MARGIN + 30
    rule(doc, y - 8)
    write(doc, footer, left, y, { size: 8, color: MUTED, width: width * 0.75, height: 20, ellipsis: true })
    write(doc, `Page ${index - start + 1} of ${count}`, left + width * 0.75, y, { size: 8, color: MUTED, width: width / 4, align: 'right' })
    doc.page.margins.bottom = bottom
  }
}
