// Issue 16: tax by billing address, numbers a person can quote, and invoices
// frozen at issue. Every amount is worked out by hand in the comments
// (the builders' "users" price: 10.00 USD or 1,500 JPY a unit).
import { PDFParse } from 'pdf-parse'
import { describe, expect, it } from 'vitest'
import { updateAccount } from '../../src/core/accounts/update.js'
import { showAccount } from '../../src/core/accounts/list.js'
import { listInvoices, showInvoice } from '../../src/core/invoices/list.js'
import { previewInvoice } from '../../src/core/invoices/preview.js'
import { REVERSE_CHARGE_NOTE } from '../../src/core/invoices/tax.js'
import { setTaxRate } from '../../src/core/invoices/tax-rates.js'
import type { CreateAccountInput } from '../../src/core/accounts/create.js'
import { addSubscription } from '../../src/core/subscriptions/add.js'
import { setSeller } from '../../src/core/workspaces/seller.js'
import { renderInvoicePdf } from '../../src/render/invoice-pdf.js'
import { renderInvoice } from '../../src/render/invoices.js'
import { account, advance, card, refresh, workspace } from '../builders.js'

const at = (text: string) => Date.parse(text)

async function taxedWorkspace(buyer: Partial<CreateAccountInput>, sellerCountry: string | null = 'DE') {
  const ctx = await workspace('single', { start: at('2026-01-01T00:00:00Z') })
  await setSeller(ctx, { legalName: 'Acme Cloud GmbH', addressLines: ['Hauptstraße 1', '10115 Berlin'], country: sellerCountry, taxId: 'DE123456789', paymentTermsDays: 14 })
  await setTaxRate(ctx, { country: 'DE', rateMilli: 19_000, name: 'VAT' })
  await setTaxRate(ctx, { country: 'FR', rateMilli: 20_000, name: 'TVA' })
  await setTaxRate(ctx, { country: 'US', rateMilli: 5_000, name: 'Sales tax' })
  await setTaxRate(ctx, { country: 'US', region: 'NY', rateMilli: 8_875, name: 'Sales tax' })
  await setTaxRate(ctx, { country: 'JP', rateMilli: 10_000, name: 'Consumption tax' })
  await account(ctx, 'Buyer', buyer)
  await card(ctx, 'Buyer')
  await addSubscription(ctx, { account: 'Buyer', items: { users: 3 }, trial: false })
  return ctx
}

/** The first invoice, and the renewal a month later checked against its preview (R-INV-3). */
async function issuedAndRenewal(buyer: Partial<CreateAccountInput>, sellerCountry: string | null = 'DE') {
  let ctx = await taxedWorkspace(buyer, sellerCountry)
  const [first] = (await listInvoices(await refresh(ctx))).invoices
  const preview = await previewInvoice(await refresh(ctx), { account: 'Buyer' })
  ctx = await advance(ctx, at('2026-02-01T00:00:00Z'))
  const second = (await listInvoices(await refresh(ctx))).invoices[1]
  expect(second).toBeDefined()
  for (const key of ['subtotal', 'tax', 'total', 'taxRate', 'taxDetail', 'seller', 'buyer', 'dueAt', 'lines'] as const) expect(preview[key]).toEqual(second?.[key])
  return first
}

