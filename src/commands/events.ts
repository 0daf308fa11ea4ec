import { Flags } from '@oclif/core'
import { WorkspaceCommand } from '../cli/base-command.js'
import { timeFlag } from '../cli/flags.js'
import { type EventCursor, type EventView, eventCursor, eventPages, listEvents } from '../core/events/list.js'
import { invalid } from '../core/errors.js'
import { wholeNumber } from '../core/schemas.js'
import { addDuration, parseTime } from '../core/time-input.js'
import { renderEvents, renderEventRows } from '../render/events.js'
import { onTerminal } from '../render/terminal.js'

type Result = { events: EventView[] }

/** On a terminal without --limit, --after, --since or --follow: the latest this many. */
const TERMINAL_LIMIT = 100
const FOLLOW_POLL_MS = 1000

export default class Events extends WorkspaceCommand<Result> {
  static override readOnly = true
  static override fitsTerminal = true
  static override summary = "List the workspace's event log, oldest first."
  static override description = `Every change is recorded with workspace time, kind and the ids involved. --kind org matches org.created, org.deleted …
The log is read page by page and printed as it is read, in constant memory whatever its size (--json too: one document written incrementally; --ndjson: one event a line). On a terminal, without --limit, --after or --since, the latest ${TERMINAL_LIMIT} are shown.`
  static override examples = [
    '<%= config.bin %> events',
    '<%= config.bin %> events --kind org --kind account.assigned',
    '<%= config.bin %> events --since 1d --kind sub',
    '<%= config.bin %> events --after evt_120 --ndjson',
    '<%= config.bin %> events --follow',
    '<%= config.bin %> events --since 2026-01-01 --limit 50 --json',
  ]
  static override flags = {
    kind: Flags.string({ summary: 'Only events of this kind or kind prefix (repeatable).', multiple: true }),
    since: timeFlag('Only events at or after this workspace time, or this long ago (1d, 12h, 2w).'),
    after: Flags.string({ summary: 'Only events after this event id (evt_N or rpt_N): continue a listing.', helpValue: 'ID' }),
    limit: Flags.string({ summary: 'Only the latest N events.', helpValue: 'N' }),
    ndjson: Flags.boolean({ summary: 'One JSON event a line (for streaming into other tools).', exclusive: ['json'] }),
    follow: Flags.boolean({ char: 'f', summary: 'Keep printing new events as any process commits them, until Ctrl-C.', exclusive: ['json', 'limit'] }),
  }

  async run(): Promise<Result> {
    const { flags } = await this.parse(Events)
    if (flags.kind?.some((kind) => kind.trim() === '')) throw invalid('--kind: must not be empty (e.g. --kind org or --kind usage.rejected)')
    const ctx = await this.context(flags)
    const since = flags.since === undefined ? undefined : sinceTime(flags.since, ctx.now)
    const after = flags.after === undefined ? undefined : await eventCursor(ctx.db, ctx.workspace.id, flags.after)
    const explicitLimit = flags.limit === undefined ? undefined : wholeNumber('--limit', flags.limit)
    const human = !this.jsonEnabled() && !flags.ndjson
    const limit = explicitLimit ?? (human && onTerminal() && !after && since === undefined && !flags.follow ? TERMINAL_LIMIT : undefined)
    // The latest N: one bounded query, printed as a whole (the base command renders it).
    if (limit !== undefined && !flags.ndjson) {
      const result = await listEvents(ctx.db, ctx.workspace.id, { kinds: flags.kind, since, limit })
      this.note = explicitLimit === undefined && result.events.length === TERMINAL_LIMIT ? `(the latest ${TERMINAL_LIMIT}; --limit N, --since TIME or --after ID for others)` : ''
      return result
    }
    const out = new Output(this.jsonEnabled() ? 'json' : flags.ndjson ? 'ndjson' : 'human')
    let cursor: EventCursor | undefined = after
    const drain = async () => {
      for await (const page of eventPages(ctx.db, ctx.workspace.id, { kinds: flags.kind, since, after: cursor })) {
        await out.page(page)
        const last = page.at(-1) as EventView
        cursor = await eventCursor(ctx.db, ctx.workspace.id, last.id)
      }
    }
    if (limit !== undefined) {
      // --ndjson --limit N: the latest N, one a line.
      await out.page((await listEvents(ctx.db, ctx.workspace.id, { kinds: flags.kind, since, limit })).events)
    } else await drain()
    if (flags.follow) {
      // Each poll is a fresh read: what other processes committed since is visible.
      await ctx.db.endSnapshot()
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, FOLLOW_POLL_MS))
        await drain()
      }
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

/** An ISO time, or a duration back from the workspace's now ("1d": the last day). */
function sinceTime(text: string, now: number): number {
  if (/^\s*\d+\s*(mo|y|w|d|h|m|s)/i.test(text) && !/^\d{4}-/.test(text.trim())) {
    const span = addDuration(0, text) // the length of the duration, checked
    return now - span
  }
  return parseTime(text, '--since')
}

/** Writes pages as they come, waiting for stdout to drain: memory holds one page. */
class Output {
  private count = 0
  constructor(private readonly mode: 'json' | 'ndjson' | 'human') {}

  private write(text: string): Promise<void> {
    return new Promise((resolve) => {
      if (process.stdout.write(text)) resolve()
      else process.stdout.once('drain', () => resolve())
    })
  }

  async page(events: EventView[]): Promise<void> {
    if (events.length === 0) return
    if (this.mode === 'ndjson') await this.write(events.map((e) => `${JSON.stringify(e)}\n`).join(''))
    else if (this.mode === 'json') {
      // Byte for byte what JSON.stringify({ events }, null, 2) prints, one event at a time.
      const items = events.map((e) => `    ${JSON.stringify(e, null, 2).replaceAll('\n', '\n    ')}`)
      await this.write(`${this.count === 0 ? '{\n  "events": [\n' : ',\n'}${items.join(',\n')}`)
    } else await this.write(`${renderEventRows(events, { header: this.count === 0 })}\n`)
    this.count += events.length
  }

  async end(): Promise<void> {
    if (this.mode === 'json') await this.write(this.count === 0 ? '{\n  "events": []\n}\n' : '\n  ]\n}\n')
    else if (this.mode === 'human' && this.count === 0) await this.write('No events.\n')
  }
}
