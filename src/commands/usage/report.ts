import { Flags } from '@oclif/core'
import { WorkspaceCommand } from '../../cli/base-command.js'
import { invalid } from '../../core/errors.js'
import { type PoolView, poolReport } from '../../core/pools/report.js'
import { type OrgUsageView, type ProductTotalView, SUMMARY_ABOVE, usageByOrg, usageByProduct } from '../../core/usage/org-report.js'
import { renderPools } from '../../render/pools.js'
import { renderOrgUsage, renderProductTotals } from '../../render/usage.js'
import { timeOrAgo } from '../../core/time-input.js'
import { type RejectionsView, rejectionsReport } from '../../core/usage/rejections.js'
import { renderRejections } from '../../render/history.js'

type Result = { pools: PoolView[] } | { orgs: OrgUsageView[] } | { products: ProductTotalView[] } | RejectionsView

export default class UsageReport extends WorkspaceCommand<Result> {
  static override fitsTerminal = true
  static override readOnly = true
  static override lean = true
  static override summary = 'Capacity, usage, limits and headroom: by pool, by organization or by product.'
  static override description = `--by pool (default): every pool's capacity, used and available per product, with each account's share.
--by org: the organization tree; for each org and product its own and subtree usage, its limit,
its effective headroom and what binds it (the pool, or the ancestor whose limit is tightest).
--org ORG narrows the org view to one subtree: "why can't this org add a user?"
A human org view of more than ${SUMMARY_ABOVE} orgs shows the top-level orgs (the pool) and the orgs at or
near their own limits, and says how many rows it left out; --all prints every row, --json has them all.
--by product: totals over every pool.
--rejections: the orgs and products with the most rejected reports in --from..--to (default the last
30 days), by reason, with what binds each one now (the pool, or the org whose limit is tightest).`
  static override examples = [
    '<%= config.bin %> usage report',
    '<%= config.bin %> usage report --by org --org "USA Operations/Sales Team"',
    '<%= config.bin %> usage report --by product --json',
  ]
  static override flags = {
    by: Flags.string({ summary: 'View. Default: pool (org when --org is given).', options: ['pool', 'org', 'product'] }),
    org: Flags.string({ summary: 'Organization id, name or path: show its subtree (org view).' }),
    rejections: Flags.boolean({ summary: 'Who hits the wall: the most rejected orgs and products in a range.', exclusive: ['by', 'org', 'all'] }),
    from: Flags.string({ summary: 'With --rejections: start (ISO 8601, UTC, or a span back from now: 7d, 12h, 2w). Default: 30 days before --to.' }),
    to: Flags.string({ summary: 'With --rejections: end, exclusive (ISO 8601 or a span back from now). Default: through now, reports at now included.' }),
    all: Flags.boolean({ summary: `Org view: every row. Without it, a view of more than ${SUMMARY_ABOVE} orgs shows the top ones and those near their limits (--json always has every row).` }),
  }

  private all = false

  async run(): Promise<Result> {
    const { flags } = await this.parse(UsageReport)
    if (flags.rejections) {
      const ctx = await this.context(flags)
      const to = flags.to === undefined ? undefined : timeOrAgo(flags.to, ctx.now, '--to')
      const from = flags.from === undefined ? undefined : timeOrAgo(flags.from, ctx.now, '--from')
      return await rejectionsReport(ctx, { from, to })
    }
    if (flags.from !== undefined || flags.to !== undefined) throw invalid('--from and --to go with --rejections')
    const by = flags.by ?? (flags.org !== undefined ? 'org' : 'pool')
    if (flags.org !== undefined && by !== 'org') throw invalid('--org goes with --by org')
    if (flags.all && by !== 'org') throw invalid('--all goes with --by org')
    this.all = flags.all
    const ctx = await this.context(flags)
    if (by === 'org') return await usageByOrg(ctx, { org: flags.org })
    if (by === 'product') return await usageByProduct(ctx)
    return await poolReport(ctx)
  }

  protected render(result: Result): string {
    if ('rejections' in result) return renderRejections(result)
    if ('orgs' in result) return renderOrgUsage(result, { all: this.all })
    if ('products' in result) return renderProductTotals(result)
    return renderPools(result)
  }
}