describe('issue 16: tax by billing address (R-INV-2), the preview equal to the issued invoice (R-INV-3)', () => {
  it('DE seller → DE buyer: 19% VAT; 3 × 10.00 = 30.00, tax 5.70, total 35.70', async () => {
    const invoice = await issuedAndRenewal({ country: 'DE' })
    expect(invoice).toMatchObject({ subtotal: { amount: 3_000 }, tax: { amount: 570 }, total: { amount: 3_570 }, taxRate: 19 })
    expect(invoice?.taxDetail).toEqual({ jurisdiction: 'DE', name: 'VAT', rate: 19, rule: 'table', note: null, summary: 'VAT DE 19% (tax-rate table)' })
  })

  it('US-NY: the region’s 8.875% before the country’s 5%; 30.00 × 8.875% = 2.6625 → 2.66 half-up, total 32.66', async () => {
    const invoice = await issuedAndRenewal({ country: 'US', region: 'NY' })
    expect(invoice).toMatchObject({ tax: { amount: 266 }, total: { amount: 3_266 }, taxRate: 8.875 })
    expect(invoice?.taxDetail).toMatchObject({ jurisdiction: 'US-NY', name: 'Sales tax', rule: 'table' })
  })

  it('JP 10% on JPY: 3 × 1,500 = 4,500 JPY, tax 450, total 4,950', async () => {
    const invoice = await issuedAndRenewal({ country: 'JP', currency: 'JPY' })
    expect(invoice).toMatchObject({ subtotal: { amount: 4_500, currency: 'JPY' }, tax: { amount: 450 }, total: { amount: 4_950 } })
    expect(invoice?.taxDetail).toMatchObject({ jurisdiction: 'JP', name: 'Consumption tax', rate: 10 })
  })

  it('EU B2B reverse charge: a FR buyer with a VAT id pays 0% (not FR 20%, not DE 19%) and the invoice carries the legal note', async () => {
    const invoice = await issuedAndRenewal({ country: 'FR', taxId: 'FR40303265045' })
    expect(invoice).toMatchObject({ tax: { amount: 0 }, total: { amount: 3_000 }, taxRate: 0 })
    expect(invoice?.taxDetail).toEqual({ jurisdiction: 'FR', name: 'VAT', rate: 0, rule: 'reverse_charge', note: REVERSE_CHARGE_NOTE, summary: 'reverse charge (Article 196): the buyer accounts for the VAT' })
  })

  it('issue 25: a DE business buying from a DE seller pays the domestic 19%: reverse charge needs a seller in another country', async () => {
    const invoice = await issuedAndRenewal({ country: 'DE', taxId: 'DE811907980' })
    expect(invoice).toMatchObject({ tax: { amount: 570 }, total: { amount: 3_570 } })
    expect(invoice?.taxDetail).toMatchObject({ rule: 'table', summary: 'VAT DE 19% (tax-rate table)' })
  })

  it('issue 25: a seller outside the EU (US) supplying a FR business with a VAT id reverse-charges too (Article 196: the supplier is not established in FR)', async () => {
    const invoice = await issuedAndRenewal({ country: 'FR', taxId: 'FR40303265045' }, 'US')
    expect(invoice).toMatchObject({ tax: { amount: 0 }, total: { amount: 3_000 }, taxRate: 0 })
    expect(invoice?.taxDetail).toMatchObject({ rule: 'reverse_charge', note: REVERSE_CHARGE_NOTE, summary: 'reverse charge (Article 196): the buyer accounts for the VAT' })
  })

  it('issue 25: a seller outside the EU supplying a FR consumer (no VAT id) charges FR 20%: tax 6.00', async () => {
    const invoice = await issuedAndRenewal({ country: 'FR' }, 'US')
    expect(invoice).toMatchObject({ tax: { amount: 600 }, total: { amount: 3_600 } })
    expect(invoice?.taxDetail).toMatchObject({ rule: 'table', summary: 'TVA FR 20% (tax-rate table)' })
  })

  it('issue 25: a seller with no country cannot be placed, so a FR business pays the table’s FR 20% and the invoice says reverse charge was not applied and why', async () => {
    const invoice = await issuedAndRenewal({ country: 'FR', taxId: 'FR40303265045' }, null)
    expect(invoice).toMatchObject({ tax: { amount: 600 }, total: { amount: 3_600 } })
    expect(invoice?.taxDetail).toMatchObject({
      rule: 'table',
      note: null,
      summary: 'TVA FR 20% (tax-rate table); no reverse charge: the seller has no country',
    })
  })

  it('issue 25: invoice show and the PDF name the tax rule applied', async () => {
    const ctx = await taxedWorkspace({ country: 'FR', taxId: 'FR40303265045' }, 'US')
    const [invoice] = (await listInvoices(await refresh(ctx))).invoices
    if (!invoice) throw new Error('no invoice')
    expect(renderInvoice(invoice)).toMatch(/tax rule:\s+reverse charge \(Article 196\): the buyer accounts for the VAT/)
    const pdf = await renderInvoicePdf({ invoice, account: await showAccount(ctx, 'Buyer'), seller: { name: ctx.workspace.name, workspaceId: ctx.workspace.id } })
    const parser = new PDFParse({ data: new Uint8Array(pdf) })
    const text = (await parser.getText()).text.replace(/\s+/g, ' ')
    await parser.destroy()
    expect(text).toContain('Tax rule reverse charge (Article 196): the buyer accounts for the VAT')
    expect(text).toContain('Article 196, Council Directive 2006/112/EC')
  })

  it('a FR buyer without a VAT id (a consumer) pays the table’s FR 20%: tax 6.00, total 36.00', async () => {
    const invoice = await issuedAndRenewal({ country: 'FR' })
    expect(invoice).toMatchObject({ tax: { amount: 600 }, total: { amount: 3_600 } })
  })

  it('a tax-exempt DE account pays no tax', async () => {
    const invoice = await issuedAndRenewal({ country: 'DE', taxExempt: true })
    expect(invoice).toMatchObject({ tax: { amount: 0 }, total: { amount: 3_000 } })
    expect(invoice?.taxDetail).toMatchObject({ rule: 'exempt', rate: 0 })
  })

  it('an account’s explicit --tax-rate 7 overrides the DE 19%: 30.00 × 7% = 2.10, total 32.10', async () => {
    const invoice = await issuedAndRenewal({ country: 'DE', taxRateMilli: 7_000 })
    expect(invoice).toMatchObject({ tax: { amount: 210 }, total: { amount: 3_210 }, taxRate: 7 })
    expect(invoice?.taxDetail).toMatchObject({ rule: 'override', jurisdiction: 'DE' })
  })
})

