// Reading and adjusting the maintained usage counters (R-USE-1, R-ORG-3).
// adjustLevel is the one writer: it moves an org's own level and the subtree
// counters of the org and every ancestor, inside the caller's transaction.
import { and, eq, gt } from 'drizzle-orm'
import type { Db } from '../store/open.js'
import { usageLevels } from '../store/schema/index.js'

/** Usage per product of the subtree rooted at `orgId` (only products in use). */
export function subtreeUsage(db: Db, orgId: string): Record<string, number> {
  const rows = db.orm
    .select({ product: usageLevels.product, subtree: usageLevels.subtree })
    .from(usageLevels)
    .where(and(eq(usageLevels.orgId, orgId), gt(usageLevels.subtree, 0)))
    .all()
  return Object.fromEntries(rows.map((row) => [row.product, row.subtree]))
}

/**
 * Adds `delta` to the level of `chain[0]`, to the subtree counter of every org
 * in `chain` (the org and its ancestors) and to the pool's usage. Callers check
 * bounds first.
 */
export function adjustLevel(
  db: Db,
  workspaceId: string,
  chain: readonly string[],
  product: string,
  delta: number,
  poolId: string,
): void {
  const [orgId] = chain
  if (orgId === undefined || delta === 0) return
  const upsert = db.sqlite.prepare(
    `INSERT INTO usage_levels (org_id, workspace_id, product, level, subtree) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (org_id, product) DO UPDATE SET level = level + excluded.level, subtree = subtree + excluded.subtree`,
  )
  chain.forEach((id, index) => upsert.run(id, workspaceId, product, index === 0 ? delta : 0, delta))
  db.sqlite
    .prepare(
      `INSERT INTO pool_usage (pool_id, workspace_id, product, used) VALUES (?, ?, ?, ?)
       ON CONFLICT (pool_id, product) DO UPDATE SET used = used + excluded.used`,
    )
    .run(poolId, workspaceId, product, delta)
}
