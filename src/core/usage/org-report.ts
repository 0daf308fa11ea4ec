// `usage report --by org` (R-ORG-3): for every org and product its own usage,
// its subtree's, its limit and its effective headroom, with the constraint that
// binds (the pool, or the org whose limit is tightest) — the answer to "why
// can't this org add a user?". Reads maintained counters only, never the ledger.
import type { Ctx } from '../context.js'
import { resolveOrg } from '../orgs/resolve.js'
import { ancestry, pathOf, walk } from '../orgs/tree.js'
import { readPlacedTree, readTree } from '../orgs/tree-cache.js'
import { loadLimits } from '../orgs/view.js'
import { capacityOf, poolsOf, usageOf } from '../pools/pools.js'

export type OrgBindingView =
  | { kind: 'pool'; poolId: string; capacity: number; used: number }
  | { kind: 'limit'; orgId: string; orgPath: string; limit: number; subtreeUsed: number }
  | { kind: 'no_pool'; topLevelOrgId: string }

export type OrgProductView = {
  product: string
  used: number
  subtreeUsed: number
  limit: number | null
  headroom: number | null
  binding: OrgBindingView
}

export type OrgUsageView = {
  id: string
  name: string
  parentId: string | null
  path: string
  depth: number
  poolId: string | null
  products: OrgProductView[]
}

export async function usageByOrg(ctx: Ctx, options: { org?: string } = {}): Promise<{ orgs: OrgUsageView[]} > {
  const { db, workspace } = ctx
  const whole = options.org === undefined ? await readPlacedTree(db, workspace.id) : undefined
  const tree = whole?.tree ?? (await readTree(db, workspace.id))
  const limits = await loadLimits(db, workspace.id)
  // Counters by org, then product: no key strings built per lookup (10,000 orgs × products).
  const counters = new Map<string, Map<string, { level: number; subtree: number }>>()
  await db.each<{ org_id: string; product: string; level: number; subtree: number }>(
    'SELECT org_id, product, level, subtree FROM usage_levels WHERE workspace_id = ?',
    [workspace.id],
    (row) => {
      const own = counters.get(row.org_id)
      const counted = { level: row.level, subtree: row.subtree }
      if (own) own.set(row.product, counted)
      else counters.set(row.org_id, new Map([[row.product, counted]]))
    },
  )
  const counterOf = (orgId: string, product: string) => counters.get(orgId)?.get(product)

  const poolOfTop = new Map<string, string>()
  // Per pool, its products in order with the binding they give when no limit is tighter:
  // one object per pool and product, shared by every org of the pool.
  const poolProducts = new Map<string, { products: string[]; bindings: Map<string, Extract<OrgBindingView, { kind: 'pool' }>> }>()
  for (const pool of await poolsOf(ctx)) {
    if (pool.organizationId) poolOfTop.set(pool.organizationId, pool.id)
    const capacity = await capacityOf(db, workspace, pool.id)
    const used = await usageOf(db, pool.id)
    const bindings = new Map([...capacity].map(([product, c]) => [product, { kind: 'pool' as const, poolId: pool.id, capacity: c.capacity, used: used.get(product) ?? 0 }]))
    poolProducts.set(pool.id, { products: [...bindings.keys()].sort(), bindings })
  }

  // One walk down the tree carrying what each org inherits (its top-level org,
  // the tightest limit per product along its chain), so each org costs its own
  // products, not its depth: a chain 10,000 deep stays linear (R-ORG-3).
  const inherited = new Map<string, { top: string; tight: Tight }>()
  const extend = (tight: Tight, orgId: string): Tight => {
    const own = limits.get(orgId)
    if (!own || Object.keys(own).length === 0) return tight
    const next = new Map(tight)
    for (const [product, limit] of Object.entries(own)) {
      const left = limit - (counterOf(orgId, product)?.subtree ?? 0)
      const above = next.get(product)
      // Ties go to the nearer org, as in effectiveHeadroom.
      if (!above || left <= above.left) next.set(product, { orgId, limit, left })
    }
    return next
  }
  const placed = whole?.placed ?? walk(tree, [resolveOrg(tree, options.org ?? '').id])
  const pathById = new Map(placed.map((p) => [p.row.id, p.path]))
  const orgs = placed.map(({ row, path, depth }): OrgUsageView => {
    let from = row.parentId === null ? undefined : inherited.get(row.parentId)
    if (!from) {
      // The top of the walk: what it inherits from ancestors outside the subtree shown.
      const chain = ancestry(tree, row.id).reverse()
      from = { top: (chain[0] ?? row).id, tight: chain.slice(0, -1).reduce<Tight>((tight, org) => extend(tight, org.id), new Map()) }
    }
    const own = { top: from.top, tight: extend(from.tight, row.id) }
    if (tree.children.get(row.id)?.length) inherited.set(row.id, own)
    const top = own.top
    const poolId = workspace.mode === 'assigned' ? (poolOfTop.get(top) ?? null) : workspace.id
    const pool = poolId === null ? undefined : poolProducts.get(poolId)
    const counted = counters.get(row.id)
    return {
      id: row.id,
      name: row.name,
      parentId: row.parentId,
      path,
      depth,
      poolId,
      products: productsOf(pool?.products ?? [], own.tight, counted).map((product): OrgProductView => {
        const count = counted?.get(product)
        const limit = limits.get(row.id)?.[product] ?? null
        const usedHere = count?.level ?? 0
        const subtreeUsed = count?.subtree ?? 0
        if (poolId === null || pool === undefined) return { product, used: usedHere, subtreeUsed, limit, headroom: null, binding: { kind: 'no_pool', topLevelOrgId: top } }
        const byPool = pool.bindings.get(product) ?? { kind: 'pool' as const, poolId, capacity: 0, used: 0 }
        const poolLeft = byPool.capacity - byPool.used
        const tightest = own.tight.get(product)
        if (tightest === undefined || tightest.left >= poolLeft) return { product, used: usedHere, subtreeUsed, limit, headroom: Math.max(0, poolLeft), binding: byPool }
        return {
          product,
          used: usedHere,
          subtreeUsed,
          limit,
          headroom: Math.max(0, tightest.left),
          binding: {
            kind: 'limit',
            orgId: tightest.orgId,
            orgPath: pathById.get(tightest.orgId) ?? pathOf(tree, tightest.orgId),
            limit: tightest.limit,
            subtreeUsed: counterOf(tightest.orgId, product)?.subtree ?? 0,
          },
        }
      }),
    }
  })
  return { orgs }
}

