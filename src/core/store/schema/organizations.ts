// The organization forest of a workspace and per-product limits (R-ORG-1, R-ORG-2).
import { sql } from 'drizzle-orm'
import {
  type AnySQLiteColumn,
  foreignKey,
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
} from 'drizzle-orm/sqlite-core'
import { products } from './catalog.js'
import { workspaces } from './workspaces.js'

export const organizations = sqliteTable(
  'organizations',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    parentId: text('parent_id').references((): AnySQLiteColumn => organizations.id),
    name: text('name').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    index('organizations_parent').on(t.workspaceId, t.parentId),
    // Finding an org by name (metering resolves names on its hot path).
    index('organizations_name').on(t.workspaceId, sql`lower(${t.name})`),
    // Sibling names are unique, so a path "Parent/Child" always names one org.
    uniqueIndex('organizations_top_name')
      .on(t.workspaceId, sql`lower(${t.name})`)
      .where(sql`${t.parentId} IS NULL`),
    uniqueIndex('organizations_child_name')
      .on(t.parentId, sql`lower(${t.name})`)
      .where(sql`${t.parentId} IS NOT NULL`),
  ],
)

export const orgLimits = sqliteTable(
  'org_limits',
  {
    orgId: text('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    workspaceId: text('workspace_id').notNull(),
    product: text('product').notNull(),
    limit: integer('limit').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.product] }),
    foreignKey({ columns: [t.workspaceId, t.product], foreignColumns: [products.workspaceId, products.key] }),
  ],
)

export type OrganizationRow = typeof organizations.$inferSelect
