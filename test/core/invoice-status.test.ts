// Issue 25 item 2: the PDF and `invoice show` say the same thing about where
// an invoice's payment stands, and say it truly: a SEPA debit in flight is
// "processing" (not "failed: not completed"), named as people know the method.
import { PDFParse } from 'pdf-parse'
import { describe, expect, it } from 'vitest'
import { showAccount } from '../../src/core/accounts/list.js'
import type { Ctx } from '../../src/core/context.js'
import { listInvoices } from '../../src/core/invoices/list.js'
import type { InvoiceView } from '../../src/core/invoices/view.js'
import { BANK_SETTLE_DAYS } from '../../src/core/payments/sandbox.js'
import { addSubscription } from '../../src/core/subscriptions/add.js'
import { renderInvoicePdf } from '../../src/render/invoice-pdf.js'
import { renderInvoice } from '../../src/render/invoices.js'
import { account, advance, card, refresh, workspace } from '../builders.js'

const START = Date.parse('2026-05-01T00:00:00Z')
const DAY = 86_400_000

async function firstInvoiceWith(tokens: string[], after = 0): Promise<{ ctx: Ctx; invoice: InvoiceView }> {
  let ctx = await workspace('single', { start: START })
  await account(ctx, 'Acme')
  for (const token of tokens) await card(ctx, 'Acme', token)
  await addSubscription(await refresh(ctx), { account: 'Acme', items: { users: 3 }, trial: false })
  ctx = await advance(ctx, START + after)
  const invoice = (await listInvoices(ctx)).invoices[0]
  if (!invoice) throw new Error('no invoice')
  return { ctx, invoice }
}

async function pdfText(ctx: Ctx, invoice: InvoiceView): Promise<string> {
  const pdf = await renderInvoicePdf({ invoice, account: await showAccount(ctx, invoice.accountId), seller: { name: ctx.workspace.name, workspaceId: ctx.workspace.id } })
  const parser = new PDFParse({ data: new Uint8Array(pdf) })
  try {
    return (await parser.getText()).text.replace(/\s+/g, ' ')
  } finally {
    await parser.destroy()
  }
}

describe('invoice show and the PDF agree on the payment state (issue 25 item 2)', () => {
  it('R-PAY-1 a SEPA debit still processing: "Payment processing: SEPA debit ••••3000, started …" in both, never "failed"', async () => {
    const { ctx, invoice } = await firstInvoiceWith(['pm_sepaDebit_success'], (BANK_SETTLE_DAYS - 1) * DAY)
    expect(invoice.status).toBe('open')
    expect(invoice.payments.map((p) => p.outcome)).toEqual(['processing'])
    const words = 'Payment processing: SEPA debit ••••3000, started 2026-05-01'
    const pdf = await pdfText(ctx, invoice)
    expect(pdf).toContain(words)
    expect(pdf).not.toMatch(/failed|not completed|37040044/i)
    // The payments table: the method by name and the outcome in words.
    expect(pdf).toContain('2026-05-01 SEPA debit ••••3000 Processing')
    const shown = renderInvoice(invoice)
    expect(shown).toContain(`open: ${words}`)
    expect(shown).not.toMatch(/failed/i)
  })

  it('R-PAY-2 a declined card: "Payment failed: card declined (Visa ••••0002)" in both, with the reason in words', async () => {
    const { ctx, invoice } = await firstInvoiceWith(['pm_card_chargeDeclined'])
    const words = 'Payment failed: card declined (Visa ••••0002)'
    expect(await pdfText(ctx, invoice)).toContain(words)
    expect(renderInvoice(invoice)).toContain(`open: ${words}`)
  })

  it('a card that needs authentication: "Awaiting the customer\'s authentication (Visa ••••3184)" in both', async () => {
    const { ctx, invoice } = await firstInvoiceWith(['pm_card_authenticationRequired'])
    const words = "Awaiting the customer's authentication (Visa ••••3184)"
    const pdf = await pdfText(ctx, invoice)
    expect(pdf).toContain(words)
    expect(pdf).toContain('Needs authentication the customer must authenticate')
    expect(renderInvoice(invoice)).toContain(`open: ${words}`)
  })

  it('a settled debit: "Paid" in both, and the PDF table says Paid', async () => {
    const { ctx, invoice } = await firstInvoiceWith(['pm_sepaDebit_success'], BANK_SETTLE_DAYS * DAY)
    expect(invoice.status).toBe('paid')
    const pdf = await pdfText(ctx, invoice)
    expect(pdf).toMatch(/Status Paid/)
    expect(pdf).toContain('SEPA debit ••••3000 Paid')
    expect(renderInvoice(invoice)).toMatch(/status:\s+paid\n/)
  })
})
