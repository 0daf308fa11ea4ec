// The catalog every workspace starts with (R-PR-1): three products and default
// prices in USD, EUR, GBP and JPY, monthly and yearly (a year costs ten months),
// so the seed examples work out of the box. SSO connections are graduated.
import { newId } from '../ids.js'
import type { Db } from '../store/open.js'
import { type PricingScheme, prices, products, type Tier } from '../store/schema/index.js'

export const seededProducts = [
  { key: 'users', name: 'Users' },
  { key: 'locations', name: 'Locations' },
  { key: 'sso_connections', name: 'SSO connections' },
] as const

type Monthly = { scheme: PricingScheme; unitAmount?: number; tiers?: Tier[] }

const graduated = (first: number, next: number, rest: number): Monthly => ({
  scheme: 'graduated',
  tiers: [
    { upTo: 1, unitAmount: first, flatAmount: 0 },
    { upTo: 5, unitAmount: next, flatAmount: 0 },
    { upTo: null, unitAmount: rest, flatAmount: 0 },
  ],
})

/** Monthly prices in minor units; yearly prices are ten times these. */
export const defaultMonthlyPrices: Record<string, Record<string, Monthly>> = {
  users: {
    USD: { scheme: 'per_unit', unitAmount: 1_000 },
    EUR: { scheme: 'per_unit', unitAmount: 900 },
    GBP: { scheme: 'per_unit', unitAmount: 800 },
    JPY: { scheme: 'per_unit', unitAmount: 1_500 },
  },
  locations: {
    USD: { scheme: 'per_unit', unitAmount: 2_500 },
    EUR: { scheme: 'per_unit', unitAmount: 2_300 },
    GBP: { scheme: 'per_unit', unitAmount: 2_000 },
    JPY: { scheme: 'per_unit', unitAmount: 3_800 },
  },
  sso_connections: {
    USD: graduated(10_000, 7_500, 5_000),
    EUR: graduated(9_000, 6_800, 4_500),
    GBP: graduated(8_000, 6_000, 4_000),
    JPY: graduated(15_000, 11_000, 7_500),
  },
}

const times = (monthly: Monthly, factor: number): Monthly => ({
  scheme: monthly.scheme,
  unitAmount: monthly.unitAmount === undefined ? undefined : monthly.unitAmount * factor,
  tiers: monthly.tiers?.map((tier) => ({ ...tier, unitAmount: tier.unitAmount * factor, flatAmount: tier.flatAmount * factor })),
})

export async function seedCatalog(db: Db, workspaceId: string, at: number): Promise<void> {
  await db.orm
    .insert(products)
    .values(seededProducts.map((product) => ({ workspaceId, key: product.key, name: product.name, createdAt: at })))
  const rows = Object.entries(defaultMonthlyPrices).flatMap(([product, byCurrency]) =>
    Object.entries(byCurrency).flatMap(([currency, monthly]) =>
      (['month', 'year'] as const).map((interval) => {
        const price = interval === 'month' ? monthly : times(monthly, 10)
        return {
          id: newId('price'),
          workspaceId,
          product,
          currency,
          interval,
          scheme: price.scheme,
          unitAmount: price.unitAmount ?? null,
          tiers: price.tiers ?? null,
          active: true,
          createdAt: at,
        }
      }),
    ),
  )
  await db.orm.insert(prices).values(rows)
}
