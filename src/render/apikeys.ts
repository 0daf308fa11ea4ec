import type { CreatedApiKey } from '../core/apikeys/create.js'
import type { ApiKeyView } from '../core/apikeys/key.js'
import { paint } from './colour.js'
import { details, table } from './table.js'
import { when } from './time.js'

export function renderCreatedKey(key: CreatedApiKey): string {
  return `Created API key "${key.name}" (${key.scope}). This is the only time it is shown; store it now:\n\n  ${paint().bold(key.key)}\n\n${details([
    ['id', key.id],
    ['prefix', key.prefix],
    ['use', 'Authorization: Bearer <key>'],
  ])}`
}

const minute = (iso: string | null): string => (iso ? when(iso).slice(0, 16) : '—')

export function renderApiKeys({ apiKeys }: { apiKeys: ApiKeyView[] }): string {
  if (apiKeys.length === 0) return 'No API keys. Create one with: wsb apikey create NAME --scope usage:write'
  return table(
    ['name', 'prefix', 'scope', 'created', 'last used', 'status', 'id'],
    apiKeys.map((k) => [k.name, `${k.prefix}…`, k.scope, minute(k.createdAt), k.lastUsedAt ? minute(k.lastUsedAt) : 'never', k.revokedAt ? `revoked ${minute(k.revokedAt)}` : 'active', k.id]),
    // Whether a key still works is never left out; last use is stamped to the minute, so times are shown so.
    { keep: [0, 1, 2, 5], drop: [6, 3] },
  )
}

export function renderRevokedKey(key: ApiKeyView): string {
  return `Revoked API key "${key.name}" (${key.prefix}…): requests with it are refused (401) within a second.`
}
