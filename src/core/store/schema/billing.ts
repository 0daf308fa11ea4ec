// Invoices, coupons, credits, notifications and the lifecycle queue
// (R-INV-1..5, R-WS-4, R-TR-3, R-EV-1).
import { sql } from 'drizzle-orm'
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { billingAccounts } from './accounts.js'
import { type SellerLogo, workspaces } from './workspaces.js'

import { couponDurations, invoiceStatuses } from '../enums.js'

export { type CouponDuration, couponDurations, type InvoiceStatus, invoiceStatuses } from '../enums.js'

export const invoices = sqliteTable(
  'invoices',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    accountId: text('account_id')
      .notNull()
      .references(() => billingAccounts.id),
    subscriptionId: text('subscription_id'),
    /** Gapless per account (R-INV-1): 1, 2, 3 … */
    number: integer('number').notNull(),
    status: text('status', { enum: invoiceStatuses }).notNull(),
    /** Why it was issued: subscription_create, subscription_cycle, trial_end, subscription_final. */
    reason: text('reason').notNull(),
    currency: text('currency').notNull(),
    periodStart: integer('period_start').notNull(),
    periodEnd: integer('period_end').notNull(),
    subtotal: integer('subtotal').notNull(),
    discount: integer('discount').notNull(),
    taxRateMilli: integer('tax_rate_milli').notNull(),
    tax: integer('tax').notNull(),
    total: integer('total').notNull(),
    creditApplied: integer('credit_applied').notNull(),
    amountDue: integer('amount_due').notNull(),
    amountPaid: integer('amount_paid').notNull().default(0),
    issuedAt: integer('issued_at').notNull(),
    paidAt: integer('paid_at'),
    /** Dunning (R-PAY-2): when collection first failed, and how many attempt runs so far. */
    firstFailedAt: integer('first_failed_at'),
    attemptRuns: integer('attempt_runs').notNull().default(0),
    /** The printed number, account prefix + gapless number (GCUSA-0001); unique in the workspace. */
    displayNumber: text('display_number'),
    dueAt: integer('due_at'),
    /** Everything printed about seller, buyer and tax, frozen at issue (R-INV-1); null on invoices from before. */
    snapshot: text('snapshot', { mode: 'json' }).$type<InvoiceSnapshot>(),
  },
  (t) => [
    uniqueIndex('invoices_account_number').on(t.accountId, t.number),
    index('invoices_workspace').on(t.workspaceId, t.issuedAt),
    // invoice list --account, page by page in issue order (issue 15).
    index('invoices_account_issued').on(t.accountId, t.issuedAt),
    index('invoices_subscription').on(t.subscriptionId),
    uniqueIndex('invoices_display_number').on(t.workspaceId, t.displayNumber),
  ],
)

