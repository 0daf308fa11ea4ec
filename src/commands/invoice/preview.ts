import { Flags } from '@oclif/core'
import { requiredArg } from '../../cli/args.js'
import { WorkspaceCommand } from '../../cli/base-command.js'
import { invalid } from '../../core/errors.js'
import { type PreviewView, type ProposedChange, previewInvoice } from '../../core/invoices/preview.js'
import { productQuantities } from '../../core/schemas.js'
import { renderPreview } from '../../render/invoices.js'

export default class InvoicePreview extends WorkspaceCommand<PreviewView> {
  static override fitsTerminal = true
  static override summary = "Preview an account's next invoice, optionally after a proposed change. Writes nothing."
  static override description = `Without --change: the next invoice of the account: every invoice of its next instant that
issues one (subscriptions renewing together are all shown, in the order they will be issued).
With --change SUB:PRODUCT=QTY: the proration the change would add now and the invoices of that
subscription's period end (or the next instant after it that issues one).
The preview runs the same code as the real change and renewal, then rolls everything back,
so the renewal invoice equals the preview to the minor unit.`
  static override examples = [
    '<%= config.bin %> invoice preview "Acme Software Inc."',
    '<%= config.bin %> invoice preview "Acme Software Inc." --change sub_1a2b3c:users=120',
    '<%= config.bin %> invoice preview "Global Corp GmbH" --change sub_1a2b3c:users=30 --change sub_1a2b3c:locations=10 --json',
  ]
  static override args = { account: requiredArg('Billing account id or name.') }
  static override flags = { change: Flags.string({ summary: 'A proposed change SUB:PRODUCT=QTY (repeatable).', multiple: true, helpValue: 'SUB:PRODUCT=QTY' }) }

  async run(): Promise<PreviewView> {
    const { args, flags } = await this.parse(InvoicePreview)
    const bySubscription = new Map<string, string[]>()
    for (const change of flags.change ?? []) {
      const match = /^\s*([^:\s]+)\s*:\s*(.+)$/.exec(change)
      if (!match) throw invalid(`--change: expected SUB:PRODUCT=QTY (e.g. sub_1a2b3c:users=60), got "${change}"`)
      const [, sub = '', pair = ''] = match
      bySubscription.set(sub, [...(bySubscription.get(sub) ?? []), pair])
    }
    const changes: ProposedChange[] = [...bySubscription].map(([subscription, pairs]) => ({ subscription, items: productQuantities(pairs, '--change') }))
    return await previewInvoice(await this.context(flags), { account: args.account, changes })
  }

  protected render(preview: PreviewView): string {
    return renderPreview(preview)
  }
}
