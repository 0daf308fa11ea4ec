import { Flags } from '@oclif/core'
import { optionalArg } from '../../cli/args.js'
import { WorkspaceCommand } from '../../cli/base-command.js'
import { listFlags, listWindow } from '../../cli/list-flags.js'
import { ListOutput, TERMINAL_LIMIT } from '../../cli/list-output.js'
import { invalid } from '../../core/errors.js'
import { invoiceCursor, invoicePages } from '../../core/invoices/pages.js'
import type { InvoiceView } from '../../core/invoices/view.js'
import { type InvoiceStatus, invoiceStatuses } from '../../core/store/schema/index.js'
import { renderInvoices } from '../../render/invoices.js'
import { pageOf } from '../../render/terminal.js'

type Result = { invoices: InvoiceView[] }

export default class InvoiceList extends WorkspaceCommand<Result> {
  static override fitsTerminal = true
  static override readOnly = true
  static override summary = 'List invoices, oldest first.'
  static override description = `Read page by page and printed as read, in constant memory (--json too; --ndjson: one invoice a line). On a terminal, without --limit, --after, --since or --until, the latest ${TERMINAL_LIMIT} are shown.`
  static override examples = [
    '<%= config.bin %> invoice list',
    '<%= config.bin %> invoice list "Franchisee A" --status open --json',
    '<%= config.bin %> invoice list --account "Franchisee A" --since 30d',
    '<%= config.bin %> invoice list --after ASINC-0002 --ndjson',
  ]
  static override args = { account: optionalArg('Only this billing account (id or name).') }
  static override flags = {
    account: Flags.string({ summary: 'Only this billing account (id or name); the same as the argument.' }),
    status: Flags.string({ summary: 'Only this status.', options: [...invoiceStatuses] }),
    ...listFlags('invoices issued', 'Only invoices after this one (id or number) in the listing: continue a listing.'),
  }

  async run(): Promise<Result> {
    const { args, flags } = await this.parse(InvoiceList)
    if (args.account !== undefined && flags.account !== undefined && args.account !== flags.account)
      throw invalid(`two accounts given ("${args.account}" and --account "${flags.account}"); give one`)
    const ctx = await this.context(flags)
    const window = listWindow(flags, this.jsonEnabled(), ctx.now)
    const after = flags.after === undefined ? undefined : await invoiceCursor(ctx.db, ctx.workspace.id, flags.after)
    const filter = { account: args.account ?? flags.account, status: flags.status as InvoiceStatus | undefined, since: window.since, until: window.until }
    const pages = await invoicePages(ctx.db, ctx.workspace.id, filter, { after, latest: window.latest })
    await new ListOutput<InvoiceView>(window.mode, 'invoices', (invoices, o) => pageOf(renderInvoices({ invoices }), o), 'No invoices.').all(pages, window.note)
    return undefined as unknown as Result
  }

  protected render(result: Result): string {
    return renderInvoices(result)
  }
}
