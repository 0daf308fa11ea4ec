// `invoice pay` (R-PAY-1): collect an open (or uncollectible) invoice now,
// across the account's methods in order. Failing does not move the dunning
// schedule; it exits 5 with every attempt in the details.
import type { Ctx } from '../context.js'
import { providerFailure, refused } from '../errors.js'
import { resolveInvoice } from '../invoices/list.js'
import { accountName, type InvoiceView, invoiceView } from '../invoices/view.js'
import { collectInvoice } from './collect.js'
import type { PaymentProvider } from './provider.js'

export async function payInvoice(ctx: Ctx, provider: PaymentProvider, ref: string): Promise<InvoiceView> {
  const invoice = await resolveInvoice(ctx.db, ctx.workspace.id, ref)
  if (invoice.status === 'void') throw refused('INVOICE_VOID', `invoice ${invoice.displayNumber ?? invoice.id} is void and cannot be paid`, { invoiceId: invoice.id })
  if (invoice.status === 'paid') return await invoiceView(ctx.db, invoice)
  const outcome = await collectInvoice(ctx, provider, invoice.id, { kind: 'manual' })
  const view = await invoiceView(ctx.db, await resolveInvoice(ctx.db, ctx.workspace.id, invoice.id))
  // In flight (a bank debit): nothing else is charged; the invoice is paid when it settles. A debit this
  // command started is its answer (exit 0); one already in flight means this command charged nothing.
  if (outcome.pending === 'processing' && (outcome.attempts === 0 || outcome.earlier)) {
    const debit = view.payments.find((p) => p.outcome === 'processing')
    throw refused(
      'PAYMENT_IN_FLIGHT',
      `nothing was charged now: invoice ${view.invoiceNumber ?? invoice.id} has a payment in flight${debit ? ` (${debit.method ?? 'a removed method'}, since ${debit.at.slice(0, 16).replace('T', ' ')} UTC)` : ''}; it is paid, or enters dunning, when that settles`,
      { invoiceId: invoice.id, status: view.status, payment: debit ?? null },
    )
  }
  if (outcome.pending === 'processing') return view
  if (outcome.pending === 'requires_action')
    throw providerFailure(
      'PAYMENT_ACTION_REQUIRED',
      `${outcome.action ?? 'the customer must act on this payment'}; the invoice stays ${view.status}. Once the customer has done so or added another method, run: wsb invoice pay ${invoice.id}`,
      { invoiceId: invoice.id, provider: provider.name, attempts: view.payments.slice(-outcome.attempts) },
    )
  if (!outcome.paid) {
    // Named as the operator knows the account, and as `pm add` takes it.
    const name = await accountName(ctx.db, invoice.accountId)
    throw providerFailure(
      outcome.attempts === 0 ? 'NO_PAYMENT_METHOD' : 'PAYMENT_FAILED',
      outcome.attempts === 0
        ? `account "${name}" has no payment method; add one with: wsb pm add ${JSON.stringify(name)} pm_…`
        : `every payment method of account "${name}" was declined (${provider.name}); invoice ${view.invoiceNumber ?? invoice.id} stays ${view.status}`,
      { invoiceId: invoice.id, provider: provider.name, attempts: view.payments.slice(-outcome.attempts) },
    )
  }
  return view
}
