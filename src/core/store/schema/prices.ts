// Prices per product × currency × interval (R-PR-1, R-PR-2). `price set` adds a
// new active version; subscription items keep the price they were sold at.
import { sql } from 'drizzle-orm'
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { workspaces } from './workspaces.js'

import { intervals, pricingSchemes } from '../enums.js'

export { type Interval, intervals, type PricingScheme, pricingSchemes } from '../enums.js'

/** A tier: units up to `upTo` (null = no upper bound) at `unitAmount`, plus `flatAmount` once. */
export type Tier = { upTo: number | null; unitAmount: number; flatAmount: number }

export const prices = sqliteTable(
  'prices',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    product: text('product').notNull(),
    currency: text('currency').notNull(),
    interval: text('interval', { enum: intervals }).notNull(),
    scheme: text('scheme', { enum: pricingSchemes }).notNull(),
    /** Minor units per unit, for per_unit prices. */
    unitAmount: integer('unit_amount'),
    tiers: text('tiers', { mode: 'json' }).$type<Tier[]>(),
    active: integer('active', { mode: 'boolean' }).notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('prices_active').on(t.workspaceId, t.product, t.currency, t.interval).where(sql`${t.active} = 1`),
    index('prices_product').on(t.workspaceId, t.product),
  ],
)

export type PriceRow = typeof prices.$inferSelect
