// `usage report --by org` (R-ORG-3): for every org and product its own usage,
// its subtree's, its limit and its effective headroom, with the constraint that
// binds (the pool, or the org whose limit is tightest) — the answer to "why
// can't this org add a user?". Reads maintained counters only, never the ledger.
import type { Ctx } from '../context.js'
import { resolveOrg } from '../orgs/resolve.js'
import { ancestry, depthFirst, loadTree, pathOf, subtree } from '../orgs/tree.js'
import { loadLimits } from '../orgs/view.js'
import { capacityOf, poolsOf, usageOf } from '../pools/pools.js'
import { effectiveHeadroom } from './headroom.js'

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

export function usageByOrg(ctx: Ctx, options: { org?: string } = {}): { orgs: OrgUsageView[] } {
  const { db, workspace } = ctx
  const tree = loadTree(db, workspace.id)
  const limits = loadLimits(db, workspace.id)
  const counters = new Map<string, { level: number; subtree: number }>()
  const countedProducts = new Map<string, string[]>()
  for (const row of db.sqlite
    .prepare<[string], { org_id: string; product: string; level: number; subtree: number }>('SELECT org_id, product, level, subtree FROM usage_levels WHERE workspace_id = ?')
    .iterate(workspace.id)) {
    counters.set(`${row.org_id}\u0000${row.product}`, { level: row.level, subtree: row.subtree })
    countedProducts.set(row.org_id, [...(countedProducts.get(row.org_id) ?? []), row.product])
  }

  const pools = poolsOf(ctx)
  const poolOfTop = new Map<string, string>()
  const capacity = new Map<string, Map<string, number>>()
  const used = new Map<string, Map<string, number>>()
  for (const pool of pools) {
    if (pool.organizationId) poolOfTop.set(pool.organizationId, pool.id)
    capacity.set(pool.id, new Map([...capacityOf(db, workspace, pool.id)].map(([product, c]) => [product, c.capacity])))
    used.set(pool.id, usageOf(db, pool.id))
  }

  const rows = options.org === undefined ? depthFirst(tree) : subtree(tree, resolveOrg(tree, options.org).id)
  const orgs = rows.map((row): OrgUsageView => {
    const chain = ancestry(tree, row.id)
    const top = chain[chain.length - 1] ?? row
    const poolId = workspace.mode === 'assigned' ? (poolOfTop.get(top.id) ?? null) : workspace.id
    const products = new Set<string>()
    for (const org of chain) for (const product of Object.keys(limits.get(org.id) ?? {})) products.add(product)
    if (poolId) for (const product of capacity.get(poolId)?.keys() ?? []) products.add(product)
    for (const product of countedProducts.get(row.id) ?? []) products.add(product)
    return {
      id: row.id,
      name: row.name,
      parentId: row.parentId,
      path: pathOf(tree, row.id),
      depth: chain.length - 1,
      poolId,
      products: [...products].sort().map((product) => {
        const own = counters.get(`${row.id}\u0000${product}`)
        const limit = limits.get(row.id)?.[product] ?? null
        if (poolId === null)
          return { product, used: own?.level ?? 0, subtreeUsed: own?.subtree ?? 0, limit, headroom: null, binding: { kind: 'no_pool', topLevelOrgId: top.id } }
        const cap = capacity.get(poolId)?.get(product) ?? 0
        const poolUsed = used.get(poolId)?.get(product) ?? 0
        const links = chain.map((org) => ({ orgId: org.id, limit: limits.get(org.id)?.[product], subtree: counters.get(`${org.id}\u0000${product}`)?.subtree ?? 0 }))
        const { headroom, binding } = effectiveHeadroom(poolId, cap - poolUsed, links)
        return {
          product,
          used: own?.level ?? 0,
          subtreeUsed: own?.subtree ?? 0,
          limit,
          headroom,
          binding:
            binding.kind === 'pool'
              ? { kind: 'pool', poolId, capacity: cap, used: poolUsed }
              : {
                  kind: 'limit',
                  orgId: binding.orgId,
                  orgPath: pathOf(tree, binding.orgId),
                  limit: binding.limit,
                  subtreeUsed: counters.get(`${binding.orgId}\u0000${product}`)?.subtree ?? 0,
                },
        }
      }),
    }
  })
  return { orgs }
}

export type ProductTotalView = { product: string; capacity: number; used: number; available: number; pools: number }

/** `usage report --by product`: totals per product over every pool of the workspace. */
export function usageByProduct(ctx: Ctx): { products: ProductTotalView[] } {
  const totals = new Map<string, ProductTotalView>()
  for (const pool of poolsOf(ctx)) {
    const capacity = capacityOf(ctx.db, ctx.workspace, pool.id)
    const usage = usageOf(ctx.db, pool.id)
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
