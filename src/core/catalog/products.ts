// Looking up products of a workspace's catalog (R-PR-1).
import { and, eq } from 'drizzle-orm'
import { notFound } from '../errors.js'
import type { Db } from '../store/open.js'
import { type ProductRow, products } from '../store/schema/index.js'

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
