// Pools (R-POOL-1..3): which subscriptions feed which pool, and what each pool
// holds. A pool is the workspace (single, pooled modes) or one billing account
// (assigned mode). Capacity is summed from contributing subscriptions when
// asked; usage is the maintained pool_usage counter.
import { and, eq, inArray, sql } from 'drizzle-orm'
import type { Ctx } from '../context.js'
import { refused } from '../errors.js'
import { type OrgTree, pathOf, topLevelOf } from '../orgs/tree.js'
import type { Db } from '../store/open.js'
import {
  billingAccounts,
  contributingStatuses,
  poolUsage,
  scheduledChanges,
  subscriptionItems,
  subscriptions,
  type WorkspaceRow,
} from '../store/schema/index.js'

export type Pool = { id: string; kind: 'workspace' | 'account'; accountIds: string[]; organizationId: string | null; name: string }

export function poolsOf(ctx: Ctx): Pool[] {
  const accounts = ctx.db.orm
    .select({ id: billingAccounts.id, name: billingAccounts.name, organizationId: billingAccounts.organizationId })
    .from(billingAccounts)
    .where(eq(billingAccounts.workspaceId, ctx.workspace.id))
    .orderBy(sql`rowid`)
    .all()
  if (ctx.workspace.mode !== 'assigned')
    return [{ id: ctx.workspace.id, kind: 'workspace', name: ctx.workspace.name, accountIds: accounts.map((a) => a.id), organizationId: null }]
  return accounts.map((a) => ({ id: a.id, kind: 'account', name: a.name, accountIds: [a.id], organizationId: a.organizationId }))
}

/** The pool an account's subscriptions feed (R-POOL-2). */
export const poolIdOfAccount = (workspace: Pick<WorkspaceRow, 'id' | 'mode'>, accountId: string): string =>
  workspace.mode === 'assigned' ? accountId : workspace.id

/** The pool an organization draws from, or NO_BILLING_ACCOUNT in assigned mode (R-BA-3). */
export function poolIdOfOrg(db: Db, workspace: Pick<WorkspaceRow, 'id' | 'mode'>, tree: OrgTree, orgId: string): string {
  if (workspace.mode !== 'assigned') return workspace.id
  const top = topLevelOf(tree, orgId)
  const account = db.orm
    .select({ id: billingAccounts.id })
    .from(billingAccounts)
    .where(eq(billingAccounts.organizationId, top.id))
    .get()
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
export function capacityOf(db: Db, workspace: Pick<WorkspaceRow, 'id' | 'mode'>, poolId: string): Capacity {
  const rows = db.orm
    .select({ accountId: subscriptions.accountId, product: subscriptionItems.product, quantity: sql<number>`sum(${subscriptionItems.quantity})` })
    .from(subscriptionItems)
    .innerJoin(subscriptions, eq(subscriptions.id, subscriptionItems.subscriptionId))
    .where(
      and(
        eq(subscriptions.workspaceId, workspace.id),
        inArray(subscriptions.status, [...contributingStatuses]),
        workspace.mode === 'assigned' ? eq(subscriptions.accountId, poolId) : undefined,
      ),
    )
    .groupBy(subscriptions.accountId, subscriptionItems.product)
    .all()
  const capacity: Capacity = new Map()
  for (const row of rows) {
    const entry = capacity.get(row.product) ?? { capacity: 0, contributions: new Map() }
    entry.capacity += row.quantity
    entry.contributions.set(row.accountId, row.quantity)
    capacity.set(row.product, entry)
  }
  return capacity
}

export function usageOf(db: Db, poolId: string): Map<string, number> {
  const rows = db.orm.select().from(poolUsage).where(eq(poolUsage.poolId, poolId)).all()
  return new Map(rows.map((row) => [row.product, row.used]))
}

/**
 * The change that already-scheduled decreases will make to a pool's capacity of
 * one product (R-SUB-5), leaving out one subscription whose change is being replaced.
 */
export function scheduledDelta(db: Db, workspace: Pick<WorkspaceRow, 'id' | 'mode'>, poolId: string, product: string, exceptSubscriptionId: string): number {
  const row = db.orm
    .select({ delta: sql<number>`coalesce(sum(${scheduledChanges.quantity} - coalesce(${subscriptionItems.quantity}, 0)), 0)` })
    .from(scheduledChanges)
    .innerJoin(subscriptions, eq(subscriptions.id, scheduledChanges.subscriptionId))
    .leftJoin(
      subscriptionItems,
      and(eq(subscriptionItems.subscriptionId, scheduledChanges.subscriptionId), eq(subscriptionItems.product, scheduledChanges.product)),
    )
    .where(
      and(
        eq(subscriptions.workspaceId, workspace.id),
        inArray(subscriptions.status, [...contributingStatuses]),
        workspace.mode === 'assigned' ? eq(subscriptions.accountId, poolId) : undefined,
        eq(scheduledChanges.kind, 'quantity'),
        eq(scheduledChanges.product, product),
        sql`${scheduledChanges.subscriptionId} <> ${exceptSubscriptionId}`,
      ),
    )
    .get()
  return row?.delta ?? 0
}

/** Refuses a capacity that would fall below the pool's current usage (R-SUB-5, R-SUB-6). */
export function requireCapacityCovers(db: Db, poolId: string, product: string, capacity: number, action: string): void {
  const used = usageOf(db, poolId).get(product) ?? 0
  if (capacity < used)
    throw refused(
      'BELOW_USAGE',
      `${action} would leave ${product} capacity at ${capacity}, below the ${used} in use; release usage first`,
      { product, usage: used, capacity, poolId },
    )
}
