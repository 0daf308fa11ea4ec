import { Flags } from '@oclif/core'
import { optionalArg } from '../../cli/args.js'
import { WorkspaceCommand } from '../../cli/base-command.js'
import { listInvoices } from '../../core/invoices/list.js'
import type { InvoiceView } from '../../core/invoices/view.js'
import { type InvoiceStatus, invoiceStatuses } from '../../core/store/schema/index.js'
import { renderInvoices } from '../../render/invoices.js'

type Result = { invoices: InvoiceView[] }

export default class InvoiceList extends WorkspaceCommand<Result> {
  static override fitsTerminal = true
  static override readOnly = true
  static override summary = 'List invoices, oldest first.'
  static override examples = ['<%= config.bin %> invoice list', '<%= config.bin %> invoice list "Franchisee A" --status open --json']
  static override args = { account: optionalArg('Only this billing account (id or name).') }
  static override flags = { status: Flags.string({ summary: 'Only this status.', options: [...invoiceStatuses] }) }

  async run(): Promise<Result> {
    const { args, flags } = await this.parse(InvoiceList)
    return await listInvoices(await this.context(flags), { account: args.account, status: flags.status as InvoiceStatus | undefined })
  }

  protected render(result: Result): string {
    return renderInvoices(result)
  }
}
