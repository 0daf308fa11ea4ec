// The PostgreSQL tables of wsb, derived from the SQLite schema (./derive.ts)
// when this module loads (the store derives them on first use: ./tables.ts).
// Exported one by one because drizzle-kit (drizzle.postgres.config.ts) finds
// tables among a module's top-level exports; test/core/postgres-schema.test.ts
// checks that this list names every SQLite table.
import { postgresTables } from './tables.js'

export const pgTables = postgresTables()

export const {
  workspaces,
  products,
  organizations,
  orgLimits,
  billingAccounts,
  events,
  usageLevels,
  poolUsage,
  usageLedger,
  prices,
  subscriptions,
  subscriptionItems,
  scheduledChanges,
  pendingLines,
  invoices,
  invoiceLines,
  taxRates,
  coupons,
  accountDiscounts,
  creditEntries,
  notifications,
  dueSteps,
  paymentMethods,
  paymentAttempts,
  orgRollups,
  poolRollups,
  usageAlerts,
  rejectionBindings,
  sellerLogos,
  apiKeys,
  stripeWebhookEvents,
  paymentProviderStatus,
} = pgTables
