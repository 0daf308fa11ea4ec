// The catalog every workspace starts with (R-PR-1).
import type { Db } from '../store/open.js'
import { products } from '../store/schema/index.js'

export const seededProducts = [
  { key: 'users', name: 'Users' },
  { key: 'locations', name: 'Locations' },
  { key: 'sso_connections', name: 'SSO connections' },
] as const

export function seedCatalog(db: Db, workspaceId: string, at: number): void {
  db.orm
    .insert(products)
    .values(seededProducts.map((product) => ({ workspaceId, key: product.key, name: product.name, createdAt: at })))
    .run()
}
