// Usage over time (issue 17): hourly rollups kept by the Meter in the same
// transaction as each report, as the counters are, so `usage history` reads
// one row per active hour and never scans the ledger. Hours are UTC epoch-hour
// starts (workspace time is UTC); days, weeks and months are sums of hours.
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

/**
 * Per org, product and hour: the org's own level and its subtree's at the end
 * of the hour and at their peak, and the reports made by the org itself (own)
 * and by anyone in its subtree (sub), accepted and rejected by reason. Written
 * for the reporting org and each ancestor (ancestors change sub_* only).
 */
export const orgRollups = sqliteTable(
  'org_usage_rollups',
  {
    orgId: text('org_id').notNull(),
    product: text('product').notNull(),
    hour: integer('hour').notNull(),
    workspaceId: text('workspace_id').notNull(),
    level: integer('level').notNull().default(0),
    peak: integer('peak').notNull().default(0),
    accepted: integer('accepted').notNull().default(0),
    rejectedCapacity: integer('rejected_capacity').notNull().default(0),
    rejectedLimit: integer('rejected_limit').notNull().default(0),
    rejectedOther: integer('rejected_other').notNull().default(0),
    subLevel: integer('sub_level').notNull().default(0),
    subPeak: integer('sub_peak').notNull().default(0),
    subAccepted: integer('sub_accepted').notNull().default(0),
    subRejectedCapacity: integer('sub_rejected_capacity').notNull().default(0),
    subRejectedLimit: integer('sub_rejected_limit').notNull().default(0),
    subRejectedOther: integer('sub_rejected_other').notNull().default(0),
    /** The org's own limit for the product at the time (null: none). */
    limit: integer('limit'),
    /** The capacity of the org's pool for the product at the time (null: no pool). */
    capacity: integer('capacity'),
  },
  // By workspace and hour for `usage report --rejections` (a range over every org).
  (t) => [primaryKey({ columns: [t.orgId, t.product, t.hour] }), index('org_usage_rollups_workspace_hour').on(t.workspaceId, t.hour)],
)

/** Per pool, product and hour: used at the end and at the peak, capacity, reports by outcome. */
export const poolRollups = sqliteTable(
  'pool_usage_rollups',
  {
    poolId: text('pool_id').notNull(),
    product: text('product').notNull(),
    hour: integer('hour').notNull(),
    workspaceId: text('workspace_id').notNull(),
    level: integer('level').notNull().default(0),
    peak: integer('peak').notNull().default(0),
    accepted: integer('accepted').notNull().default(0),
    rejectedCapacity: integer('rejected_capacity').notNull().default(0),
    rejectedLimit: integer('rejected_limit').notNull().default(0),
    rejectedOther: integer('rejected_other').notNull().default(0),
    capacity: integer('capacity'),
  },
  (t) => [primaryKey({ columns: [t.poolId, t.product, t.hour] })],
)

/**
 * What bound each rejected report (CAPACITY_EXCEEDED: the pool; LIMIT_EXCEEDED:
 * the org whose limit bound), per rejected org, product and hour, counted.
 * Written only when a report is rejected, so an accepted report pays nothing;
 * `usage report --rejections` names what bound each org at the time from it.
 */
export const rejectionBindings = sqliteTable(
  'usage_rejection_bindings',
  {
    orgId: text('org_id').notNull(),
    product: text('product').notNull(),
    hour: integer('hour').notNull(),
    bindingKind: text('binding_kind', { enum: ['pool', 'limit'] }).notNull(),
    /** The pool id, or the id of the org whose limit bound. */
    bindingId: text('binding_id').notNull(),
    workspaceId: text('workspace_id').notNull(),
    rejected: integer('rejected').notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.product, t.hour, t.bindingKind, t.bindingId] }),
    index('usage_rejection_bindings_workspace_hour').on(t.workspaceId, t.hour),
  ],
)

/**
 * A usage alert: a threshold, in percent, on a pool's capacity or on an org's
 * limit for one product. `armed` is 1 until a report crosses the threshold
 * upward (it fires once), and again once usage falls back below it.
 */
export const usageAlerts = sqliteTable(
  'usage_alerts',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id').notNull(),
    scopeKind: text('scope_kind', { enum: ['pool', 'org'] }).notNull(),
    scopeId: text('scope_id').notNull(),
    product: text('product').notNull(),
    percent: integer('percent').notNull(),
    armed: integer('armed').notNull().default(1),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [uniqueIndex('usage_alerts_unique').on(t.workspaceId, t.scopeKind, t.scopeId, t.product, t.percent)],
)
