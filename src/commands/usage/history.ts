import { Flags } from '@oclif/core'
import { WorkspaceCommand } from '../../cli/base-command.js'
import { timeOrAgo } from '../../core/time-input.js'
import { BUCKETS, type Bucket, type HistoryView, usageHistory } from '../../core/usage/history.js'
import { historyCsv, renderHistory } from '../../render/history.js'

export default class UsageHistory extends WorkspaceCommand<HistoryView> {
  static override readOnly = true
  static override lean = true
  static override summary = 'Usage over time of a pool or an org: level, peak, capacity and rejections per bucket.'
  static override description = `Buckets of workspace time (UTC; weeks start on Monday). Each bucket: the level at its end, the peak
level in it, the limit (org) and the pool's capacity at the time, the peak as a share of the limit (else
of the capacity), and the reports accepted and rejected by reason. Read from hourly rollups kept with
each report: the cost depends on the number of buckets, not on the size of the ledger.
--org ORG shows the org's own usage; add --subtree for the org and its descendants together.
Default range: the 30 days up to now, through the end of the bucket holding now (now's own reports
included); buckets after that one are never shown.`
  static override examples = [
    '<%= config.bin %> usage history --pool "Acme Software" --product users --bucket day',
    '<%= config.bin %> usage history --org "USA Operations" --subtree --product users --from 2026-01-01 --to 2027-01-01 --bucket month --csv',
  ]
  static override flags = {
    pool: Flags.string({ summary: 'Pool: the workspace, or an account (id or name).' }),
    org: Flags.string({ summary: 'Organization id, name or path.' }),
    subtree: Flags.boolean({ summary: 'With --org: the org and its descendants together.' }),
    product: Flags.string({ summary: 'Product key.', required: true }),
    from: Flags.string({ summary: 'Start (ISO 8601, UTC, or a span back from now: 7d, 12h, 2w); rounded down to its bucket. Default: 30 days before --to.' }),
    to: Flags.string({ summary: 'End, exclusive (ISO 8601, UTC, or a span back from now). Default: the end of the bucket holding now (workspace time).' }),
    bucket: Flags.string({ summary: 'Bucket size. Default: day.', options: [...BUCKETS] }),
    csv: Flags.boolean({ summary: 'Comma-separated values: a header row and one row per bucket.', exclusive: ['json'] }),
  }

  private csv = false

  async run(): Promise<HistoryView> {
    const { flags } = await this.parse(UsageHistory)
    this.csv = flags.csv
    const ctx = await this.context(flags)
    const to = flags.to === undefined ? undefined : timeOrAgo(flags.to, ctx.now, '--to')
    const from = flags.from === undefined ? undefined : timeOrAgo(flags.from, ctx.now, '--from')
    return await usageHistory(ctx, { pool: flags.pool, org: flags.org, subtree: flags.subtree, product: flags.product, from, to, bucket: (flags.bucket ?? 'day') as Bucket })
  }

  protected render(view: HistoryView): string {
    return this.csv ? historyCsv(view) : renderHistory(view)
  }
}
