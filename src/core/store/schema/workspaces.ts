// Workspaces and their clock (R-WS-1, R-WS-3). Mode is immutable: a trigger in
// migrations/ refuses any UPDATE of it, beside the check in the core.
import { sql } from 'drizzle-orm'
import { integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

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
  /**
   * The logo printed on invoices: its bytes are kept in seller_logos under this
   * reference. A string is a file path stored by an older wsb, read when a PDF
   * is drawn (set the logo again to store its bytes).
   */
  logo: SellerLogo | string | null
  footer: string | null
  /** Invoices are due this many days after issue (0: on receipt). */
  paymentTermsDays: number
}

/** A stored logo: the bytes are in seller_logos, keyed by workspace and SHA-256, and never change. */
export type SellerLogo = {
  sha256: string
  mediaType: LogoMediaType
  /** Size of the image in bytes. */
  bytes: number
  /** The name of the file it was read from, for people; null when it came inline (an apply file's data: URI). */
  file: string | null
}

export type LogoMediaType = 'image/png' | 'image/jpeg'

/**
 * Seller logos (issue 25), content-addressed: a row is written once and never
 * changed or deleted, so an invoice that froze a reference at issue prints the
 * very bytes it was issued with. The image is base64 text (kept as text on both
 * engines and by db copy).
 */
export const sellerLogos = sqliteTable(
  'seller_logos',
  {
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    sha256: text('sha256').notNull(),
    mediaType: text('media_type').notNull(),
    bytes: integer('bytes').notNull(),
    data: text('data').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.sha256] })],
)

export type WorkspaceRow = typeof workspaces.$inferSelect
