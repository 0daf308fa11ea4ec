import { WsbCommand } from '../../cli/base-command.js'
import { runBilling } from '../../core/lifecycle/clock.js'
import { table } from '../../render/table.js'

type Result = { workspaces: { id: string; name: string; steps: number }[] }

export default class BillingRun extends WsbCommand<Result> {
  static override summary = 'Run every lifecycle step that has fallen due, for all real-clock workspaces (for cron).'
  static override description = 'Every workspace command already catches up its own workspace first; this is for workspaces nobody touches.'
  static override examples = ['<%= config.bin %> billing run', '*/10 * * * * <%= config.bin %> billing run --json >> /var/log/wsb-billing.ndjson']

  async run(): Promise<Result> {
    const { flags } = await this.parse(BillingRun)
    return await runBilling(await this.openDatabase(flags.db))
  }

  protected render(result: Result): string {
    if (result.workspaces.length === 0) return 'Nothing was due.'
    return table(['workspace', 'name', 'steps run'], result.workspaces.map((w) => [w.id, w.name, w.steps]))
  }
}
