// The invoice PDF, read back with pdf-parse: what a person sees must be there.
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PDFParse } from 'pdf-parse'
import { describe, expect, it } from 'vitest'
import type { AccountView } from '../../src/core/accounts/view.js'
import type { InvoiceLineView, InvoiceView, PaymentAttemptView } from '../../src/core/invoices/view.js'
import { renderInvoicePdf } from '../../src/render/invoice-pdf.js'

const seller = { name: 'Acme Cloud GmbH', workspaceId: 'ws_test123' }

function account(overrides: Partial<AccountView> = {}): AccountView {
  const currency = overrides.currency ?? 'EUR'
  return {
    id: 'acc_1',
    name: 'Globex Corporation',
    currency,
    taxRate: 19,
    organizationId: null,
    workspaceId: seller.workspaceId,
    email: 'billing@globex.example',
    country: 'DE',
    address: 'Hauptstraße 1, 10115 Berlin',
    taxId: 'DE123456789',
    region: null,
    taxExempt: false,
    invoicePrefix: null,
    creditBalance: { amount: 0, currency },
    createdAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  }
}

function line(description: string, quantity: number, unit: number, currency: string): InvoiceLineView {
  return {
    kind: 'subscription',
    description,
    product: 'seat',
    quantity,
    unitAmount: { amount: unit, currency },
    amount: { amount: quantity * unit, currency },
    proration: false,
    periodStart: '2026-01-01T00:00:00.000Z',
    periodEnd: '2026-02-01T00:00:00.000Z',
  }
}

/** An invoice whose totals follow from its lines, a discount percent and a tax rate. */
function invoice(currency: string, lines: InvoiceLineView[], options: { discountPercent?: number; taxRate?: number; payments?: PaymentAttemptView[] } = {}): InvoiceView {
  const m = (amount: number) => ({ amount, currency })
  const subtotal = lines.reduce((sum, l) => sum + l.amount.amount, 0)
  const discount = Math.round((subtotal * (options.discountPercent ?? 0)) / 100)
  const taxRate = options.taxRate ?? 19
  const tax = Math.round(((subtotal - discount) * taxRate) / 100)
  const total = subtotal - discount + tax
  return {
    id: 'in_0007',
    number: 7,
    invoiceNumber: null,
    dueAt: null,
    seller: null,
    buyer: null,
    taxDetail: null,
    paymentTermsDays: null,
    accountId: 'acc_1',
    subscriptionId: 'sub_1',
    status: 'open',
    reason: 'cycle',
    currency,
    periodStart: '2026-01-01T00:00:00.000Z',
    periodEnd: '2026-02-01T00:00:00.000Z',
    issuedAt: '2026-02-01T00:00:00.000Z',
    paidAt: null,
    lines,
    subtotal: m(subtotal),
    discount: m(discount),
    taxRate,
    tax: m(tax),
    creditApplied: m(0),
    total: m(total),
    amountDue: m(total),
    amountPaid: m(0),
    payments: options.payments ?? [],
  }
}

type Parsed = { text: string; pages: string[]; title: unknown; author: unknown }

async function parse(buffer: Buffer): Promise<Parsed> {
  // pdf.js may take ownership of the bytes it is given; hand it a copy.
  const parser = new PDFParse({ data: new Uint8Array(buffer) })
  try {
    const result = await parser.getText()
    const info = await parser.getInfo()
    const meta = (info.info ?? {}) as Record<string, unknown>
    return { text: result.text, pages: result.pages.map((p) => p.text), title: meta.Title, author: meta.Author }
  } finally {
    await parser.destroy()
  }
}