export const invoiceLines = sqliteTable(
  'invoice_lines',
  {
    invoiceId: text('invoice_id')
      .notNull()
      .references(() => invoices.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    kind: text('kind', { enum: ['subscription', 'proration', 'discount'] }).notNull(),
    description: text('description').notNull(),
    product: text('product'),
    quantity: integer('quantity'),
    unitAmount: integer('unit_amount'),
    amount: integer('amount').notNull(),
    periodStart: integer('period_start'),
    periodEnd: integer('period_end'),
  },
  (t) => [primaryKey({ columns: [t.invoiceId, t.position] })],
)


export const coupons = sqliteTable(
  'coupons',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    code: text('code').notNull(),
    name: text('name').notNull(),
    /** Thousandths of a percent (20% = 20000), or null for an amount off. */
    percentOffMilli: integer('percent_off_milli'),
    amountOff: integer('amount_off'),
    currency: text('currency'),
    duration: text('duration', { enum: couponDurations }).notNull(),
    /** For repeating coupons: how many invoices it discounts. */
    durationInvoices: integer('duration_invoices'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [uniqueIndex('coupons_code').on(t.workspaceId, sql`lower(${t.code})`)],
)

/** The discount on an account (R-INV-4): at most one active; `invoices_used` counts down repeating ones. */
export const accountDiscounts = sqliteTable('account_discounts', {
  accountId: text('account_id')
    .primaryKey()
    .references(() => billingAccounts.id, { onDelete: 'cascade' }),
  couponId: text('coupon_id')
    .notNull()
    .references(() => coupons.id),
  startedAt: integer('started_at').notNull(),
  invoicesUsed: integer('invoices_used').notNull().default(0),
})

/** The credit balance ledger of an account (R-INV-4): grants positive, invoices negative. */
export const creditEntries = sqliteTable(
  'credit_entries',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: text('account_id')
      .notNull()
      .references(() => billingAccounts.id, { onDelete: 'cascade' }),
    amount: integer('amount').notNull(),
    invoiceId: text('invoice_id'),
    note: text('note'),
    at: integer('at').notNull(),
  },
  (t) => [index('credit_entries_account').on(t.accountId)],
)

export const notifications = sqliteTable(
  'notifications',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    at: integer('at').notNull(),
    kind: text('kind').notNull(),
    message: text('message').notNull(),
    refs: text('refs', { mode: 'json' }).$type<Record<string, string>>().notNull(),
    /** One notification per occasion: e.g. trial_will_end:sub_… */
    dedupeKey: text('dedupe_key').notNull(),
  },
  (t) => [uniqueIndex('notifications_dedupe').on(t.workspaceId, t.dedupeKey), index('notifications_at').on(t.workspaceId, t.at)],
)

/**
 * The lifecycle queue (R-WS-4): every time-based step is a row due at a
 * workspace time. Catch-up is "take the earliest due row": one indexed lookup
 * when nothing is due. A step is deleted in the transaction that runs it.
 */
export const dueSteps = sqliteTable(
  'due_steps',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    dueAt: integer('due_at').notNull(),
    kind: text('kind').notNull(),
    refId: text('ref_id').notNull(),
    /**
     * A step that calls the payment provider (outside any transaction) is claimed
     * first, in a committed write: who runs it (host:pid) and until when, in wall
     * time (a lease renewed before each provider call). A second process meeting
     * a live claim waits instead of charging again; a claim whose process died or
     * whose lease ran out is taken over (the provider's idempotency key guards that).
     */
    claimedBy: text('claimed_by'),
    claimedUntil: integer('claimed_until'),
  },
  (t) => [index('due_steps_workspace_due').on(t.workspaceId, t.dueAt), uniqueIndex('due_steps_unique').on(t.workspaceId, t.kind, t.refId, t.dueAt)],
)

/** Per-workspace tax rates by jurisdiction: a country, or a country and region (US-NY). */
export const taxRates = sqliteTable(
  'tax_rates',
  {
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    country: text('country').notNull(),
    /** '' for the whole country. */
    region: text('region').notNull(),
    rateMilli: integer('rate_milli').notNull(),
    name: text('name').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.country, t.region] })],
)

export type PartyIdentity = { name: string; addressLines: string[]; country: string | null; region: string | null; taxId: string | null; email: string | null }

export type InvoiceSnapshot = {
  /** The seller's logo is a reference to bytes that never change (seller_logos), or an older wsb's file path. */
  seller: (PartyIdentity & { logo: SellerLogo | string | null; footer: string | null }) | null
  buyer: PartyIdentity
  /** `summary`: the rule applied in words (tax.ts), stored from issue 25 on; older snapshots lack it. */
  tax: { jurisdiction: string | null; name: string; rateMilli: number; rule: TaxRule; note: string | null; summary?: string }
  paymentTermsDays: number
}

export type TaxRule = 'table' | 'override' | 'exempt' | 'reverse_charge' | 'none'

export type InvoiceRow = typeof invoices.$inferSelect
export type InvoiceLineRow = typeof invoiceLines.$inferSelect
export type CouponRow = typeof coupons.$inferSelect
export type NotificationRow = typeof notifications.$inferSelect
