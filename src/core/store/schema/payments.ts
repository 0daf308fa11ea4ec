// Payment methods and payment attempts (R-PM-1, R-PM-2, R-PAY-1..3). Card data
// never reaches wsb: a method is a provider's PaymentMethod id or test token,
// with the brand, last four digits and expiry the provider reports.
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { billingAccounts } from './accounts.js'
import { invoices } from './billing.js'
import { workspaces } from './workspaces.js'

export const paymentMethods = sqliteTable(
  'payment_methods',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    accountId: text('account_id')
      .notNull()
      .references(() => billingAccounts.id, { onDelete: 'cascade' }),
    provider: text('provider', { enum: ['sandbox', 'stripe'] }).notNull(),
    /** The provider's PaymentMethod id (pm_…). */
    providerId: text('provider_id').notNull(),
    /** What the operator gave: a pm_… id or a test token such as pm_card_visa. */
    source: text('source').notNull(),
    /** Stripe's PaymentMethod type: a card, or a bank debit (SEPA Direct Debit, US bank account / ACH). */
    type: text('type', { enum: ['card', 'sepa_debit', 'us_bank_account'] }).notNull().default('card'),
    /** Card brand, or the bank's name for a debit. */
    brand: text('brand').notNull(),
    last4: text('last4').notNull(),
    expMonth: integer('exp_month').notNull(),
    expYear: integer('exp_year').notNull(),
    isDefault: integer('is_default', { mode: 'boolean' }).notNull(),
    /** A bank debit's mandate (Stripe's mandate_…): sent with every off-session debit. */
    mandateId: text('mandate_id'),
    /** Set when the provider said the method is gone or unusable (deleted, foreign): collection skips it. */
    unusableAt: integer('unusable_at'),
    unusableReason: text('unusable_reason'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('payment_methods_account').on(t.accountId), uniqueIndex('payment_methods_provider_id').on(t.accountId, t.providerId)],
)

export const paymentAttempts = sqliteTable(
  'payment_attempts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    workspaceId: text('workspace_id').notNull(),
    invoiceId: text('invoice_id')
      .notNull()
      .references(() => invoices.id, { onDelete: 'cascade' }),
    /** Which collection run: 'run-1' the first, 'run-2'… the dunning retries, 'manual-1'… `invoice pay`. */
    run: text('run').notNull(),
    paymentMethodId: text('payment_method_id').notNull(),
    provider: text('provider').notNull(),
    providerPaymentId: text('provider_payment_id'),
    /**
     * The class of the provider's answer (payments/outcome.ts): 'pending' written before the provider is
     * asked (a crash leaves it so: looked up first), 'failed' a decline or an unusable method,
     * 'requires_action' the customer must act, 'processing' in flight (a bank debit), 'canceled' wsb canceled
     * it before charging anew, 'error' not completed (an outage, a refused request or key: looked up before any retry).
     */
    outcome: text('outcome', { enum: ['pending', 'succeeded', 'failed', 'requires_action', 'processing', 'canceled', 'error'] }).notNull(),
    declineCode: text('decline_code'),
    message: text('message'),
    amount: integer('amount').notNull(),
    currency: text('currency').notNull(),
    /** Derived from (invoice, run, method): the provider never charges twice for it. */
    idempotencyKey: text('idempotency_key').notNull(),
    /** Outages met by this attempt so far: the retry backoff, and the suffix of the provider key after a lookup found nothing. */
    errors: integer('errors').notNull().default(0),
    at: integer('at').notNull(),
  },
  (t) => [index('payment_attempts_invoice').on(t.invoiceId), uniqueIndex('payment_attempts_key').on(t.idempotencyKey)],
)

export type PaymentMethodRow = typeof paymentMethods.$inferSelect
export type PaymentAttemptRow = typeof paymentAttempts.$inferSelect

/**
 * Stripe webhook events already received, by Stripe's event id: each is applied
 * once, in the transaction of the change it causes (payments/webhooks.ts), and
 * an event older than the last one applied to its object changes nothing.
 */
export const stripeWebhookEvents = sqliteTable(
  'stripe_webhook_events',
  {
    id: text('id').primaryKey(),
    /** The workspace of the attempt, method or account it named; null when it named nothing wsb knows. */
    workspaceId: text('workspace_id'),
    type: text('type').notNull(),
    /** The Stripe object it is about (pi_…, pm_…, cus_…). */
    objectId: text('object_id'),
    /** Stripe's `created` of the event (seconds): events are ordered by it, not by arrival. */
    created: integer('created').notNull(),
    applied: integer('applied', { mode: 'boolean' }).notNull(),
    /** Wall-clock time of receipt (ms). */
    receivedAt: integer('received_at').notNull(),
  },
  (t) => [index('stripe_webhook_events_object').on(t.objectId)],
)

/**
 * The provider's standing with a workspace: set when Stripe rejects the secret key
 * (401/403), cleared by the next answer that shows the key works; `wsb doctor` reads it.
 */
export const paymentProviderStatus = sqliteTable('payment_provider_status', {
  workspaceId: text('workspace_id')
    .primaryKey()
    .references(() => workspaces.id, { onDelete: 'cascade' }),
  provider: text('provider').notNull(),
  /** Workspace time of the first rejection still standing; null once the key works again. */
  keyRejectedAt: integer('key_rejected_at'),
  status: integer('status'),
  message: text('message'),
})
