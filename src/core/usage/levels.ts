// Reading and adjusting the maintained usage counters (R-USE-1, R-ORG-3).
// adjustLevel is the one writer: it moves an org's own level and the subtree
// counters of the org and every ancestor, inside the caller's transaction.
import { and, eq, gt } from 'drizzle-orm'
import type { Db } from '../store/open.js'
import { usageLevels } from '../store/schema/index.js'

/** Usage per product of the subtree rooted at `orgId` (only products in use). */
export async function subtreeUsage(db: Db, orgId: string): Promise<Record<string, number>> {
  const rows = (await db.orm
    .select({ product: usageLevels.product, subtree: usageLevels.subtree })
    .from(usageLevels)
    .where(and(eq(usageLevels.orgId, orgId), gt(usageLevels.subtree, 0))))
  return Object.fromEntries(rows.map((row) => [row.product, row.subtree]))
}

/**
 * Adds `delta` to the level of `chain[0]`, to the subtree counter of every org
 * in `chain` (the org and its ancestors) and to the pool's usage. Callers check
 * bounds first.
 */
export async function adjustLevel(
  db: Db,
  workspaceId: string,
  chain: readonly string[],
  product: string,
  delta: number,
  poolId: string,
): Promise<void> {
  const [orgId] = chain
  if (orgId === undefined || delta === 0) return
  for (const [index, id] of chain.entries())
    await db.run(
      `INSERT INTO usage_levels (org_id, workspace_id, product, level, subtree) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (org_id, product) DO UPDATE SET level = usage_levels.level + excluded.level, subtree = usage_levels.subtree + excluded.subtree`,
      id,
      workspaceId,
      product,
      index === 0 ? delta : 0,
      delta,
    )
  await db.run(`INSERT INTO pool_usage (pool_id, workspace_id, product, used) VALUES (?, ?, ?, ?)
       ON CONFLICT (pool_id, product) DO UPDATE SET used = pool_usage.used + excluded.used`, poolId, workspaceId, product, delta)
}
