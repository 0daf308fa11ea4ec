// `wsb apikey revoke`: a key stops working (R-API-2); the row stays, marked, so
// lists and events still say which key did what.
import type { Ctx } from '../context.js'
import { invalid, notFound } from '../errors.js'
import { recordEvent } from '../events/record.js'
import { sameName } from '../names.js'
import type { ApiKeyRow } from '../store/schema/index.js'
import { API_KEY_COLUMNS, type ApiKeyView, apiKeyView, keyHash, looksLikeKey } from './key.js'

/** Revokes the key named by id, name or prefix (or the key itself); revoking a revoked key changes nothing. */
export async function revokeApiKey(ctx: Ctx, ref: string): Promise<ApiKeyView> {
  const { db, workspace } = ctx
  return await db.write(async () => {
    const rows = await db.all<ApiKeyRow>(`SELECT ${API_KEY_COLUMNS} FROM api_keys WHERE workspace_id = ? ORDER BY ${db.creationOrder}`, workspace.id)
    const wanted = ref.trim()
    const hash = looksLikeKey(wanted) ? keyHash(wanted) : undefined
    let matches = rows.filter((row) => row.id === wanted || row.prefix === wanted || row.hash === hash)
    if (matches.length === 0) {
      const named = rows.filter((row) => sameName(row.name, wanted))
      // A name reused after a revoke means the active key.
      matches = named.length > 1 ? named.filter((row) => row.revokedAt === null) : named
    }
    if (matches.length === 0) throw notFound('API key', hash ? `${wanted.slice(0, 13)}…` : wanted)
    if (matches.length > 1)
      throw invalid(`"${wanted}" names ${matches.length} API keys; use an id: ${matches.map((row) => row.id).join(', ')}`, { ref: wanted }, 'AMBIGUOUS_REFERENCE')
    const row = matches[0] as ApiKeyRow
    if (row.revokedAt !== null) return apiKeyView(row)
    const revokedAt = Date.now()
    await db.run('UPDATE api_keys SET revoked_at = ? WHERE id = ?', revokedAt, row.id)
    await recordEvent(db, { workspaceId: workspace.id, at: ctx.now, kind: 'apikey.revoked', refs: { apiKeyId: row.id }, data: { name: row.name, prefix: row.prefix } })
    return apiKeyView({ ...row, revokedAt })
  })
}
