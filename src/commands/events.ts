import { Flags } from '@oclif/core'
import { WorkspaceCommand } from '../cli/base-command.js'
import { timeFlag } from '../cli/flags.js'
import { ListOutput, TERMINAL_LIMIT, TERMINAL_NOTE } from '../cli/list-output.js'
import { type EventView, eventCursor, eventKinds, eventOwners, eventPages, listEvents } from '../core/events/list.js'
import { followEvents } from '../core/events/follow.js'
import { invalid } from '../core/errors.js'
import { checkKinds, unknownKindsNote } from '../core/lists/kinds.js'
import { usageOutcomes } from '../core/store/enums.js'
import { wholeNumber } from '../core/schemas.js'
import { timeOrAgo } from '../core/time-input.js'
import { renderEvents, renderEventRows } from '../render/events.js'
import { onTerminal } from '../render/terminal.js'

type Result = { events: EventView[] }

const FOLLOW_POLL_MS = 1000

/** Usage decisions come from the usage ledger, not the events table: their kinds are always there. */
const USAGE_KINDS = usageOutcomes.map((outcome) => `usage.${outcome}`)

export default class Events extends WorkspaceCommand<Result> {
  static override readOnly = true
  static override fitsTerminal = true
  static override summary = "List the workspace's event log, oldest first."
  static override description = `Every change is recorded with workspace time, kind and the ids involved. --kind org matches org.created, org.deleted …; --kind sub matches subscription.created, subscription.renewed … (as --kind subscription), --kind pm payment_method.*.
The log is read page by page and printed as it is read, in constant memory whatever its size (--json too: one document written incrementally; --ndjson: one event a line). On a terminal, without --limit, --after, --since or --until, the latest ${TERMINAL_LIMIT} are shown.`
  static override examples = [
    '<%= config.bin %> events',
    '<%= config.bin %> events --kind org --kind account.assigned',
    '<%= config.bin %> events --since 1d --kind sub',
    '<%= config.bin %> events --account "Acme Software Inc." --since 2026-01-01 --until 2026-02-01',
    '<%= config.bin %> events --org Sales --kind usage.rejected',
    '<%= config.bin %> events --after evt_12 --ndjson',
    '<%= config.bin %> events --follow',
    '<%= config.bin %> events --since 2026-01-01 --limit 50 --json',
  ]
  static override flags = {
    kind: Flags.string({ summary: 'Only events of this kind or kind prefix (repeatable; sub and pm name subscription and payment_method).', multiple: true }),
    since: timeFlag('Only events at or after this workspace time, or this long ago (1d, 12h, 2w).'),
    until: timeFlag('Only events before this workspace time, or this long ago (1d, 12h, 2w).'),
    account: Flags.string({ summary: 'Only events naming this billing account (id or name); usage decisions name orgs, so they are left out.' }),
    org: Flags.string({ summary: 'Only events naming this organization (id, name or path), its usage decisions included.' }),
    after: Flags.string({ summary: 'Only events after this event id (evt_N or rpt_N): continue a listing.', helpValue: 'ID' }),
    limit: Flags.string({ summary: 'Only the latest N events; with --after, the next N after it.', helpValue: 'N' }),
    ndjson: Flags.boolean({ summary: 'One JSON event a line (for streaming into other tools).', exclusive: ['json'] }),
    // --json is excluded as a relationship, not in `exclusive`: the usage line groups exclusive flags and
    // --json already sits in --ndjson's group, which left an empty alternative ("[-f |  | --limit N]").
    follow: Flags.boolean({
      char: 'f',
      summary: 'Keep printing new events as any process commits them, until Ctrl-C.',
      exclusive: ['limit'],
      relationships: [{ type: 'none', flags: ['json'] }],
    }),
  }

  async run(): Promise<Result> {
    const { flags } = await this.parse(Events)
    if (flags.kind?.some((kind) => kind.trim() === '')) throw invalid('--kind: must not be empty (e.g. --kind org or --kind usage.rejected)')
    const ctx = await this.context(flags)
    const since = flags.since === undefined ? undefined : timeOrAgo(flags.since, ctx.now, '--since')
    const until = flags.until === undefined ? undefined : timeOrAgo(flags.until, ctx.now, '--until')
    if (since !== undefined && until !== undefined && since >= until)
      throw invalid(`--since (${new Date(since).toISOString()}) must be before --until (${new Date(until).toISOString()})`, { since: flags.since, until: flags.until })
    // A --kind matching no kind at all: said on stderr (the listing stays empty, exit 0).
    const kinds = eventKinds(flags.kind)
    const unknownKinds = unknownKindsNote('events', await checkKinds(ctx.db, ctx.workspace.id, kinds, { table: 'events', separator: '.', alwaysKnown: USAGE_KINDS, family: true }))
    if (unknownKinds) process.stderr.write(`${unknownKinds}\n`)
    const filter = { kinds, since, until, ...(await eventOwners(ctx.db, ctx.workspace.id, { account: flags.account, org: flags.org })) }
    const after = flags.after === undefined ? undefined : await eventCursor(ctx.db, ctx.workspace.id, flags.after)
    const explicitLimit = flags.limit === undefined ? undefined : wholeNumber('--limit', flags.limit)
    const human = !this.jsonEnabled() && !flags.ndjson
    // --limit alone: the latest N (a person at a terminal gets the latest 100); after a cursor, the next N.
    const latest = after ? undefined : (explicitLimit ?? (human && onTerminal() && since === undefined && until === undefined && !flags.follow ? TERMINAL_LIMIT : undefined))
    const next = after ? explicitLimit : undefined
    // The latest N: one bounded query, printed as a whole (the base command renders it).
    if (latest !== undefined && !flags.ndjson) {
      const result = await listEvents(ctx.db, ctx.workspace.id, { ...filter, limit: latest })
      this.note = explicitLimit === undefined && result.events.length === TERMINAL_LIMIT ? TERMINAL_NOTE : ''
      return result
    }
    // Watching starts before the listing is read, so nothing committed meanwhile is missed.
    const follower = flags.follow ? await followEvents(ctx.db, ctx.workspace.id, filter) : undefined
    const out = new ListOutput<EventView>(this.jsonEnabled() ? 'json' : flags.ndjson ? 'ndjson' : 'human', 'events', renderEventRows, 'No events.')
    const print = async (rows: EventView[]) => {
      if (rows.length === 0) return
      await out.page(rows)
      if (follower) for (const row of rows) follower.shown(row.id)
    }
    if (latest !== undefined) {
      // --ndjson --limit N: the latest N, one a line.
      await print((await listEvents(ctx.db, ctx.workspace.id, { ...filter, limit: latest })).events)
    } else {
      let left = next ?? Number.POSITIVE_INFINITY
      if (left > 0)
        for await (const page of eventPages(ctx.db, ctx.workspace.id, { ...filter, after })) {
          const rows = page.slice(0, left)
          await print(rows)
          left -= rows.length
          if (left <= 0) break
        }
    }
    if (follower)
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, FOLLOW_POLL_MS))
        await print(await follower.poll())
      }
    await out.end()
    return undefined as unknown as Result
  }

  private note = ''

  protected render(result: Result): string {
    const text = renderEvents(result)
    return this.note ? `${text}\n${this.note}` : text
  }
}
