// The product catalog of a workspace (R-PR-1): meterable resources by key.
import { and, eq, sql } from 'drizzle-orm'
import type { Ctx } from '../context.js'
import { notFound, refused } from '../errors.js'
import { recordEvent } from '../events/record.js'
import type { Db } from '../store/open.js'
import { type ProductRow, products } from '../store/schema/index.js'
import { immediate } from '../store/transaction.js'
import { listPrices, type PriceView } from './prices.js'

export function requireProduct(db: Db, workspaceId: string, key: string): ProductRow {
  const row = db.orm
    .select()
    .from(products)
    .where(and(eq(products.workspaceId, workspaceId), eq(products.key, key)))
    .get()
  if (!row) {
    const known = db.orm.select({ key: products.key }).from(products).where(eq(products.workspaceId, workspaceId)).all()
    throw notFound('product', key, { known: known.map((p) => p.key) })
  }
  return row
}

export type ProductView = { key: string; name: string; prices: PriceView[] }

export function createProduct(ctx: Ctx, input: { key: string; name?: string }): ProductView {
  const { db, workspace, now } = ctx
  return immediate(db.sqlite, () => {
    const existing = db.orm
      .select()
      .from(products)
      .where(and(eq(products.workspaceId, workspace.id), eq(products.key, input.key)))
      .get()
    if (existing) throw refused('NAME_TAKEN', `product "${input.key}" already exists`, { product: input.key })
    const row = db.orm
      .insert(products)
      .values({ workspaceId: workspace.id, key: input.key, name: input.name ?? input.key, createdAt: now })
      .returning()
      .get()
    recordEvent(db, { workspaceId: workspace.id, at: now, kind: 'product.created', refs: {}, data: { product: row.key } })
    return { key: row.key, name: row.name, prices: [] }
  })
}

export function listProducts(ctx: Ctx): { products: ProductView[] } {
  const rows = ctx.db.orm.select().from(products).where(eq(products.workspaceId, ctx.workspace.id)).orderBy(sql`rowid`).all()
  const all = listPrices(ctx).prices
  return { products: rows.map((row) => ({ key: row.key, name: row.name, prices: all.filter((p) => p.product === row.key) })) }
}
