import { Flags } from '@oclif/core'
import { WorkspaceCommand } from '../../cli/base-command.js'
import { listFlags, listWindow } from '../../cli/list-flags.js'
import { ListOutput, TERMINAL_LIMIT } from '../../cli/list-output.js'
import { type SubscriptionStatus, subscriptionStatuses } from '../../core/store/schema/index.js'
import { subscriptionCursor, subscriptionPages } from '../../core/subscriptions/pages.js'
import type { SubscriptionView } from '../../core/subscriptions/view.js'
import { renderSubscriptions } from '../../render/subscriptions.js'
import { pageOf } from '../../render/terminal.js'

type Result = { subscriptions: SubscriptionView[] }

export default class SubList extends WorkspaceCommand<Result> {
  static override fitsTerminal = true
  static override readOnly = true
  static override summary = 'List subscriptions, in the order they were created.'
  static override description = `Read page by page and printed as read, in constant memory (--json too; --ndjson: one subscription a line). On a terminal, without --limit, --after, --since or --until, the latest ${TERMINAL_LIMIT} created are shown.`
  static override examples = [
    '<%= config.bin %> sub list',
    '<%= config.bin %> sub list --account "Franchisee A" --status active --json',
    '<%= config.bin %> sub list --status past_due --since 7d',
    '<%= config.bin %> sub list --after sub_1a2b3c --ndjson',
  ]
  static override flags = {
    account: Flags.string({ summary: 'Only this billing account (id or name).' }),
    status: Flags.string({ summary: 'Only this status.', options: [...subscriptionStatuses] }),
    ...listFlags('subscriptions created', 'Only subscriptions created after this one (its id): continue a listing.'),
  }

  async run(): Promise<Result> {
    const { flags } = await this.parse(SubList)
    const ctx = await this.context(flags)
    const window = listWindow(flags, this.jsonEnabled(), ctx.now)
    const after = flags.after === undefined ? undefined : await subscriptionCursor(ctx.db, ctx.workspace.id, flags.after)
    const filter = { account: flags.account, status: flags.status as SubscriptionStatus | undefined, since: window.since, until: window.until }
    const pages = await subscriptionPages(ctx.db, ctx.workspace.id, filter, { after, latest: window.latest })
    await new ListOutput<SubscriptionView>(window.mode, 'subscriptions', (subscriptions, o) => pageOf(renderSubscriptions({ subscriptions }), o), 'No subscriptions.').all(pages, window.note)
    return undefined as unknown as Result
  }

  protected render(result: Result): string {
    return renderSubscriptions(result)
  }
}
