// `usage report --rejections` (issue 17): the orgs and products with the most
// rejected reports in a range, from the hourly rollups (each org's own
// reports), with what bound them at the time (from usage_rejection_bindings,
// written only for rejected reports: the pool, or the ancestor whose limit
// bound, with counts) and what binds each one now, so support can say why and
// what to raise.
import { iso, isoMinute } from '../clock.js'
import type { Ctx } from '../context.js'
import { invalid } from '../errors.js'
import { type OrgBindingView, usageByOrg } from './org-report.js'

export type RejectionView = {
  orgId: string
  path: string
  product: string
  rejected: number
  capacityExceeded: number
  limitExceeded: number
  other: number
  /** What binds the org's next increase now (not necessarily at each rejection). */
  bindingNow: OrgBindingView | null
  /**
   * What bound its CAPACITY_EXCEEDED and LIMIT_EXCEEDED rejections in the range,
   * at the time of each, most rejections first. Rejections metered before these
   * were recorded count in the totals only.
   */
  boundBy: BoundByView[]
}

export type BoundByView = ({ kind: 'pool'; poolId: string } | { kind: 'limit'; orgId: string; orgPath: string }) & { rejected: number }

/** `toIncluded`: the range runs through `to` (the default, now: reports at now count), else up to it. */
export type RejectionsView = { from: string; to: string; toIncluded: boolean; rejections: RejectionView[] }

type Row = { org_id: string; product: string; rc: number; rl: number; ro: number }
type BindingRow = { org_id: string; product: string; binding_kind: 'pool' | 'limit'; binding_id: string; rejected: number }

/** `to` left out: through now, reports at now included; `from` left out: 30 days before the end. */
export async function rejectionsReport(ctx: Ctx, input: { from?: number; to?: number; limit?: number }): Promise<RejectionsView> {
  const from = input.from ?? (input.to ?? ctx.now) - 30 * 86_400_000
  if (input.to !== undefined && !(from < input.to)) throw invalid('--from must be before --to', { from: iso(from), to: iso(input.to) })
  if (input.to === undefined && from > ctx.now)
    throw invalid(`--from must be before now (the workspace's time, ${isoMinute(ctx.now)})`, { from: iso(from), now: iso(ctx.now) })
  // Reports at now have at = now: the default end is just after it (after `clock advance --by 1d` now sits on an hour edge).
  const to = input.to ?? ctx.now + 1
  const HOUR = 3_600_000
  const first = Math.floor(from / HOUR) * HOUR
  const ws = ctx.workspace.id
  // Finished hours from the rollup table, the current hour from the counter rows.
  const rows = await ctx.db.all<Row>(
    `SELECT org_id, product, sum(rc) AS rc, sum(rl) AS rl, sum(ro) AS ro FROM (
       SELECT org_id, product, rejected_capacity AS rc, rejected_limit AS rl, rejected_other AS ro FROM org_usage_rollups
         WHERE workspace_id = ? AND hour >= ? AND hour < ? AND rejected_capacity + rejected_limit + rejected_other > 0
       UNION ALL
       SELECT org_id, product, rejected_capacity, rejected_limit, rejected_other FROM usage_levels
         WHERE workspace_id = ? AND roll_hour >= ? AND roll_hour < ? AND rejected_capacity + rejected_limit + rejected_other > 0
     ) r GROUP BY org_id, product`,
    ws, first, to, ws, first, to,
  )
  const ranked = rows
    .map((r) => ({ ...r, rc: Number(r.rc), rl: Number(r.rl), ro: Number(r.ro), total: Number(r.rc) + Number(r.rl) + Number(r.ro) }))
    .sort((a, b) => b.total - a.total || a.org_id.localeCompare(b.org_id) || a.product.localeCompare(b.product))
    .slice(0, input.limit ?? 20)
  const orgs = ranked.length === 0 ? [] : (await usageByOrg(ctx)).orgs
  const byId = new Map(orgs.map((o) => [o.id, o]))
  // Rejected reports only: cost ∝ org-hours with rejections in the range.
  const bindingRows =
    ranked.length === 0
      ? []
      : await ctx.db.all<BindingRow>(
          `SELECT org_id, product, binding_kind, binding_id, sum(rejected) AS rejected FROM usage_rejection_bindings
           WHERE workspace_id = ? AND hour >= ? AND hour < ? GROUP BY org_id, product, binding_kind, binding_id`,
          ws, first, to,
        )
  const boundBy = new Map<string, BoundByView[]>()
  for (const row of bindingRows) {
    const k = `${row.org_id}\u0000${row.product}`
    const list = boundBy.get(k) ?? []
    const rejected = Number(row.rejected)
    list.push(
      row.binding_kind === 'pool'
        ? { kind: 'pool', poolId: row.binding_id, rejected }
        : { kind: 'limit', orgId: row.binding_id, orgPath: byId.get(row.binding_id)?.path ?? row.binding_id, rejected },
    )
    boundBy.set(k, list)
  }
  const idOf = (b: BoundByView) => (b.kind === 'pool' ? b.poolId : b.orgId)
  return {
    from: iso(first),
    to: iso(input.to ?? ctx.now),
    toIncluded: input.to === undefined,
    rejections: ranked.map((r) => {
      const org = byId.get(r.org_id)
      return {
        orgId: r.org_id,
        path: org?.path ?? r.org_id,
        product: r.product,
        rejected: r.total,
        capacityExceeded: r.rc,
        limitExceeded: r.rl,
        other: r.ro,
        bindingNow: org?.products.find((p) => p.product === r.product)?.binding ?? null,
        boundBy: (boundBy.get(`${r.org_id}\u0000${r.product}`) ?? []).sort((a, b) => b.rejected - a.rejected || a.kind.localeCompare(b.kind) || idOf(a).localeCompare(idOf(b))),
      }
    }),
  }
}
