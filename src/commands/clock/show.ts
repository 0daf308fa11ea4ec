import { WorkspaceCommand } from '../../cli/base-command.js'
import { type ClockView, showClock } from '../../core/lifecycle/clock.js'
import { details } from '../../render/table.js'
import { when } from '../../render/time.js'

export default class ClockShow extends WorkspaceCommand<ClockView> {
  static override fitsTerminal = true
  static override summary = "Show the workspace's clock and when the next lifecycle step is due."
  static override examples = ['<%= config.bin %> clock show --json']

  async run(): Promise<ClockView> {
    const { flags } = await this.parse(ClockShow)
    return await showClock(await this.context(flags))
  }

  protected render(clock: ClockView): string {
    return details([
      ['clock', clock.mode === 'test' ? 'test (frozen until advanced)' : 'real'],
      ['now', when(clock.now)],
      ['next step due', when(clock.nextDueAt)],
    ])
  }
}
