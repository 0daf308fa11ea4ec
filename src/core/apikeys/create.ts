// `wsb apikey create` (R-API-2): a new key for one workspace and one scope.
// The key is returned once, here; only its hash is stored.
import type { Ctx } from '../context.js'
import { refused } from '../errors.js'
import { recordEvent } from '../events/record.js'
import { newId } from '../ids.js'
import { sameName } from '../names.js'
import type { ApiKeyScope } from '../store/schema/index.js'
import { API_KEY_COLUMNS, type ApiKeyView, apiKeyView, keyHash, keyPrefix, newKey } from './key.js'
import type { ApiKeyRow } from '../store/schema/index.js'

export type CreatedApiKey = ApiKeyView & { key: string }

export async function createApiKey(ctx: Ctx, input: { name: string; scope: ApiKeyScope }): Promise<CreatedApiKey> {
  const { db, workspace } = ctx
  return await db.write(async () => {
    const active = await db.all<ApiKeyRow>(`SELECT ${API_KEY_COLUMNS} FROM api_keys WHERE workspace_id = ? AND revoked_at IS NULL`, workspace.id)
    const taken = active.find((row) => sameName(row.name, input.name))
    if (taken) throw refused('NAME_TAKEN', `an API key named "${input.name}" already exists (${taken.prefix}…); revoke it first or choose another name`, { apiKeyId: taken.id })
    const key = newKey()
    const row: ApiKeyRow = {
      id: newId('apiKey'),
      workspaceId: workspace.id,
      name: input.name,
      prefix: keyPrefix(key),
      hash: keyHash(key),
      scope: input.scope,
      createdAt: Date.now(),
      lastUsedAt: null,
      revokedAt: null,
    }
    await db.run(
      'INSERT INTO api_keys (id, workspace_id, name, prefix, hash, scope, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      row.id,
      row.workspaceId,
      row.name,
      row.prefix,
      row.hash,
      row.scope,
      row.createdAt,
    )
    // The event names the key by id and prefix: the key itself is in no event.
    await recordEvent(db, { workspaceId: workspace.id, at: ctx.now, kind: 'apikey.created', refs: { apiKeyId: row.id }, data: { name: row.name, prefix: row.prefix, scope: row.scope } })
    return { ...apiKeyView(row), key }
  })
}
