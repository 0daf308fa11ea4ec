// Pools (R-POOL-1..3): which subscriptions feed which pool, and what each pool
// holds. A pool is the workspace (single, pooled modes) or one billing account
// (assigned mode). Capacity is summed from contributing subscriptions when
// asked; usage is the maintained pool_usage counter. Plain SQL: metering and
// usage reports sit on these.
import type { Ctx } from '../context.js'
import { refused } from '../errors.js'
import { type OrgTree, pathOf, topLevelOf } from '../orgs/tree.js'
import type { Db } from '../store/connect.js'
import type { WorkspaceRow } from '../store/schema/index.js'

export type Pool = { id: string; kind: 'workspace' | 'account'; accountIds: string[]; organizationId: string | null; name: string }

type Sql = Db
type Ws = Pick<WorkspaceRow, 'id' | 'mode'>

/** The statuses that feed a pool (R-SUB-2), as SQL. */
const CONTRIBUTING = `('trialing', 'active', 'past_due')`

export async function poolsOf(ctx: { db: Sql; workspace: Pick<WorkspaceRow, 'id' | 'mode' | 'name'> }): Promise<Pool[]> {
  const accounts = (await ctx.db.all(`SELECT id, name, organization_id AS "organizationId" FROM billing_accounts WHERE workspace_id = ? ORDER BY ${ctx.db.creationOrder}`, ctx.workspace.id)) as { id: string; name: string; organizationId: string | null }[]
  if (ctx.workspace.mode !== 'assigned')
    return [{ id: ctx.workspace.id, kind: 'workspace', name: ctx.workspace.name, accountIds: accounts.map((a) => a.id), organizationId: null }]
  return accounts.map((a) => ({ id: a.id, kind: 'account', name: a.name, accountIds: [a.id], organizationId: a.organizationId }))
}

/** The pool an account's subscriptions feed (R-POOL-2). */
export const poolIdOfAccount = (workspace: Ws, accountId: string): string => (workspace.mode === 'assigned' ? accountId : workspace.id)

/** The pool an organization draws from, or NO_BILLING_ACCOUNT in assigned mode (R-BA-3). */
export async function poolIdOfOrg(db: Sql, workspace: Ws, tree: OrgTree, orgId: string): Promise<string> {
  if (workspace.mode !== 'assigned') return workspace.id
  const top = topLevelOf(tree, orgId)
  const account = (await db.get('SELECT id FROM billing_accounts WHERE organization_id = ?', top.id)) as { id: string } | undefined
  if (!account)
    throw refused(
      'NO_BILLING_ACCOUNT',
      `"${pathOf(tree, orgId)}" has no pool: its top-level organization "${top.name}" has no billing account assigned`,
      { orgId, topLevelOrgId: top.id },
    )
  return account.id
}

export type Capacity = Map<string, { capacity: number; contributions: Map<string, number> }>

/** Capacity per product of a pool: the quantities of every contributing subscription (R-POOL-1). */
export async function capacityOf(db: Sql, workspace: Ws, poolId: string): Promise<Capacity> {
  const assigned = workspace.mode === 'assigned'
  const rows = (await db.all(`SELECT s.account_id AS "accountId", i.product, CAST(sum(i.quantity) AS bigint) AS quantity
       FROM subscription_items i JOIN subscriptions s ON s.id = i.subscription_id
       WHERE s.workspace_id = ? AND s.status IN ${CONTRIBUTING}${assigned ? ' AND s.account_id = ?' : ''}
       GROUP BY s.account_id, i.product`, ...(assigned ? [workspace.id, poolId] : [workspace.id]))) as { accountId: string; product: string; quantity: number }[]
  return capacityFromRows(rows)
}

/** Capacity per product from contributing quantities per account (the metering store reads those itself). */
export function capacityFromRows(rows: readonly { accountId: string; product: string; quantity: number }[]): Capacity {
  const capacity: Capacity = new Map()
  for (const row of rows) {
    const entry = capacity.get(row.product) ?? { capacity: 0, contributions: new Map() }
    entry.capacity += row.quantity
    entry.contributions.set(row.accountId, row.quantity)
    capacity.set(row.product, entry)
  }
  return capacity
}

export async function usageOf(db: Sql, poolId: string): Promise<Map<string, number>> {
  const rows = (await db.all('SELECT product, used FROM pool_usage WHERE pool_id = ?', poolId)) as { product: string; used: number }[]
  return new Map(rows.map((row) => [row.product, row.used]))
}

/**
 * The change that already-scheduled decreases will make to a pool's capacity of
 * one product (R-SUB-5), leaving out one subscription whose change is being replaced.
 */
export async function scheduledDelta(db: Sql, workspace: Ws, poolId: string, product: string, exceptSubscriptionId: string): Promise<number> {
  const assigned = workspace.mode === 'assigned'
  const row = (await db.get(`SELECT coalesce(CAST(sum(c.quantity - coalesce(i.quantity, 0)) AS bigint), 0) AS delta
       FROM scheduled_changes c
       JOIN subscriptions s ON s.id = c.subscription_id
       LEFT JOIN subscription_items i ON i.subscription_id = c.subscription_id AND i.product = c.product
       WHERE s.workspace_id = ? AND s.status IN ${CONTRIBUTING}${assigned ? ' AND s.account_id = ?' : ''}
         AND c.kind = 'quantity' AND c.product = ? AND c.subscription_id <> ?`, ...(assigned ? [workspace.id, poolId] : [workspace.id]), product, exceptSubscriptionId)) as { delta: number }
  return row.delta
}

/** Refuses a capacity that would fall below the pool's current usage (R-SUB-5, R-SUB-6). */
export async function requireCapacityCovers(db: Sql, poolId: string, product: string, capacity: number, action: string): Promise<void> {
  const used = (await usageOf(db, poolId)).get(product) ?? 0
  if (capacity < used)
    throw refused('BELOW_USAGE', `${action} would leave ${product} capacity at ${capacity}, below the ${used} in use; release usage first`, {
      product,
      usage: used,
      capacity,
      poolId,
    })
}

