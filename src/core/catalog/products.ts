// The product catalog of a workspace (R-PR-1): meterable resources by key.
import { and, eq, sql } from 'drizzle-orm'
import { one } from '../store/db.js'
import type { Ctx } from '../context.js'
import { refused } from '../errors.js'
import { unknownProduct } from './unknown.js'
import { recordEvent } from '../events/record.js'
import type { Db } from '../store/open.js'
import { type ProductRow, products } from '../store/schema/index.js'
import { listPrices, type PriceView } from './prices.js'

export async function requireProduct(db: Db, workspaceId: string, key: string): Promise<ProductRow> {
  const row = (await db.orm
    .select()
    .from(products)
    .where(and(eq(products.workspaceId, workspaceId), eq(products.key, key))).limit(1))[0]
  if (!row) throw await unknownProduct(db, workspaceId, key)
  return row
}

export type ProductView = { key: string; name: string; prices: PriceView[] }

export async function createProduct(ctx: Ctx, input: { key: string; name?: string }): Promise<ProductView> {
  const { db, workspace, now } = ctx
  return await db.write(async () => {
    const existing = (await db.orm
      .select()
      .from(products)
      .where(and(eq(products.workspaceId, workspace.id), eq(products.key, input.key))).limit(1))[0]
    if (existing) throw refused('NAME_TAKEN', `product "${input.key}" already exists`, { product: input.key })
    const row = one(await db.orm
      .insert(products)
      .values({ workspaceId: workspace.id, key: input.key, name: input.name ?? input.key, createdAt: now })
      .returning())
    await recordEvent(db, { workspaceId: workspace.id, at: now, kind: 'product.created', refs: {}, data: { product: row.key } })
    return { key: row.key, name: row.name, prices: [] }
  })
}

export async function listProducts(ctx: Ctx): Promise<{ products: ProductView[]} > {
  const rows = (await ctx.db.orm.select().from(products).where(eq(products.workspaceId, ctx.workspace.id)).orderBy(sql.raw(ctx.db.creationOrder)))
  const all = (await listPrices(ctx)).prices
  return { products: rows.map((row) => ({ key: row.key, name: row.name, prices: all.filter((p) => p.product === row.key) })) }
}
