// Maintained usage counters (R-USE-1, R-ORG-3): an org's own level per product
// and its subtree's (own + descendants), updated along the ancestor path in the
// same transaction as the report, so no read ever scans the ledger.
import { sql } from 'drizzle-orm'
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
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
    // The current hour's rollup (schema/rollups.ts), kept in the counter's own
    // row so a report writes one row per counter; moved to org_usage_rollups
    // when a later hour's report arrives. Null hour: no report metered yet.
    rollHour: integer('roll_hour'),
    peak: integer('peak').notNull().default(0),
    accepted: integer('accepted').notNull().default(0),
    rejectedCapacity: integer('rejected_capacity').notNull().default(0),
    rejectedLimit: integer('rejected_limit').notNull().default(0),
    rejectedOther: integer('rejected_other').notNull().default(0),
    subPeak: integer('sub_peak').notNull().default(0),
    subAccepted: integer('sub_accepted').notNull().default(0),
    subRejectedCapacity: integer('sub_rejected_capacity').notNull().default(0),
    subRejectedLimit: integer('sub_rejected_limit').notNull().default(0),
    subRejectedOther: integer('sub_rejected_other').notNull().default(0),
    rollLimit: integer('roll_limit'),
    rollCapacity: integer('roll_capacity'),
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
    // The current hour's rollup, as in usage_levels; older hours in pool_usage_rollups.
    rollHour: integer('roll_hour'),
    peak: integer('peak').notNull().default(0),
    accepted: integer('accepted').notNull().default(0),
    rejectedCapacity: integer('rejected_capacity').notNull().default(0),
    rejectedLimit: integer('rejected_limit').notNull().default(0),
    rejectedOther: integer('rejected_other').notNull().default(0),
    rollCapacity: integer('roll_capacity'),
  },
  (t) => [primaryKey({ columns: [t.poolId, t.product] })],
)

import { usageOutcomes } from '../enums.js'

export { type UsageOutcome, usageOutcomes } from '../enums.js'

/**
 * Every usage report with its outcome (R-USE-5). Levels always equal the sum of
 * accepted deltas. An accepted report claims its idempotency key (R-USE-4):
 * the partial unique index makes a second claim impossible.
 */
export const usageLedger = sqliteTable(
  'usage_ledger',
  {
    /** The rowid: increasing, never reused (ledger rows are never deleted). */
    id: integer('id').primaryKey(),
    workspaceId: text('workspace_id').notNull(),
    /** The resolved org id, or the reference given when it named no org. */
    orgId: text('org_id').notNull(),
    product: text('product').notNull(),
    kind: text('kind', { enum: ['delta', 'set'] }).notNull(),
    /** The requested delta, or the requested level for kind set. */
    value: integer('value').notNull(),
    /** The change to the level: applied when accepted, requested otherwise. */
    delta: integer('delta').notNull(),
    outcome: text('outcome', { enum: usageOutcomes }).notNull(),
    reason: text('reason'),
    levelAfter: integer('level_after').notNull(),
    headroomAfter: integer('headroom_after'),
    /** What bound the decision: the pool id, or the org whose limit binds. */
    bindingKind: text('binding_kind', { enum: ['pool', 'limit'] }),
    bindingId: text('binding_id'),
    key: text('key'),
    at: integer('at').notNull(),
  },
  (t) => [
    uniqueIndex('usage_ledger_claimed_key')
      .on(t.workspaceId, t.key)
      .where(sql`${t.outcome} = 'accepted' AND ${t.key} IS NOT NULL`),
    index('usage_ledger_workspace_at').on(t.workspaceId, t.at),
  ],
)
