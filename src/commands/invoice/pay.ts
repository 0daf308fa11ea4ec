import { requiredArg } from '../../cli/args.js'
import { WorkspaceCommand } from '../../cli/base-command.js'
import type { InvoiceView } from '../../core/invoices/view.js'
import { resolveInvoice } from '../../core/invoices/list.js'
import { payInvoice } from '../../core/payments/pay.js'
import { providerFromEnv } from '../../core/payments/provider.js'
import { renderInvoice } from '../../render/invoices.js'
import { workspaceOfInvoice } from '../../core/workspaces/of-invoice.js'

export default class InvoicePay extends WorkspaceCommand<InvoiceView> {
  static override summary = 'Collect an open or uncollectible invoice now, trying the default method and then each backup.'
  static override description = `Every attempt is recorded on the invoice. When every method declines the invoice stays as it
was and the command exits 5 (PAYMENT_FAILED) with the attempts in the details; the automatic retry
schedule is not changed. A retried command never charges twice (idempotency keys per attempt).
A bank debit it starts is processing until it settles (exit 0, the invoice still open); on an invoice whose
debit is already in flight it charges nothing and exits 4 (PAYMENT_IN_FLIGHT).`
  static override examples = [
    '<%= config.bin %> pm add "Franchisee C" pm_card_visa && <%= config.bin %> invoice pay FC-0001',
    '<%= config.bin %> invoice pay FC-0001 --json',
  ]
  static override args = { invoice: requiredArg('Invoice id or number (GCUSA-0001); without --workspace, looked up in every workspace.') }

  async run(): Promise<InvoiceView> {
    const { args, flags } = await this.parse(InvoicePay)
    const ctx = await this.context(flags, { workspaceOf: (db) => workspaceOfInvoice(db, args.invoice) })
    // Paid before this command ran: nothing is charged, and the human output says so.
    this.alreadyPaid = (await resolveInvoice(ctx.db, ctx.workspace.id, args.invoice)).status === 'paid'
    return await payInvoice(ctx, await providerFromEnv(), args.invoice)
  }

  private alreadyPaid = false

  protected render(invoice: InvoiceView): string {
    const started = invoice.status !== 'paid' && invoice.payments.at(-1)?.outcome === 'processing'
    const lead = this.alreadyPaid
      ? `Invoice ${invoice.invoiceNumber ?? invoice.id} was already paid on ${invoice.paidAt?.slice(0, 10)}: nothing was charged.\n`
      : started
        ? 'A bank debit was started and is processing: the invoice is paid when it settles (nothing else is charged meanwhile).\n'
        : ''
    return `${lead}${renderInvoice(invoice)}`
  }
}
