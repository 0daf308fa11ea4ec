// Maintained usage counters (R-USE-1, R-ORG-3): an org's own level per product
// and its subtree's (own + descendants), updated along the ancestor path in the
// same transaction as the report, so no read ever scans the ledger.
import { integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { organizations } from './organizations.js'

export const usageLevels = sqliteTable(
  'usage_levels',
  {
    orgId: text('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    workspaceId: text('workspace_id').notNull(),
    product: text('product').notNull(),
    level: integer('level').notNull().default(0),
    subtree: integer('subtree').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.product] })],
)

/**
 * Usage per pool and product (R-POOL-3), kept with the org counters. A pool is
 * the workspace (single, pooled) or one billing account (assigned).
 */
export const poolUsage = sqliteTable(
  'pool_usage',
  {
    poolId: text('pool_id').notNull(),
    workspaceId: text('workspace_id').notNull(),
    product: text('product').notNull(),
    used: integer('used').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.poolId, t.product] })],
)
