// Would an increase be accepted now, and what binds? (`GET /v1/check`, the
// workspace API's check without recording: R-ORG-3 and R-USE-2 over the
// maintained counters, read in one snapshot.) Writes nothing; a report sent
// right after may still be decided otherwise if others report in between.
import { unknownProduct } from '../catalog/unknown.js'
import type { Ctx } from '../context.js'
import { resolveOrg } from '../orgs/resolve.js'
import { ancestry, pathOf } from '../orgs/tree.js'
import { readTree } from '../orgs/tree-cache.js'
import { capacityOf, usageOf } from '../pools/pools.js'
import type { Binding } from './decision.js'
import { effectiveHeadroom } from './headroom.js'

export type UsageCheck = {
  accepted: boolean
  orgId: string
  product: string
  quantity: number
  /** The org's own level now. */
  level: number
  /** Effective headroom now; null when the org has no pool. */
  headroom: number | null
  reason: string | null
  message: string | null
  binding: Binding | null
}

/** Chains up to this deep read their own counters and limits by id. */
const CHAIN_BY_ID = 100

export async function checkUsage(ctx: Ctx, input: { org: string; product: string; quantity: number }): Promise<UsageCheck> {
  const { db, workspace } = ctx
  return await db.read(async () => {
    const tree = await readTree(db, workspace.id)
    const org = resolveOrg(tree, input.org)
    const { product, quantity } = input
    // An unknown product is said as usage record says it: with the products it may have meant.
    if (!(await db.get('SELECT key FROM products WHERE workspace_id = ? AND key = ?', workspace.id, product))) throw await unknownProduct(db, workspace.id, product)
    const chain = ancestry(tree, org.id)
    // Only the chain's rows count; a chain too long for one statement's parameters reads the product's all.
    const ids = chain.length <= CHAIN_BY_ID ? chain.map((row) => row.id) : []
    const ofChain = ids.length > 0 ? ` AND org_id IN (${ids.map(() => '?').join(', ')})` : ''
    const counters = new Map(
      (await db.all<{ orgId: string; level: number; subtree: number }>(`SELECT org_id AS "orgId", level, subtree FROM usage_levels WHERE workspace_id = ? AND product = ?${ofChain}`, workspace.id, product, ...ids)).map(
        (row) => [row.orgId, row],
      ),
    )
    const limits = new Map(
      (await db.all<{ orgId: string; limit: number }>(`SELECT org_id AS "orgId", "limit" FROM org_limits WHERE workspace_id = ? AND product = ?${ofChain}`, workspace.id, product, ...ids)).map((row) => [row.orgId, row.limit]),
    )
    const level = counters.get(org.id)?.level ?? 0
    const answer = { orgId: org.id, product, quantity, level }
    const top = chain.at(-1) ?? org
    const poolId =
      workspace.mode === 'assigned' ? ((await db.get<{ id: string }>('SELECT id FROM billing_accounts WHERE organization_id = ?', top.id))?.id ?? null) : workspace.id
    const path = pathOf(tree, org.id)
    if (poolId === null)
      return {
        ...answer,
        accepted: false,
        headroom: null,
        reason: 'NO_BILLING_ACCOUNT',
        message: `"${path}" has no pool: its top-level organization has no billing account assigned`,
        binding: null,
      }
    const capacity = (await capacityOf(db, workspace, poolId)).get(product)?.capacity ?? 0
    const used = (await usageOf(db, poolId)).get(product) ?? 0
    const links = chain.map((row) => ({ orgId: row.id, limit: limits.get(row.id), subtree: counters.get(row.id)?.subtree ?? 0 }))
    const { headroom, binding } = effectiveHeadroom(poolId, capacity - used, links)
    if (quantity <= headroom) return { ...answer, accepted: true, headroom, reason: null, message: null, binding }
    const message =
      binding.kind === 'pool'
        ? `the pool has ${headroom} ${product} available; "${path}" asks for ${quantity} more`
        : `the limit of ${binding.limit} ${product} on "${pathOf(tree, binding.orgId)}" leaves ${headroom} for "${path}", which asks for ${quantity} more`
    return { ...answer, accepted: false, headroom, reason: binding.kind === 'pool' ? 'CAPACITY_EXCEEDED' : 'LIMIT_EXCEEDED', message, binding }
  })
}
