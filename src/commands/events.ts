import { Flags } from '@oclif/core'
import { WorkspaceCommand } from '../cli/base-command.js'
import { timeFlag } from '../cli/flags.js'
import { type EventView, listEvents } from '../core/events/list.js'
import { invalid } from '../core/errors.js'
import { wholeNumber } from '../core/schemas.js'
import { parseTime } from '../core/time-input.js'
import { renderEvents } from '../render/events.js'

type Result = { events: EventView[] }

export default class Events extends WorkspaceCommand<Result> {
  static override fitsTerminal = true
  static override readOnly = true
  static override summary = "List the workspace's event log, oldest first."
  static override description = 'Every change is recorded with workspace time, kind and the ids involved. --kind org matches org.created, org.deleted …'
  static override examples = [
    '<%= config.bin %> events',
    '<%= config.bin %> events --kind org --kind account.assigned',
    '<%= config.bin %> events --since 2026-01-01 --limit 50 --json',
  ]
  static override flags = {
    kind: Flags.string({ summary: 'Only events of this kind or kind prefix (repeatable).', multiple: true }),
    since: timeFlag('Only events at or after this workspace time.'),
    limit: Flags.string({ summary: 'Only the latest N events.', helpValue: 'N' }),
  }

  async run(): Promise<Result> {
    const { flags } = await this.parse(Events)
    if (flags.kind?.some((kind) => kind.trim() === '')) throw invalid('--kind: must not be empty (e.g. --kind org or --kind usage.rejected)')
    const ctx = await this.context(flags)
    return await listEvents(ctx.db, ctx.workspace.id, {
      kinds: flags.kind,
      since: flags.since === undefined ? undefined : parseTime(flags.since, '--since'),
      limit: flags.limit === undefined ? undefined : wholeNumber('--limit', flags.limit),
    })
  }

  protected render(result: Result): string {
    return renderEvents(result)
  }
}
