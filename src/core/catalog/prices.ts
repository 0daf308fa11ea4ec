// Setting and reading prices (R-PR-1, R-PR-2). A new price for the same
// product × currency × interval replaces the active one; subscriptions keep
// the version they were sold at.
import { and, asc, eq } from 'drizzle-orm'
import { one } from '../store/db.js'
import type { Ctx } from '../context.js'
import { currency } from '../currency.js'
import { invalid } from '../errors.js'
import { recordEvent } from '../events/record.js'
import { newId } from '../ids.js'
import type { Money } from '../money.js'
import type { Db } from '../store/open.js'
import { type Interval, type PriceRow, type PricingScheme, prices, type Tier } from '../store/schema/index.js'
import { requireProduct } from './products.js'

export type PriceView = {
  id: string
  product: string
  currency: string
  interval: Interval
  scheme: PricingScheme
  unitAmount: Money | null
  tiers: { upTo: number | null; unitAmount: Money; flatAmount: Money }[] | null
  active: boolean
}

export function priceView(row: PriceRow): PriceView {
  return {
    id: row.id,
    product: row.product,
    currency: row.currency,
    interval: row.interval,
    scheme: row.scheme,
    unitAmount: row.unitAmount === null ? null : { amount: row.unitAmount, currency: row.currency },
    tiers:
      row.tiers?.map((tier) => ({
        upTo: tier.upTo,
        unitAmount: { amount: tier.unitAmount, currency: row.currency },
        flatAmount: { amount: tier.flatAmount, currency: row.currency },
      })) ?? null,
    active: row.active,
  }
}

export async function activePrice(db: Db, workspaceId: string, product: string, currencyCode: string, interval: Interval) {
  return (await db.orm
    .select()
    .from(prices)
    .where(
      and(
        eq(prices.workspaceId, workspaceId),
        eq(prices.product, product),
        eq(prices.currency, currencyCode),
        eq(prices.interval, interval),
        eq(prices.active, true),
      ),
    ).limit(1))[0]
}

/** A price by id; kept for the transaction (a replay of renewals bills the same prices again and again). */
export async function priceById(db: Db, id: string): Promise<PriceRow> {
  const row = await db.memo(`price:${id}`, ['prices'], async () => (await db.orm.select().from(prices).where(eq(prices.id, id)).limit(1))[0])
  if (!row) throw new Error(`price ${id} is missing`)
  return row
}

/** Tiers must rise strictly and end with an unbounded tier (Stripe's rule). */
export function checkTiers(tiers: Tier[]): void {
  if (tiers.length === 0) throw invalid('tiers: give at least one tier')
  let previous = 0
  tiers.forEach((tier, i) => {
    const last = i === tiers.length - 1
    if (last !== (tier.upTo === null))
      throw invalid('tiers: only the last tier is unbounded (inf), and the last tier must be', { tiers })
    if (tier.upTo !== null && tier.upTo <= previous)
      throw invalid(`tiers: upper bounds must rise (tier ${i + 1} ends at ${tier.upTo})`, { tiers })
    previous = tier.upTo ?? previous
  })
}

export type SetPriceInput = {
  product: string
  currency: string
  interval: Interval
  scheme: PricingScheme
  unitAmount?: number
  tiers?: Tier[]
}

export async function setPrice(ctx: Ctx, input: SetPriceInput): Promise<PriceView> {
  const { db, workspace, now } = ctx
  const code = currency(input.currency).code
  if (input.scheme === 'per_unit' && input.unitAmount === undefined) throw invalid('a per-unit price needs --unit-amount')
  if (input.scheme !== 'per_unit') checkTiers(input.tiers ?? [])
  return await db.write(async () => {
    await requireProduct(db, workspace.id, input.product)
    const previous = await activePrice(db, workspace.id, input.product, code, input.interval)
    if (previous) await db.orm.update(prices).set({ active: false }).where(eq(prices.id, previous.id))
    const row = one(await db.orm
      .insert(prices)
      .values({
        id: newId('price'),
        workspaceId: workspace.id,
        product: input.product,
        currency: code,
        interval: input.interval,
        scheme: input.scheme,
        unitAmount: input.scheme === 'per_unit' ? (input.unitAmount ?? 0) : null,
        tiers: input.scheme === 'per_unit' ? null : (input.tiers ?? null),
        active: true,
        createdAt: now,
      })
      .returning())
    await recordEvent(db, {
      workspaceId: workspace.id,
      at: now,
      kind: 'price.set',
      refs: { priceId: row.id, ...(previous ? { replacedPriceId: previous.id } : {}) },
      data: { product: row.product, currency: row.currency, interval: row.interval, scheme: row.scheme },
    })
    return priceView(row)
  })
}

export type ListPricesFilter = { product?: string; currency?: string; all?: boolean }

export async function listPrices(ctx: Ctx, filter: ListPricesFilter = {}): Promise<{ prices: PriceView[]} > {
  const rows = (await ctx.db.orm
    .select()
    .from(prices)
    .where(
      and(
        eq(prices.workspaceId, ctx.workspace.id),
        filter.product ? eq(prices.product, filter.product) : undefined,
        filter.currency ? eq(prices.currency, currency(filter.currency).code) : undefined,
        filter.all ? undefined : eq(prices.active, true),
      ),
    )
    .orderBy(asc(prices.product), asc(prices.currency), asc(prices.interval), asc(prices.createdAt)))
  return { prices: rows.map(priceView) }
}
