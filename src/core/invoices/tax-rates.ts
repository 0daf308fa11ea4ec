// The workspace's tax-rate table (issue 16): one rate per country, or per
// country and region (US-NY), with its name ("VAT", "Sales tax").
import { and, asc, eq } from 'drizzle-orm'
import type { Ctx } from '../context.js'
import { notFound } from '../errors.js'
import { recordEvent } from '../events/record.js'
import { taxRates } from '../store/schema/index.js'
import { jurisdictionOf } from './tax.js'

export type TaxRateView = { jurisdiction: string; country: string; region: string | null; rate: number; name: string }

const view = (row: typeof taxRates.$inferSelect): TaxRateView => ({
  jurisdiction: jurisdictionOf(row.country, row.region) ?? row.country,
  country: row.country,
  region: row.region || null,
  rate: row.rateMilli / 1000,
  name: row.name,
})

export async function setTaxRate(ctx: Ctx, input: { country: string; region?: string; rateMilli: number; name: string }): Promise<TaxRateView> {
  const { db, workspace, now } = ctx
  const region = input.region ?? ''
  return await db.write(async () => {
    const key = and(eq(taxRates.workspaceId, workspace.id), eq(taxRates.country, input.country), eq(taxRates.region, region))
    const existing = (await db.orm.select().from(taxRates).where(key).limit(1))[0]
    if (existing) await db.orm.update(taxRates).set({ rateMilli: input.rateMilli, name: input.name }).where(key)
    else await db.orm.insert(taxRates).values({ workspaceId: workspace.id, country: input.country, region, rateMilli: input.rateMilli, name: input.name })
    const row = { workspaceId: workspace.id, country: input.country, region, rateMilli: input.rateMilli, name: input.name }
    await recordEvent(db, { workspaceId: workspace.id, at: now, kind: 'tax_rate.set', refs: { workspaceId: workspace.id }, data: view(row) })
    return view(row)
  })
}

export async function removeTaxRate(ctx: Ctx, input: { country: string; region?: string }): Promise<TaxRateView> {
  const { db, workspace } = ctx
  return await db.write(async () => {
    const key = and(eq(taxRates.workspaceId, workspace.id), eq(taxRates.country, input.country), eq(taxRates.region, input.region ?? ''))
    const row = (await db.orm.select().from(taxRates).where(key).limit(1))[0]
    if (!row) throw notFound('tax rate', jurisdictionOf(input.country, input.region ?? null) ?? input.country)
    await db.orm.delete(taxRates).where(key)
    return view(row)
  })
}

export async function listTaxRates(ctx: Ctx): Promise<{ taxRates: TaxRateView[] }> {
  const rows = await ctx.db.orm.select().from(taxRates).where(eq(taxRates.workspaceId, ctx.workspace.id)).orderBy(asc(taxRates.country), asc(taxRates.region))
  return { taxRates: rows.map(view) }
}
