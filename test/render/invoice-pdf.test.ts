// The invoice PDF, read back with pdf-parse: what a person sees must be there.
import { PDFParse } from 'pdf-parse'
import { describe, expect, it } from 'vitest'
import type { AccountView } from '../../src/core/accounts/view.js'
import type { InvoiceLineView, InvoiceView, PaymentAttemptView } from '../../src/core/invoices/view.js'
import { renderInvoicePdf, toWinAnsi } from '../../src/render/invoice-pdf.js'

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
    expect(pdf.text).toContain('OPEN')
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
    expect(pdf.text).toContain('pm_card_visa')
    expect(pdf.text).toContain('insufficient_funds')
    expect(pdf.text).toContain('2026-02-02')
    expect(pdf.text).toContain('Workspace ws_test123')
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

  it('draws characters outside WinAnsi as close forms or "?" and keeps the rest', async () => {
    const lines = [line('Upgrade Basic → Pro', 1, 2_000, 'EUR'), line('Café crème – naïve résumé', 1, 1_000, 'EUR')]
    const view = invoice('EUR', lines)
    const buffer = await renderInvoicePdf({ invoice: view, account: account({ name: '製品部 KK', address: '東京都千代田区 1-1' }), seller: { ...seller, name: 'Zürich Ⅻ Ltd' } })
    const pdf = await parse(buffer)

    expect(pdf.text).toContain('??? KK')
    expect(pdf.text).toContain('Upgrade Basic -> Pro')
    expect(pdf.text).toContain('Café crème – naïve résumé')
    expect(pdf.text).toContain('Zürich XII Ltd')
    expect(pdf.text).toContain('Invoice #0007')
    expect(pdf.text).toMatch(/Total\s+35\.70 EUR/)
    // Metadata is not drawn with a font and keeps the original name.
    expect(pdf.author).toBe('Zürich Ⅻ Ltd')
  })

  it('maps text to WinAnsi', () => {
    expect(toWinAnsi('製品部 KK')).toBe('??? KK')
    expect(toWinAnsi('a → b ≤ c')).toBe('a -> b <= c')
    expect(toWinAnsi('€ – — “x” × é')).toBe('€ – — “x” × é')
    expect(toWinAnsi('Łódź Őz ﬁne')).toBe('?ódz Oz fine')
    expect(toWinAnsi('e\u0301 zero\u200Bwidth\u0007 tab\there\r\nnext')).toBe('é zerowidth tab here\nnext')
    expect(toWinAnsi('👍🏽')).toBe('??')
  })

  it('produces PDF bytes', async () => {
    const buffer = await renderInvoicePdf({ invoice: invoice('USD', [line('Seat', 1, 100, 'USD')]), account: account({ currency: 'USD' }), seller })
    expect(Buffer.isBuffer(buffer)).toBe(true)
    expect(buffer.subarray(0, 5).toString('latin1')).toBe('%PDF-')
    expect(buffer.subarray(-6).toString('latin1')).toContain('%%EOF')
  })
})
