// Checking a presented key (R-API-2) and recording when keys were last used.
// A lookup by the key's hash; revoked and unknown keys are the same answer.
import type { Db } from '../store/db.js'
import type { ApiKeyScope } from '../store/schema/index.js'
import { keyHash, looksLikeKey } from './key.js'

export type ApiKeyIdentity = { id: string; workspaceId: string; scope: ApiKeyScope; prefix: string }

export async function verifyApiKey(db: Db, key: string): Promise<ApiKeyIdentity | null> {
  if (!looksLikeKey(key)) return null
  const row = await db.get<ApiKeyIdentity & { revokedAt: number | null }>(
    'SELECT id, workspace_id AS "workspaceId", scope, prefix, revoked_at AS "revokedAt" FROM api_keys WHERE hash = ?',
    keyHash(key),
  )
  if (!row || row.revokedAt !== null) return null
  return { id: row.id, workspaceId: row.workspaceId, scope: row.scope, prefix: row.prefix }
}

/** Stamps keys' last use (a stamp never goes back). Call inside a write. */
export async function touchApiKeys(db: Db, uses: ReadonlyMap<string, number>): Promise<void> {
  // Stamps are to the minute: one in the key's first minute is its creation time, never before it.
  for (const [id, at] of uses)
    await db.run(
      'UPDATE api_keys SET last_used_at = CASE WHEN created_at > ? THEN created_at ELSE ? END WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)',
      at,
      at,
      id,
      at,
    )
}
