// What an API key looks like (R-API-2): "wsbk_" and 32 random base62
// characters (190 bits). Stored as its SHA-256 only; the first 13 characters
// (the prefix) tell keys apart in lists and are never enough to use one.
import { createHash, randomBytes } from 'node:crypto'
import type { ApiKeyRow, ApiKeyScope } from '../store/schema/index.js'

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
export const KEY_PREFIX = 'wsbk_'
const RANDOM_LENGTH = 32
const SHOWN = KEY_PREFIX.length + 8

/** A new key: only its creator ever sees it whole. */
export function newKey(): string {
  let out = KEY_PREFIX
  // Rejection sampling keeps every character equally likely (62 does not divide 256).
  while (out.length < KEY_PREFIX.length + RANDOM_LENGTH)
    for (const byte of randomBytes(48)) if (byte < 248 && out.length < KEY_PREFIX.length + RANDOM_LENGTH) out += ALPHABET[byte % 62]
  return out
}

export const keyHash = (key: string): string => createHash('sha256').update(key).digest('hex')
export const keyPrefix = (key: string): string => key.slice(0, SHOWN)

/** Shaped like a wsb key: anything else is refused before any lookup. */
export const looksLikeKey = (text: string): boolean => text.length === KEY_PREFIX.length + RANDOM_LENGTH && text.startsWith(KEY_PREFIX) && /^[0-9A-Za-z]+$/.test(text.slice(KEY_PREFIX.length))

export type ApiKeyView = {
  id: string
  workspaceId: string
  name: string
  prefix: string
  scope: ApiKeyScope
  createdAt: string
  lastUsedAt: string | null
  revokedAt: string | null
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

export const apiKeyView = (row: ApiKeyRow): ApiKeyView => ({
  id: row.id,
  workspaceId: row.workspaceId,
  name: row.name,
  prefix: row.prefix,
  scope: row.scope,
  createdAt: iso(row.createdAt) as string,
  lastUsedAt: iso(row.lastUsedAt),
  revokedAt: iso(row.revokedAt),
})

/** The columns of api_keys as ApiKeyRow names, for plain SQL on both engines. */
export const API_KEY_COLUMNS =
  'id, workspace_id AS "workspaceId", name, prefix, hash, scope, created_at AS "createdAt", last_used_at AS "lastUsedAt", revoked_at AS "revokedAt"'