/**
 * An org's products in order: its pool's, any its limits or its ancestors' name, and any it has
 * counted. Most orgs have none beyond the pool's, and share its sorted list.
 */
function productsOf(poolProducts: string[], tight: Tight, counted: Map<string, unknown> | undefined): string[] {
  let extra: Set<string> | undefined
  const add = (product: string) => {
    if (poolProducts.includes(product)) return
    extra ??= new Set()
    extra.add(product)
  }
  for (const product of tight.keys()) add(product)
  if (counted) for (const product of counted.keys()) add(product)
  return extra === undefined ? poolProducts : [...poolProducts, ...extra].sort()
}

/** Per product, the limit on an org or its ancestors that leaves the least (the nearest on ties). */
type Tight = Map<string, { orgId: string; limit: number; left: number }>

/** Orgs above which the human `--by org` view summarises unless asked for every row. */
export const SUMMARY_ABOVE = 200
/** An own limit counts as near once its subtree uses this share of it. */
export const NEAR_LIMIT = 0.9
/** The summary lists at most this many orgs. */
export const SUMMARY_ROWS = 100

export type OrgUsageSummary = { shown: OrgUsageView[]; omitted: number; total: number }

/**
 * What a support person looks at first in a large tree: the orgs at the top of
 * the view (top-level orgs, or the --org subtree's root), which show the pool,
 * and every org whose own limit is used to 90% or more, where headroom runs
 * out. At most SUMMARY_ROWS, in tree order; the rest are counted.
 */
export function summariseOrgUsage(orgs: OrgUsageView[]): OrgUsageSummary {
  const topDepth = orgs.reduce((least, org) => Math.min(least, org.depth), Number.POSITIVE_INFINITY)
  const pressed = (org: OrgUsageView) => org.products.some((p) => p.limit !== null && p.subtreeUsed >= p.limit * NEAR_LIMIT)
  const wanted = orgs.filter((org) => org.depth === topDepth || pressed(org))
  const shown = wanted.slice(0, SUMMARY_ROWS)
  return { shown, omitted: orgs.length - shown.length, total: orgs.length }
}

export type ProductTotalView = { product: string; capacity: number; used: number; available: number; pools: number }

/** `usage report --by product`: totals per product over every pool of the workspace. */
export async function usageByProduct(ctx: Ctx): Promise<{ products: ProductTotalView[]} > {
  const totals = new Map<string, ProductTotalView>()
  for (const pool of await poolsOf(ctx)) {
    const capacity = await capacityOf(ctx.db, ctx.workspace, pool.id)
    const usage = await usageOf(ctx.db, pool.id)
    for (const product of new Set([...capacity.keys(), ...usage.keys()])) {
      const total = totals.get(product) ?? { product, capacity: 0, used: 0, available: 0, pools: 0 }
      const cap = capacity.get(product)?.capacity ?? 0
      const use = usage.get(product) ?? 0
      total.capacity += cap
      total.used += use
      total.available += Math.max(0, cap - use)
      total.pools++
      totals.set(product, total)
    }
  }
  return { products: [...totals.values()].sort((a, b) => a.product.localeCompare(b.product)) }
}