describe('issue 16: invoice numbers and frozen invoices (R-INV-1)', () => {
  it('R-INV-1 numbers are an account prefix plus the gapless number, unique in the workspace; show accepts the number', async () => {
    const ctx = await workspace('pooled', { start: at('2026-01-01T00:00:00Z') })
    await account(ctx, 'Globex Corporation USA')
    await account(ctx, 'Globex Cloud USA')
    for (const name of ['Globex Corporation USA', 'Globex Cloud USA']) {
      await card(ctx, name)
      await addSubscription(ctx, { account: name, items: { users: 1 }, trial: false })
    }
    const later = await advance(ctx, at('2026-02-01T00:00:00Z'))
    const numbers = (await listInvoices(later)).invoices.map((i) => i.invoiceNumber)
    expect(numbers.sort()).toEqual(['GCUSA-0001', 'GCUSA-0002', 'GCUSA2-0001', 'GCUSA2-0002'])
    // A rename keeps the prefix fixed at the first invoice.
    await updateAccount(later, { ref: 'Globex Cloud USA', name: 'Initech' })
    expect((await showAccount(later, 'Initech')).invoicePrefix).toBe('GCUSA2')
    expect((await showInvoice(later, 'gcusa2-0002')).number).toBe(2)
    // Before its first invoice, a rename gives the account the prefix of its new name.
    await account(later, 'Soon Renamed')
    expect((await showAccount(later, 'Soon Renamed')).invoicePrefix).toBe('SR')
    await updateAccount(later, { ref: 'Soon Renamed', name: 'Hooli Inc' })
    expect((await showAccount(later, 'Hooli Inc')).invoicePrefix).toBe('HINC')
  })

  it('R-INV-1 an invoice issued before an address change renders the old address and the seller it was issued with', async () => {
    const ctx = await taxedWorkspace({ country: 'DE', address: 'Alte Straße 1\n10115 Berlin', taxId: 'DE999' })
    const [issued] = (await listInvoices(await refresh(ctx))).invoices
    await updateAccount(ctx, { ref: 'Buyer', name: 'Buyer Renamed', address: 'Neue Allee 99\n80331 München', country: 'FR' })
    await setSeller(ctx, { legalName: 'Other Seller SA' })
    const invoice = await showInvoice(ctx, issued?.id ?? '')
    expect(invoice.buyer).toMatchObject({ name: 'Buyer', addressLines: ['Alte Straße 1', '10115 Berlin'], country: 'DE' })
    expect(invoice.seller?.name).toBe('Acme Cloud GmbH')
    // Issued 2026-01-01 with terms of 14 days.
    expect(invoice.dueAt).toBe('2026-01-15T00:00:00.000Z')
    const pdf = await renderInvoicePdf({ invoice, account: await showAccount(ctx, 'Buyer Renamed'), seller: { name: ctx.workspace.name, workspaceId: ctx.workspace.id } })
    const parser = new PDFParse({ data: new Uint8Array(pdf) })
    const text = (await parser.getText()).text
    await parser.destroy()
    expect(text).toContain('Alte Straße 1')
    expect(text).toContain('Acme Cloud GmbH')
    expect(text).toContain('Tax ID: DE123456789')
    expect(text).toContain('2026-01-15')
    expect(text).not.toContain('Neue Allee')
    expect(text).not.toContain('Other Seller')
  })
})
