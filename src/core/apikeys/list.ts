// `wsb apikey list`: a workspace's keys, oldest first, revoked ones included (marked).
import type { Ctx } from '../context.js'
import type { ApiKeyRow } from '../store/schema/index.js'
import { API_KEY_COLUMNS, type ApiKeyView, apiKeyView } from './key.js'

export async function listApiKeys(ctx: Ctx): Promise<{ apiKeys: ApiKeyView[] }> {
  const rows = await ctx.db.all<ApiKeyRow>(`SELECT ${API_KEY_COLUMNS} FROM api_keys WHERE workspace_id = ? ORDER BY ${ctx.db.creationOrder}`, ctx.workspace.id)
  return { apiKeys: rows.map(apiKeyView) }
}
