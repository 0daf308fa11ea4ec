import { Flags } from '@oclif/core'
import { WorkspaceCommand } from '../../cli/base-command.js'
import { type PoolView, poolReport } from '../../core/pools/report.js'
import { renderPools } from '../../render/pools.js'

type Result = { pools: PoolView[] }

export default class UsageReport extends WorkspaceCommand<Result> {
  static override summary = 'Capacity, usage and availability of every pool.'
  static override description = `A pool is the workspace (single and pooled modes) or one billing account (assigned mode).
Capacity is the sum of the quantities of its trialing, active and past_due subscriptions;
pooled mode shows what each account contributes.`
  static override examples = ['<%= config.bin %> usage report', '<%= config.bin %> usage report --by pool --json']
  static override flags = {
    by: Flags.string({ summary: 'View. Default: pool.', options: ['pool'] }),
  }

  async run(): Promise<Result> {
    const { flags } = await this.parse(UsageReport)
    return poolReport(this.context(flags))
  }

  protected render(result: Result): string {
    return renderPools(result)
  }
}