describe('renderInvoicePdf', () => {
  it('renders a EUR invoice with a discount, tax, metadata and the bill-to block', async () => {
    const lines = [line('Pro plan seats', 10, 12_000, 'EUR'), line('Storage add-on (500 GB)', 1, 4_950, 'EUR')]
    const payments: PaymentAttemptView[] = [
      {
        id: 'pay_1',
        at: '2026-02-02T09:30:00.000Z',
        provider: 'stripe',
        paymentMethodId: 'pm_card_visa',
        method: 'Visa ••••4242',
        outcome: 'failed',
        declineCode: 'insufficient_funds',
        message: 'Your card has insufficient funds.',
        amount: { amount: 0, currency: 'EUR' },
        run: 'run-1',
        providerPaymentId: null,
      },
    ]
    const view = invoice('EUR', lines, { discountPercent: 20, taxRate: 19, payments })
    // 124,950 subtotal − 24,990 discount = 99,960; 19% tax 18,992.4 → 18,992; total 118,952.
    expect(view.total.amount).toBe(118_952)

    const pdf = await parse(await renderInvoicePdf({ invoice: view, account: account(), seller }))

    expect(pdf.text).toContain('Invoice #0007')
    expect(pdf.text).toContain('Acme Cloud GmbH')
    expect(pdf.text).toContain('Globex Corporation')
    expect(pdf.text).toContain('billing@globex.example')
    expect(pdf.text).toContain('Hauptstraße 1, 10115 Berlin')
    expect(pdf.text).toContain('Tax ID: DE123456789')
    expect(pdf.text.replace(/\s+/g, ' ')).toContain('Payment failed: insufficient funds')
    expect(pdf.text).toContain('2026-02-01')
    expect(pdf.text).toContain('2026-01-01 – 2026-02-01')
    for (const l of lines) expect(pdf.text).toContain(l.description)
    expect(pdf.text).toContain('1,249.50 EUR')
    expect(pdf.text).toContain('-249.90 EUR')
    expect(pdf.text).toMatch(/Tax \(19%\)\s+189\.92 EUR/)
    expect(pdf.text).toMatch(/Total\s+1,189\.52 EUR/)
    expect(pdf.text).toMatch(/Amount due\s+1,189\.52 EUR/)
    expect(pdf.text).not.toContain('Credit applied')
    expect(pdf.text).not.toContain('Amount paid')
    // Customer-facing: brand and last four, reasons in words; never internal ids or raw codes.
    expect(pdf.text).toContain('Visa ••••4242')
    expect(pdf.text).not.toContain('pm_card_visa')
    expect(pdf.text).not.toContain('insufficient_funds')
    expect(pdf.text).toContain('2026-02-02')
    expect(pdf.text).not.toContain('ws_test123')
    expect(pdf.text).toContain('Page 1 of 1')
    expect(pdf.title).toBe('Invoice #0007')
    expect(pdf.author).toBe('Acme Cloud GmbH')
  })

  it('formats JPY without minor units', async () => {
    const lines = [line('Team plan', 3, 500, 'JPY'), line('Support', 1, 1_500, 'JPY')]
    const view = invoice('JPY', lines, { taxRate: 10 })
    const pdf = await parse(await renderInvoicePdf({ invoice: view, account: account({ currency: 'JPY', taxRate: 10 }), seller }))

    expect(pdf.text).toContain('1,500 JPY')
    expect(pdf.text).toMatch(/Tax \(10%\)\s+300 JPY/)
    expect(pdf.text).toMatch(/Total\s+3,300 JPY/)
    expect(pdf.text).toMatch(/Amount due\s+3,300 JPY/)
    expect(pdf.text).not.toContain('1,500.00')
    expect(pdf.text).not.toContain('Discount')
    for (const l of lines) expect(pdf.text).toContain(l.description)
  })

  it('continues a long table on new pages, repeating its header row', async () => {
    const lines = Array.from({ length: 80 }, (_, i) =>
      line(`Line item ${i + 1}${i % 10 === 0 ? ': a deliberately long description that has to wrap onto a second line in its column' : ''}`, i + 1, 1_000, 'USD'),
    )
    const view = invoice('USD', lines)
    const pdf = await parse(await renderInvoicePdf({ invoice: view, account: account({ currency: 'USD' }), seller }))

    expect(pdf.pages.length).toBeGreaterThan(1)
    expect(pdf.text).toContain(`Page 1 of ${pdf.pages.length}`)
    pdf.pages.forEach((page, index) => expect(page).toContain(`Page ${index + 1} of ${pdf.pages.length}`))
    expect(pdf.text).toContain('Line item 80')
    expect(pdf.pages[1]).toMatch(/Description\s+Qty\s+Unit price\s+Amount/)
    expect(pdf.text).toMatch(/Amount due\s+38,556\.00 USD/)
  })

  it('issue 16: prints seller and buyer names in Latin, Japanese, Chinese, Cyrillic, Greek and Arabic with embedded subset fonts', async () => {
    const names = {
      seller: 'Zürich Ⅻ Ltd',
      japanese: '株式会社テスト製品部',
      chinese: '北京云计算有限公司',
      cyrillic: 'ООО «Ромашка»',
      greek: 'Ελληνική Εταιρεία',
      arabic: 'شركة الخليج',
    }
    const base = invoice('JPY', [line('クラウド席 × 3', 3, 500, 'JPY'), line('Облачное хранилище', 1, 1_500, 'JPY')], { taxRate: 10 })
    const party = { addressLines: ['東京都千代田区丸の内1-1', 'ул. Тверская, 1'], country: 'JP', region: null, taxId: 'T1234567890123', email: null }
    const view: InvoiceView = {
      ...base,
      invoiceNumber: 'KK-0007',
      dueAt: '2026-02-15T00:00:00.000Z',
      paymentTermsDays: 14,
      seller: { ...party, name: names.seller, addressLines: ['Bahnhofstrasse 1', '8001 Zürich'], country: 'CH', taxId: 'CHE-123.456.789', logo: null, footer: `${names.greek} · ${names.arabic}` },
      buyer: { ...party, name: `${names.japanese} / ${names.chinese} / ${names.cyrillic}` },
      taxDetail: { jurisdiction: 'JP', name: 'Consumption tax', rate: 10, rule: 'table', note: null, summary: 'Consumption tax JP 10% (tax-rate table)' },
    }
    const buffer = await renderInvoicePdf({ invoice: view, account: account({ currency: 'JPY' }), seller })
    const pdf = await parse(buffer)
    const flat = pdf.text.replace(/\s+/g, '')
    for (const name of [names.seller, names.japanese, names.chinese, names.cyrillic, names.greek]) expect(flat).toContain(name.replace(/\s+/g, ''))
    // Arabic is laid out right to left: each word reads right, and the first word (شركة) stands to the
    // right of the second, so extraction, which reads the page left to right, meets the second first.
    expect(flat).toContain('الخليجشركة')
    expect(pdf.text).toContain('東京都千代田区丸の内1-1')
    expect(pdf.text).toContain('Tax ID: T1234567890123')
    expect(pdf.text).toContain('Tax ID: CHE-123.456.789')
    expect(pdf.text).toContain('Invoice KK-0007')
    expect(pdf.text).toContain('2026-02-15')
    expect(pdf.text).toContain('Net 14 days')
    expect(pdf.text).toMatch(/Consumption tax JP \(10%\)\s+300 JPY/)
    expect(pdf.text).toMatch(/Total\s+3,300 JPY/)
    expect(pdf.text).not.toContain('?')
    // Fonts are embedded as subsets (a tag like ABCDEF+ before the name), so the file stays small.
    expect(buffer.toString('latin1')).toMatch(/\/BaseFont \/[A-Z]{6}\+/)
    expect(buffer.length).toBeLessThan(400_000)
  })

  it('produces PDF bytes', async () => {
    const buffer = await renderInvoicePdf({ invoice: invoice('USD', [line('Seat', 1, 100, 'USD')]), account: account({ currency: 'USD' }), seller })
    expect(Buffer.isBuffer(buffer)).toBe(true)
    expect(buffer.subarray(0, 5).toString('latin1')).toBe('%PDF-')
    expect(buffer.subarray(-6).toString('latin1')).toContain('%%EOF')
  })

  it('issue 25: every embedded font subset is encoded once and then read from the cache; a damaged cache file is encoded again', async () => {
    const previous = process.env.XDG_CACHE_HOME
    process.env.XDG_CACHE_HOME = mkdtempSync(join(tmpdir(), 'wsb-fonts-'))
    try {
      const folder = join(process.env.XDG_CACHE_HOME, 'wsb', 'pdf-fonts')
      // A Japanese buyer: the CJK face's CFF table is decoded only to encode its subset, the first time.
      const render = async () => await renderInvoicePdf({ invoice: invoice('EUR', [line('Pro plan seats', 10, 12_000, 'EUR')]), account: account({ name: 'グローバル株式会社' }), seller })
      const first = await render()
      expect((await parse(first)).text).toContain('グローバル株式会社')
      const files = readdirSync(folder).sort()
      // The regular and bold Latin faces and the CJK face the name is drawn in.
      expect(files.length).toBeGreaterThanOrEqual(3)
      const kept = files.map((file) => readFileSync(join(folder, file)))
      const second = await render()
      expect(readdirSync(folder).sort()).toEqual(files)
      expect((await parse(second)).text).toBe((await parse(first)).text)
      // A damaged file fails its hash: the subset is encoded again, the PDF is whole and the file repaired.
      const damaged = Buffer.from(kept[0] as Buffer)
      damaged[damaged.length - 1] = (damaged[damaged.length - 1] as number) ^ 0xff
      writeFileSync(join(folder, files[0] as string), damaged)
      const third = await render()
      expect((await parse(third)).text).toBe((await parse(first)).text)
      expect(readFileSync(join(folder, files[0] as string)).equals(kept[0] as Buffer)).toBe(true)
      expect(statSync(folder).mode & 0o777).toBe(0o700)
    } finally {
      if (previous === undefined) delete process.env.XDG_CACHE_HOME
      else process.env.XDG_CACHE_HOME = previous
    }
  })
})
