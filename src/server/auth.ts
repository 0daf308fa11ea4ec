// Who is calling (R-API-2): `Authorization: Bearer KEY`, a workspace API key
// with a scope. No key, or an unknown or revoked one, is 401; a usage:read key
// asking to write is 403 (a usage:write key may also read). A verified key is
// remembered for a second, so a revoke takes effect within one; last use is
// stamped to the minute, written in the background, never once per request.
import type { IncomingMessage } from 'node:http'
import { keyHash } from '../core/apikeys/key.js'
import { type ApiKeyIdentity, verifyApiKey } from '../core/apikeys/verify.js'
import { ExitCode, WsbError } from '../core/errors.js'
import type { ApiKeyScope } from '../core/store/schema/index.js'
import type { Connections } from './connections.js'

export const unauthorized = (message: string) => new WsbError('UNAUTHORIZED', message, ExitCode.invalidInput)

const CACHE_MS = 1_000
const MINUTE = 60_000

export class Auth {
  private readonly cache = new Map<string, { identity: ApiKeyIdentity; until: number }>()
  private readonly uses = new Map<string, number>()

  constructor(private readonly connections: Connections) {}

  /** The key's identity if it may act with `scope`; throws UNAUTHORIZED or FORBIDDEN otherwise. */
  async authenticate(request: IncomingMessage, scope: ApiKeyScope): Promise<ApiKeyIdentity> {
    const header = request.headers.authorization
    if (header === undefined || header.trim() === '') throw unauthorized("no Authorization header: send \"Authorization: Bearer\" and the API key; create a key with: wsb apikey create NAME --scope usage:write")
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header)
    if (!match) throw unauthorized("the Authorization header must be \"Bearer\", a space and the API key")
    const key = match[1] as string
    const hash = keyHash(key)
    const now = Date.now()
    let identity = this.cache.get(hash)
    if (!identity || identity.until < now) {
      this.cache.delete(hash)
      const found = await this.connections.read((db) => verifyApiKey(db, key))
      // Unknown and revoked keys look the same from outside, and are never remembered.
      if (!found) throw unauthorized('the API key is not valid (unknown or revoked)')
      identity = { identity: found, until: now + CACHE_MS }
      if (this.cache.size > 10_000) this.cache.clear()
      this.cache.set(hash, identity)
    }
    const caller = identity.identity
    if (scope === 'usage:write' && caller.scope !== 'usage:write')
      throw new WsbError('FORBIDDEN', `this API key's scope is ${caller.scope}; reporting usage needs a usage:write key`, ExitCode.invalidInput, {
        scope: caller.scope,
        needed: scope,
      })
    const minute = Math.floor(now / MINUTE) * MINUTE
    if (this.uses.get(caller.id) !== minute) this.uses.set(caller.id, minute)
    return caller
  }

  /** Last uses not yet written (taken: the caller writes them). */
  takeUses(): Map<string, number> {
    const taken = new Map(this.uses)
    this.uses.clear()
    return taken
  }
}
