// API keys (R-API-2): shown once, stored hashed, scoped, never reaching
// another workspace, refused once revoked, in no log, event or output after.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { wsb } from '../helpers/cli.js'
import { engineAll } from '../helpers/engine.js'
import { call, pooled, type Served, seed, serve } from '../helpers/serve.js'
import { tempDbPath } from '../helpers/temp.js'

const db = tempDbPath()
let server: Served
let a: ReturnType<typeof seed>
let b: ReturnType<typeof seed>
const tree = [{ name: 'Top', children: [{ name: 'Team' }] }]
const body = { org: 'Top', product: 'users', delta: 1 }
const levelIn = (workspaceId: string) => wsb(['usage', 'report', '--by', 'pool', '--workspace', workspaceId, '--json'], { db }).json().pools[0].products[0].used

beforeAll(async () => {
  a = seed(db, pooled('Alpha', 50, tree))
  b = seed(db, pooled('Beta', 50, tree))
  server = await serve(db)
})
afterAll(async () => {
  await server?.stop()
})

describe('API keys', () => {
  it('R-API-2 no key, a malformed header or an unknown key is 401 with WWW-Authenticate, and applies nothing', async () => {
    const unknown = `wsbk_${'A'.repeat(32)}`
    for (const headers of [{} as Record<string, string>, { authorization: 'Basic abc' }, { authorization: 'Bearer' }, { authorization: `Bearer ${unknown}` }, { authorization: 'Bearer not-a-key' }]) {
      const answer = await call(server.url, 'POST', '/v1/usage', { headers, body })
      expect(answer.status, JSON.stringify(headers)).toBe(401)
      expect(answer.body.error.code).toBe('UNAUTHORIZED')
      expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer/)
      expect(answer.text).not.toContain(unknown)
    }
    // The hints say what to send, whole (redaction once turned "Bearer KEY" into "Bearer [redacted]").
    expect((await call(server.url, 'POST', '/v1/usage', { headers: {}, body })).body.error.message).toContain('send "Authorization: Bearer" and the API key; create a key with: wsb apikey create')
    expect((await call(server.url, 'POST', '/v1/usage', { headers: { authorization: 'Basic abc' }, body })).body.error.message).toBe('the Authorization header must be "Bearer", a space and the API key')
    expect((await call(server.url, 'GET', '/v1/usage/pools')).status).toBe(401)
    expect(levelIn(a.workspaceId)).toBe(0)
  })

  it('R-API-2 a usage:read key reads and checks but cannot write (403); a usage:write key does both', async () => {
    const refused = await call(server.url, 'POST', '/v1/usage', { key: a.read, body })
    expect(refused.status).toBe(403)
    expect(refused.body.error).toMatchObject({ code: 'FORBIDDEN', details: { scope: 'usage:read', needed: 'usage:write' } })
    expect((await call(server.url, 'POST', '/v1/usage/batch', { key: a.read, body: [body] })).status).toBe(403)
    expect(levelIn(a.workspaceId)).toBe(0)
    expect((await call(server.url, 'GET', '/v1/check?org=Top&product=users', { key: a.read })).status).toBe(200)
    expect((await call(server.url, 'GET', '/v1/usage/pools', { key: a.read })).status).toBe(200)
    expect((await call(server.url, 'POST', '/v1/usage', { key: a.write, body })).body.accepted).toBe(true)
    expect((await call(server.url, 'GET', '/v1/usage/orgs', { key: a.write })).status).toBe(200)
  })

  it("R-API-2 a key of one workspace never reads or writes another's: its orgs are not found, its reads show only its own", async () => {
    const betaTop = wsb(['org', 'show', 'Top', '--workspace', b.workspaceId, '--json'], { db }).json().id as string
    const before = levelIn(b.workspaceId)
    // Beta's org by id, with Alpha's key: not found in Alpha, nothing applied in Beta.
    const cross = await call(server.url, 'POST', '/v1/usage', { key: a.write, body: { org: betaTop, product: 'users', delta: 1 } })
    expect(cross.status).toBe(404)
    expect((await call(server.url, 'POST', '/v1/usage/batch', { key: a.write, body: [{ org: betaTop, product: 'users', delta: 1 }] })).body.results[0].error.code).toBe('NOT_FOUND')
    expect(levelIn(b.workspaceId)).toBe(before)
    expect((await call(server.url, 'GET', `/v1/check?org=${betaTop}&product=users`, { key: a.read })).status).toBe(404)
    expect((await call(server.url, 'GET', `/v1/usage/orgs?org=${betaTop}`, { key: a.read })).status).toBe(404)
    expect((await call(server.url, 'GET', `/v1/usage/history?product=users&pool=${b.workspaceId}`, { key: a.read })).status).toBe(404)
    const pools = (await call(server.url, 'GET', '/v1/usage/pools', { key: a.read })).body.pools
    expect(pools.map((p: { id: string }) => p.id)).toEqual([a.workspaceId])
    const orgs = (await call(server.url, 'GET', '/v1/usage/orgs', { key: b.read })).body.orgs
    expect(orgs.map((o: { id: string }) => o.id)).toContain(betaTop)
    // The same names in Beta with Beta's key land in Beta.
    expect((await call(server.url, 'POST', '/v1/usage', { key: b.write, body })).body.orgId).toBe(betaTop)
    expect(levelIn(b.workspaceId)).toBe(before + 1)
  })

  it('R-API-2 a revoked key is refused within a second; apikey list shows it revoked and when keys were last used', async () => {
    const made = wsb(['apikey', 'create', 'short-lived', '--scope', 'usage:write', '--workspace', a.workspaceId, '--json'], { db }).json()
    expect((await call(server.url, 'POST', '/v1/usage', { key: made.key, body })).status).toBe(200)
    const revoked = wsb(['apikey', 'revoke', 'short-lived', '--workspace', a.workspaceId, '--json'], { db })
    expect(revoked.code).toBe(0)
    expect(revoked.json()).toMatchObject({ id: made.id, revokedAt: expect.any(String) })
    // Keys are remembered for at most a second after a lookup: poll until refused.
    let status = 200
    for (let attempt = 0; attempt < 100 && status !== 401; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      status = (await call(server.url, 'POST', '/v1/usage', { key: made.key, body: { ...body, delta: 0 } })).status
    }
    expect(status).toBe(401)
    // Still refused after the cache would have expired, and the other keys work.
    await new Promise((resolve) => setTimeout(resolve, 1100))
    expect((await call(server.url, 'GET', '/v1/usage/pools', { key: made.key })).status).toBe(401)
    expect((await call(server.url, 'GET', '/v1/usage/pools', { key: a.read })).status).toBe(200)
    const again = wsb(['apikey', 'create', 'short-lived', '--scope', 'usage:read', '--workspace', a.workspaceId, '--json'], { db })
    expect(again.code).toBe(0)
    const duplicate = wsb(['apikey', 'create', 'short-lived', '--scope', 'usage:read', '--workspace', a.workspaceId, '--json'], { db })
    expect(duplicate.json().error.code).toBe('NAME_TAKEN')
  })

  it('R-API-2 a key is shown once: only its hash is stored, and it is in no list, event, log line or error afterwards', async () => {
    const made = wsb(['apikey', 'create', 'audited', '--scope', 'usage:write', '--workspace', a.workspaceId, '--json'], { db })
    const key = made.json().key as string
    expect(key).toMatch(/^wsbk_[0-9A-Za-z]{32}$/)
    await call(server.url, 'POST', '/v1/usage', { key, body })
    await call(server.url, 'POST', '/v1/usage', { key, raw: '{broken' })
    await call(server.url, 'POST', '/v1/usage', { key: `${key}x`, body })
    // A key sent by mistake where an org goes is not echoed back in the error.
    const mistaken = await call(server.url, 'POST', '/v1/usage', { key, body: { org: key, product: 'users', delta: 1 } })
    expect(mistaken.status).toBe(404)
    expect(mistaken.text).toContain('wsbk_[redacted]')
    const outputs = [
      wsb(['apikey', 'list', '--workspace', a.workspaceId, '--json'], { db }).stdout,
      wsb(['apikey', 'list', '--workspace', a.workspaceId], { db }).stdout,
      wsb(['events', '--workspace', a.workspaceId, '--kind', 'apikey', '--json'], { db }).stdout,
      wsb(['apikey', 'revoke', key, '--workspace', a.workspaceId, '--json'], { db }).stdout,
      JSON.stringify(engineAll(db, 'SELECT * FROM api_keys')),
      server.log(),
    ]
    for (const output of outputs) expect(output).not.toContain(key.slice(13))
    expect(mistaken.text).not.toContain(key.slice(13))
    const listed = JSON.parse(outputs[0] as string).apiKeys.find((k: { name: string }) => k.name === 'audited')
    expect(listed).toMatchObject({ prefix: key.slice(0, 13), scope: 'usage:write' })
    expect(JSON.parse(outputs[2] as string).events.map((e: { kind: string }) => e.kind)).toEqual(expect.arrayContaining(['apikey.created', 'apikey.revoked']))
  })

  it('R-API-2 last use is written when the server stops (to the minute), not once per request', async () => {
    const own = await serve(db)
    const made = wsb(['apikey', 'create', 'stamped', '--scope', 'usage:read', '--workspace', a.workspaceId, '--json'], { db }).json()
    expect(made.lastUsedAt).toBe(null)
    const rows = () => engineAll<{ n: number }>(db, 'SELECT count(*) AS n FROM events')[0]?.n
    const events = rows()
    const minute = Math.floor(Date.now() / 60_000) * 60_000
    for (let i = 0; i < 5; i++) expect((await call(own.url, 'GET', '/v1/usage/pools', { key: made.key })).status).toBe(200)
    const listed = () => wsb(['apikey', 'list', '--workspace', a.workspaceId, '--json'], { db }).json().apiKeys.find((k: { id: string }) => k.id === made.id)
    expect(listed().lastUsedAt).toBe(null)
    expect((await own.stop()).code).toBe(0)
    const used = Date.parse(listed().lastUsedAt)
    // To the minute, and never before the key was made (a key used in its first minute: its creation time).
    const created = Date.parse(made.createdAt)
    expect(used === created || used % 60_000 === 0).toBe(true)
    expect(used).toBeGreaterThanOrEqual(Math.max(minute, created))
    expect(used).toBeLessThanOrEqual(Date.now())
    expect(rows()).toBe(events)
  })
})
