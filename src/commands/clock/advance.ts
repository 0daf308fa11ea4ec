import { Flags } from '@oclif/core'
import { WorkspaceCommand } from '../../cli/base-command.js'
import { timeFlag } from '../../cli/flags.js'
import { type AdvanceResult, advanceClock } from '../../core/lifecycle/clock.js'
import { addDuration, parseTime } from '../../core/time-input.js'
import { details } from '../../render/table.js'
import { when } from '../../render/time.js'

export default class ClockAdvance extends WorkspaceCommand<AdvanceResult> {
  static override summary = "Move a test clock forward, running every step that falls due on the way, in time order."
  static override description = `Renewals and their invoices, trial ends, scheduled changes, cancellations, payment retries and
notifications all happen at their own workspace time. The clock never moves backwards
(CLOCK_BACKWARDS); real-clock workspaces cannot be advanced (NOT_A_TEST_CLOCK).`
  static override examples = [
    '<%= config.bin %> clock advance --by 15d',
    '<%= config.bin %> clock advance --by 3mo --json',
    '<%= config.bin %> clock advance --to 2026-06-01T00:00:00Z',
  ]
  static override flags = {
    to: timeFlag('Move to this time.'),
    by: Flags.string({ summary: 'Move by a duration: 15d, 1mo, 2w, 36h, 1y, 1mo15d …', helpValue: 'DURATION', exactlyOne: ['to', 'by'] }),
  }

  async run(): Promise<AdvanceResult> {
    const { flags } = await this.parse(ClockAdvance)
    const ctx = await this.context(flags)
    const to = flags.to !== undefined ? parseTime(flags.to, '--to') : addDuration(ctx.now, flags.by ?? '')
    return await advanceClock(ctx.db, ctx.workspace.id, to)
  }

  protected render(result: AdvanceResult): string {
    return details([
      ['clock', `${when(result.from)} → ${when(result.now)}`],
      ['steps run', result.steps],
      ['invoices issued', result.invoicesIssued],
      ['next step due', when(result.nextDueAt)],
    ])
  }
}
