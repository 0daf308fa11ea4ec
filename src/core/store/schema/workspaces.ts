// Workspaces and their clock (R-WS-1, R-WS-3). Mode is immutable: a trigger in
// migrations/ refuses any UPDATE of it, beside the check in the core.
import { sql } from 'drizzle-orm'
import { integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

import { billingModes } from '../enums.js'

export { type BillingMode, billingModes } from '../enums.js'

export const workspaces = sqliteTable(
  'workspaces',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    mode: text('mode', { enum: billingModes }).notNull(),
    clockMode: text('clock_mode', { enum: ['real', 'test'] }).notNull(),
    /** Frozen time of a test clock, epoch ms UTC; null for the real clock. */
    clockNow: integer('clock_now'),
    createdAt: integer('created_at').notNull(),
    /** When the workspace's one trial started (R-TR-2); null if never. */
    trialUsedAt: integer('trial_used_at'),
    /** The issuer printed on this workspace's invoices (see SellerIdentity); null until set. */
    seller: text('seller', { mode: 'json' }).$type<SellerIdentity>(),
  },
  (t) => [uniqueIndex('workspaces_name_unique').on(sql`lower(${t.name})`)],
)

/** Who issues the workspace's invoices. Address lines are kept as typed, one per printed line. */
export type SellerIdentity = {
  legalName: string
  addressLines: string[]
  country: string | null
  taxId: string | null
  email: string | null
  /** A PNG or JPEG file path, read when a PDF is rendered. */
  logo: string | null
  footer: string | null
  /** Invoices are due this many days after issue (0: on receipt). */
  paymentTermsDays: number
}

export type WorkspaceRow = typeof workspaces.$inferSelect
