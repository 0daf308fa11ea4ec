// Workspace API keys (R-API-2): what `wsb serve` accepts as `Authorization:
// Bearer KEY`. Only the key's SHA-256 is kept (a key has 190 random bits, so a
// fast hash is enough); its first characters are kept to tell keys apart.
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { workspaces } from './workspaces.js'

export const apiKeyScopes = ['usage:write', 'usage:read'] as const
export type ApiKeyScope = (typeof apiKeyScopes)[number]

export const apiKeys = sqliteTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** The key's first characters (wsbk_ and 8 more): shown in lists, never enough to use. */
    prefix: text('prefix').notNull(),
    /** SHA-256 of the whole key, hex. */
    hash: text('hash').notNull(),
    scope: text('scope', { enum: apiKeyScopes }).notNull(),
    /** Wall time, epoch ms UTC (keys are operations, not billing: no workspace clock). */
    createdAt: integer('created_at').notNull(),
    /** Wall time of the last request that used it, to the minute; null if never. */
    lastUsedAt: integer('last_used_at'),
    revokedAt: integer('revoked_at'),
  },
  (t) => [uniqueIndex('api_keys_hash').on(t.hash), index('api_keys_workspace').on(t.workspaceId)],
)

export type ApiKeyRow = typeof apiKeys.$inferSelect
