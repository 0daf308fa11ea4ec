import { Flags } from '@oclif/core'
import { WorkspaceCommand } from '../cli/base-command.js'
import { listFlags, listWindow } from '../cli/list-flags.js'
import { ListOutput, TERMINAL_LIMIT } from '../cli/list-output.js'
import { invalid } from '../core/errors.js'
import { checkKinds, unknownKindsNote } from '../core/lists/kinds.js'
import type { NotificationView } from '../core/notifications/list.js'
import { notificationCursor, notificationPages } from '../core/notifications/pages.js'
import { renderNotifications } from '../render/invoices.js'
import { pageOf } from '../render/terminal.js'

type Result = { notifications: NotificationView[] }

export default class Notifications extends WorkspaceCommand<Result> {
  static override fitsTerminal = true
  static override readOnly = true
  static override summary = 'List notifications: trial endings, payment failures, expiring cards.'
  static override description = `Oldest first; read page by page and printed as read, in constant memory (--json too; --ndjson: one notification a line). On a terminal, without --limit, --after, --since or --until, the latest ${TERMINAL_LIMIT} are shown.`
  static override examples = [
    '<%= config.bin %> notifications',
    '<%= config.bin %> notifications --json',
    '<%= config.bin %> notifications --kind payment --account "Franchisee A" --since 7d',
    '<%= config.bin %> notifications --workspace "Franchise Co" --after ntf_3 --ndjson',
  ]
  static override flags = {
    account: Flags.string({ summary: 'Only notifications about this billing account (id or name).' }),
    kind: Flags.string({ summary: 'Only this kind or kind prefix (payment matches payment_failed …; repeatable).', multiple: true }),
    ...listFlags('notifications', 'Only notifications after this one (ntf_N): continue a listing.'),
  }

  async run(): Promise<Result> {
    const { flags } = await this.parse(Notifications)
    if (flags.kind?.some((kind) => kind.trim() === '')) throw invalid('--kind: must not be empty (e.g. --kind payment or --kind trial_will_end)')
    const ctx = await this.context(flags)
    const window = listWindow(flags, this.jsonEnabled(), ctx.now)
    // A --kind matching no kind at all: said on stderr (the listing stays empty, exit 0).
    const unknownKinds = unknownKindsNote('notifications', await checkKinds(ctx.db, ctx.workspace.id, flags.kind, { table: 'notifications', separator: '_', family: false }))
    if (unknownKinds) process.stderr.write(`${unknownKinds}\n`)
    const after = flags.after === undefined ? undefined : await notificationCursor(ctx.db, ctx.workspace.id, flags.after)
    const filter = { account: flags.account, kinds: flags.kind, since: window.since, until: window.until }
    const pages = await notificationPages(ctx.db, ctx.workspace.id, filter, { after, latest: window.latest })
    await new ListOutput<NotificationView>(window.mode, 'notifications', (notifications, o) => pageOf(renderNotifications({ notifications }), o), 'No notifications.').all(pages, window.note)
    return undefined as unknown as Result
  }

  protected render(result: Result): string {
    return renderNotifications(result)
  }
}
