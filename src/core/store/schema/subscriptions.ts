// Subscriptions, their items, scheduled changes and pending proration lines
// (R-SUB-1..6, R-TR-1..3). Periods are anchored: period k runs from
// anchor + k intervals to anchor + k+1 intervals (R-SUB-3).
import { sql } from 'drizzle-orm'
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { billingAccounts } from './accounts.js'
import { intervals } from '../enums.js'
import { workspaces } from './workspaces.js'

import { subscriptionStatuses } from '../enums.js'

export { contributingStatuses, type SubscriptionStatus, subscriptionStatuses } from '../enums.js'

export const subscriptions = sqliteTable(
  'subscriptions',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    accountId: text('account_id')
      .notNull()
      .references(() => billingAccounts.id),
    status: text('status', { enum: subscriptionStatuses }).notNull(),
    interval: text('interval', { enum: intervals }).notNull(),
    currency: text('currency').notNull(),
    /** Billing cycle anchor and the index of the current period after it. */
    anchorAt: integer('anchor_at').notNull(),
    periodIndex: integer('period_index').notNull(),
    currentPeriodStart: integer('current_period_start').notNull(),
    currentPeriodEnd: integer('current_period_end').notNull(),
    trialStart: integer('trial_start'),
    trialEnd: integer('trial_end'),
    cancelAtPeriodEnd: integer('cancel_at_period_end', { mode: 'boolean' }).notNull().default(false),
    canceledAt: integer('canceled_at'),
    cancelReason: text('cancel_reason'),
    createdAt: integer('created_at').notNull(),
    /** An optional stable name within the account (apply files match subscriptions by it). */
    label: text('label'),
  },
  (t) => [
    index('subscriptions_account').on(t.accountId, t.status),
    // sub list page by page in creation order: SQLite keeps the rowid at the end of the entry (issue 15).
    index('subscriptions_workspace').on(t.workspaceId),
    index('subscriptions_due').on(t.workspaceId, t.status, t.currentPeriodEnd),
    uniqueIndex('subscriptions_live_label')
      .on(t.accountId, t.label)
      .where(sql`${t.label} IS NOT NULL AND ${t.status} IN ('trialing', 'active', 'past_due')`),
  ],
)

export const subscriptionItems = sqliteTable(
  'subscription_items',
  {
    subscriptionId: text('subscription_id')
      .notNull()
      .references(() => subscriptions.id, { onDelete: 'cascade' }),
    product: text('product').notNull(),
    priceId: text('price_id').notNull(),
    quantity: integer('quantity').notNull(),
  },
  (t) => [primaryKey({ columns: [t.subscriptionId, t.product] })],
)

/** Changes waiting for the next period start (R-SUB-5): one per product, one interval. */
export const scheduledChanges = sqliteTable(
  'scheduled_changes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    subscriptionId: text('subscription_id')
      .notNull()
      .references(() => subscriptions.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['quantity', 'interval'] }).notNull(),
    /** For kind quantity: the product and its new quantity (0 removes it). */
    product: text('product'),
    quantity: integer('quantity'),
    /** For kind interval: the new interval. */
    interval: text('interval', { enum: intervals }),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('scheduled_changes_subscription').on(t.subscriptionId)],
)

/** Proration lines (R-SUB-4) waiting for the next invoice of the account. */
export const pendingLines = sqliteTable(
  'pending_lines',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    subscriptionId: text('subscription_id')
      .notNull()
      .references(() => subscriptions.id, { onDelete: 'cascade' }),
    accountId: text('account_id').notNull(),
    product: text('product').notNull(),
    description: text('description').notNull(),
    fromQuantity: integer('from_quantity').notNull(),
    toQuantity: integer('to_quantity').notNull(),
    unitAmount: integer('unit_amount'),
    amount: integer('amount').notNull(),
    currency: text('currency').notNull(),
    periodStart: integer('period_start').notNull(),
    periodEnd: integer('period_end').notNull(),
    createdAt: integer('created_at').notNull(),
    /** Set when an invoice carries the line. */
    invoiceId: text('invoice_id'),
  },
  (t) => [index('pending_lines_account').on(t.accountId, t.invoiceId)],
)

export type SubscriptionRow = typeof subscriptions.$inferSelect
export type SubscriptionItemRow = typeof subscriptionItems.$inferSelect
export type ScheduledChangeRow = typeof scheduledChanges.$inferSelect
