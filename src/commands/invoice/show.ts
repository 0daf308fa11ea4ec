import { requiredArg } from '../../cli/args.js'
import { WorkspaceCommand } from '../../cli/base-command.js'
import { showInvoice } from '../../core/invoices/list.js'
import type { InvoiceView } from '../../core/invoices/view.js'
import { renderInvoice } from '../../render/invoices.js'
import { workspaceOfInvoice } from '../../core/workspaces/of-invoice.js'

export default class InvoiceShow extends WorkspaceCommand<InvoiceView> {
  static override fitsTerminal = true
  static override readOnly = true
  static override summary = 'Show an invoice: lines, discount, tax, credit, totals and payment attempts.'
  static override examples = ['<%= config.bin %> invoice show ASINC-0001', '<%= config.bin %> invoice show GCG-0001 --json']
  static override args = { invoice: requiredArg('Invoice id or number (GCUSA-0001); without --workspace, looked up in every workspace.') }

  async run(): Promise<InvoiceView> {
    const { args, flags } = await this.parse(InvoiceShow)
    return await showInvoice(await this.context(flags, { workspaceOf: (db) => workspaceOfInvoice(db, args.invoice) }), args.invoice)
  }

  protected render(invoice: InvoiceView): string {
    return renderInvoice(invoice)
  }
}
