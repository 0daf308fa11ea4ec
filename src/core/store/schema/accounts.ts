// Billing accounts (R-BA-1..4). In assigned mode organization_id names the
// top-level organization the account is dedicated to (unique: one each way).
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { sql } from 'drizzle-orm'
import { organizations } from './organizations.js'
import { workspaces } from './workspaces.js'

export const billingAccounts = sqliteTable(
  'billing_accounts',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    email: text('email'),
    country: text('country'),
    address: text('address'),
    taxId: text('tax_id'),
    /** Subdivision for tax (ISO 3166-2 suffix: NY for US-NY); chooses a regional tax rate. */
    region: text('region'),
    /** Exempt accounts pay no tax whatever the table says. */
    taxExempt: integer('tax_exempt', { mode: 'boolean' }).notNull().default(false),
    /** Invoice number prefix (GCUSA in GCUSA-0001): derived from the name at the first issue, then never changed. */
    invoicePrefix: text('invoice_prefix'),
    currency: text('currency').notNull(),
    /** Tax rate in thousandths of a percent: 19% = 19000, 8.875% = 8875. */
    taxRateMilli: integer('tax_rate_milli').notNull().default(0),
    organizationId: text('organization_id').references(() => organizations.id),
    /** Credit balance in minor units (R-INV-4), the sum of its credit entries. */
    creditBalance: integer('credit_balance').notNull().default(0),
    /** The payment provider's customer (Stripe: cus_…), made on the first payment method. */
    providerCustomerId: text('provider_customer_id'),
    /** A provider customer found deleted (then provider_customer_id is cleared): the next `pm add` makes a new one. */
    goneProviderCustomerId: text('gone_provider_customer_id'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('billing_accounts_name').on(t.workspaceId, sql`lower(${t.name})`),
    uniqueIndex('billing_accounts_organization').on(t.organizationId),
    index('billing_accounts_workspace').on(t.workspaceId),
    uniqueIndex('billing_accounts_invoice_prefix').on(t.workspaceId, t.invoicePrefix),
  ],
)

export type BillingAccountRow = typeof billingAccounts.$inferSelect
