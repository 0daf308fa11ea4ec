// The workspace API over real HTTP (R-API-1, R-API-3, R-API-4): the built
// `wsb serve` on a real database, every answer checked against its OpenAPI
// document, results compared with the CLI's own --json.
import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { wsb } from '../helpers/cli.js'
import { onPostgres } from '../helpers/engine.js'
import { call, pooled, type Served, seed, serve } from '../helpers/serve.js'
import { tempDbPath } from '../helpers/temp.js'

const db = tempDbPath()
let server: Served
let keys: { workspaceId: string; write: string; read: string }
let twin: { workspaceId: string; write: string; read: string }

const cli = (...args: string[]) => wsb([...args, '--workspace', keys.workspaceId, '--json'], { db })
const ledgerRows = () => cli('usage', 'verify').json().ledgerRows as number
const level = (org: string) => cli('usage', 'report', '--by', 'org', '--org', org).json().orgs[0].products.find((p: { product: string }) => p.product === 'users')?.used ?? 0
const report = (body: unknown, key = keys.write) => call(server.url, 'POST', '/v1/usage', { key, body })
const strip = (result: Record<string, unknown>) => {
  const { reportId: _id, at: _at, ...rest } = (result.error ?? result) as Record<string, unknown>
  if (result.error) {
    const { reportId: _r, ...details } = (rest.details ?? {}) as Record<string, unknown>
    return { ...rest, details }
  }
  return rest
}

const tree = [{ name: 'Top', limits: { users: 8 }, children: [{ name: 'Team' }] }, { name: 'Other' }]

beforeAll(async () => {
  keys = seed(db, pooled('Acme', 10, tree))
  twin = seed(db, pooled('Twin', 10, tree))
  server = await serve(db, ['--request-timeout', '3'])
})
afterAll(async () => {
  await server?.stop()
})

describe('POST /v1/usage', () => {
  it('R-API-1 R-USE-4 accepted, replayed with the first answer, a rule rejection is a 200 with reason and binding, a reused key with another body is 409', async () => {
    const first = await report({ org: 'Top/Team', product: 'users', delta: 3, key: 'signup-1' })
    expect(first.status).toBe(200)
    expect(first.body).toMatchObject({ accepted: true, replayed: false, product: 'users', kind: 'delta', delta: 3, level: 3, headroom: 5, binding: { kind: 'limit', limit: 8 } })
    // Committed before the answer: the CLI reads it at once.
    expect(level('Top/Team')).toBe(3)
    const again = await report({ org: 'Top/Team', product: 'users', delta: 3, key: 'signup-1' })
    expect(again.status).toBe(200)
    expect(again.body).toEqual({ ...first.body, replayed: true })
    expect(level('Top/Team')).toBe(3)
    const conflict = await report({ org: 'Top/Team', product: 'users', delta: 4, key: 'signup-1' })
    expect(conflict.status).toBe(409)
    expect(conflict.body.error.code).toBe('IDEMPOTENCY_CONFLICT')
    const over = await report({ org: 'Top/Team', product: 'users', delta: 6 })
    expect(over.status).toBe(200)
    expect(over.body).toMatchObject({ accepted: false, reason: 'LIMIT_EXCEEDED', level: 3, headroom: 5, binding: { kind: 'limit', limit: 8 } })
    expect(over.body.binding.orgId).toBe(cli('org', 'show', 'Top').json().id)
    const pool = await report({ org: 'Other', product: 'users', delta: 8 })
    expect(pool.body).toMatchObject({ accepted: false, reason: 'CAPACITY_EXCEEDED', headroom: 7, binding: { kind: 'pool', poolId: keys.workspaceId } })
    const below = await report({ org: 'Other', product: 'users', delta: -1 })
    expect(below.body).toMatchObject({ accepted: false, reason: 'BELOW_ZERO' })
    expect(level('Top/Team')).toBe(3)
    expect(level('Other')).toBe(0)
    expect(cli('usage', 'verify').json().ok).toBe(true)
  })

  it('R-API-3 the same failures as `usage record --json`: unknown org or product 404, ambiguous 400, nothing applied', async () => {
    const before = level('Top/Team')
    for (const [body, flags] of [
      [{ org: 'Nowhere', product: 'users', delta: 1 }, ['--org', 'Nowhere', '--product', 'users', '--delta', '1']],
      [{ org: 'Top', product: 'seats', delta: 1 }, ['--org', 'Top', '--product', 'seats', '--delta', '1']],
    ] as const) {
      const answer = await report(body)
      const record = cli('usage', 'record', ...flags)
      expect(answer.status).toBe(404)
      expect(record.code).toBe(3)
      expect(strip(answer.body)).toEqual(strip(record.json()))
    }
    expect(level('Top/Team')).toBe(before)
  })

  it('R-API-4 bad input is a 400 with the CLI error object and applies nothing: malformed JSON, wrong types, NaN, negative set, overflow, duplicate or unknown fields', async () => {
    const rows = ledgerRows()
    const bodies = [
      '{"org": "Top", "product": "users", "delta": 1',
      '',
      '[]',
      '{"org": "Top", "product": "users", "delta": "1"}',
      '{"org": "Top", "product": "users", "delta": NaN}',
      '{"org": "Top", "product": "users", "delta": 1.5}',
      '{"org": "Top", "product": "users", "set": -1}',
      '{"org": "Top", "product": "users", "delta": 1e20}',
      '{"org": "Top", "product": "users", "delta": 1, "delta": 2}',
      '{"org": "Top", "product": "users", "delta": 1, "at": "2026-01-01"}',
      '{"org": "Top", "product": "users"}',
      '{"org": "Top", "product": "users", "delta": 1, "set": 1}',
      '{"org": 7, "product": "users", "delta": 1}',
    ]
    for (const raw of bodies) {
      const answer = await call(server.url, 'POST', '/v1/usage', { key: keys.write, raw })
      expect(answer.status, raw).toBe(400)
      expect(answer.body.error.code, raw).toBe('INVALID_INPUT')
      expect(answer.body.error.message.length, raw).toBeGreaterThan(5)
    }
    // The same line through `usage import` is invalid for the same reason.
    const imported = wsb(['usage', 'import', '-', '--results', '-', '--workspace', twin.workspaceId], { db, input: `${bodies[3]}\n` })
    const answer = await call(server.url, 'POST', '/v1/usage', { key: keys.write, raw: bodies[3] })
    expect(JSON.parse(imported.stdout.split('\n')[0] as string).error).toBe(answer.body.error.message)
    expect(ledgerRows()).toBe(rows)
  })

  it('R-API-4 a body over 1 MiB is 413 and applies nothing', async () => {
    const rows = ledgerRows()
    const big = JSON.stringify({ org: 'Top', product: 'users', delta: 1, key: 'x'.repeat(1_100_000) })
    const answer = await call(server.url, 'POST', '/v1/usage', { key: keys.write, raw: big })
    expect(answer.status).toBe(413)
    expect(answer.body.error.code).toBe('BODY_TOO_LARGE')
    const batch = await call(server.url, 'POST', '/v1/usage/batch', { key: keys.write, body: Array.from({ length: 900 }, () => ({ org: 'Top', product: 'users', delta: 1, key: 'k'.repeat(1200) })) })
    expect(batch.status).toBe(413)
    expect(ledgerRows()).toBe(rows)
  })
})

describe('POST /v1/usage/batch', () => {
  it('R-API-4 decisions in a batch equal the same reports sent one by one; an invalid report fails alone', async () => {
    const reports = [
      { org: 'Other', product: 'users', delta: 2, key: 'b-1' },
      { org: 'Other', product: 'users', delta: 'two' },
      { org: 'Top', product: 'users', set: 4 },
      { org: 'Other', product: 'users', delta: 2, key: 'b-1' },
      { org: 'Other', product: 'users', delta: 3, key: 'b-1' },
      { org: 'Nowhere', product: 'users', delta: 1 },
      { org: 'Top', product: 'users', delta: 5 },
      { org: 'Other', product: 'users', set: 0 },
      { org: 'Top/Team', product: 'users', delta: -1 },
    ]
    const fresh = seed(db, pooled('Batch', 10, tree))
    const batch = await call(server.url, 'POST', '/v1/usage/batch', { key: fresh.write, body: reports })
    expect(batch.status).toBe(200)
    const single = []
    for (const body of reports) single.push((await call(server.url, 'POST', '/v1/usage', { key: twin.write, body })).body)
    // Ids and names differ between the workspaces: compare what was decided.
    const decided = (r: any) =>
      r.error
        ? { code: r.error.code, level: r.error.details.level, headroom: r.error.details.headroom, requested: r.error.details.requested }
        : { accepted: r.accepted, replayed: r.replayed, reason: r.reason, kind: r.kind, requested: r.requested, delta: r.delta, level: r.level, headroom: r.headroom, binding: r.binding?.kind ?? null }
    expect(batch.body.results.map(decided)).toEqual(single.map(decided))
    expect(batch.body.results[1].error).toMatchObject({ code: 'INVALID_INPUT', details: { index: 1 } })
    expect(batch.body).toMatchObject({ accepted: 3, replayed: 1, rejected: 4, invalid: 1 })
    expect(wsb(['usage', 'verify', '--workspace', fresh.workspaceId, '--json'], { db }).json()).toMatchObject({ ok: true, ledgerRows: 8 })
  })

  it('R-API-4 a body that is not a JSON array of objects, or holds over 1,000 reports, is 400 and applies nothing', async () => {
    const rows = ledgerRows()
    for (const raw of ['{"org": "Top"}', '[1, 2]', '[{"org": "Top", "product": "users", "delta": 1}, null]', '[[]]', 'not json']) {
      const answer = await call(server.url, 'POST', '/v1/usage/batch', { key: keys.write, raw })
      expect(answer.status, raw).toBe(400)
      expect(answer.body.error.code).toBe('INVALID_INPUT')
    }
    const many = Array.from({ length: 1001 }, () => ({ org: 'Top', product: 'users', delta: 0 }))
    const over = await call(server.url, 'POST', '/v1/usage/batch', { key: keys.write, body: many })
    expect(over.status).toBe(400)
    expect(over.body.error.details).toMatchObject({ reports: 1001, limit: 1000 })
    expect(ledgerRows()).toBe(rows)
  })

  it('R-PM-2 issue 21: a report of a batch naming a NUL, an unpaired surrogate or a card number fails alone, as the same line of usage import does', async () => {
    const rows = ledgerRows()
    const card = '4242 4242 4242 4242'
    const body = [
      { org: 'Top\u0000', product: 'users', delta: 1 },
      { org: 'Top', product: 'users', delta: 0, key: 'half-\ud800' },
      { org: card, product: 'users', delta: 1 },
      { org: 'Top', product: 'users', delta: 0, key: 'fine-batch-text' },
    ]
    const answer = await call(server.url, 'POST', '/v1/usage/batch', { key: keys.write, body })
    expect(answer.status).toBe(200)
    expect(answer.body).toMatchObject({ invalid: 3, accepted: 1 })
    expect(answer.body.results.slice(0, 3).map((r: { error?: { code: string; details: { index: number } } }) => [r.error?.code, r.error?.details.index])).toEqual([
      ['INVALID_INPUT', 0],
      ['INVALID_INPUT', 1],
      ['INVALID_INPUT', 2],
    ])
    expect(JSON.stringify(answer.body)).not.toContain('4242')
    expect(ledgerRows()).toBe(rows + 1)
  })
})

describe('reads', () => {
  it('R-API-1 GET /v1/check says whether an increase fits now and what binds, and writes nothing', async () => {
    const ws = seed(db, pooled('Check', 10, tree))
    await call(server.url, 'POST', '/v1/usage', { key: ws.write, body: { org: 'Top/Team', product: 'users', delta: 6 } })
    const rows = wsb(['usage', 'verify', '--workspace', ws.workspaceId, '--json'], { db }).json().ledgerRows
    const fits = await call(server.url, 'GET', '/v1/check?org=Top%2FTeam&product=users&quantity=2', { key: ws.read })
    expect(fits.body).toMatchObject({ accepted: true, quantity: 2, level: 6, headroom: 2, binding: { kind: 'limit', limit: 8 } })
    const over = await call(server.url, 'GET', '/v1/check?org=Top%2FTeam&product=users&quantity=3', { key: ws.read })
    expect(over.body).toMatchObject({ accepted: false, reason: 'LIMIT_EXCEEDED', headroom: 2 })
    const pool = await call(server.url, 'GET', '/v1/check?org=Other&product=users&quantity=5', { key: ws.write })
    expect(pool.body).toMatchObject({ accepted: false, reason: 'CAPACITY_EXCEEDED', headroom: 4, binding: { kind: 'pool', poolId: ws.workspaceId } })
    // What the check says is what a report gets.
    expect((await call(server.url, 'POST', '/v1/usage', { key: ws.write, body: { org: 'Other', product: 'users', delta: 5 } })).body).toMatchObject({ accepted: false, reason: 'CAPACITY_EXCEEDED', headroom: 4 })
    expect((await call(server.url, 'GET', '/v1/check?org=Nowhere&product=users', { key: ws.read })).status).toBe(404)
    // An unknown product is said as usage record says it, with the products it may have meant.
    const typo = await call(server.url, 'GET', '/v1/check?org=Top%2FTeam&product=userz', { key: ws.read })
    expect([typo.status, typo.body.error.message]).toEqual([404, 'product "userz" not found; did you mean "users"?'])
    expect((await call(server.url, 'GET', '/v1/check?org=Top&product=nope', { key: ws.read })).status).toBe(404)
    for (const query of ['org=Top', 'org=Top&product=users&quantity=0', 'org=Top&product=users&quantity=-1', 'org=Top&product=users&quantity=x', 'org=Top&product=users&nope=1', 'org=Top&org=Other&product=users'])
      expect((await call(server.url, 'GET', `/v1/check?${query}`, { key: ws.read })).status, query).toBe(400)
    expect(wsb(['usage', 'verify', '--workspace', ws.workspaceId, '--json'], { db }).json().ledgerRows).toBe(rows + 1)
  })

  it('R-API-3 pool, org and history reads are the CLI JSON of usage report and usage history', async () => {
    const read = (path: string) => call(server.url, 'GET', path, { key: keys.read })
    expect((await read('/v1/usage/pools')).body).toEqual(cli('usage', 'report', '--by', 'pool').json())
    expect((await read('/v1/usage/orgs')).body).toEqual(cli('usage', 'report', '--by', 'org').json())
    expect((await read('/v1/usage/orgs?org=Top')).body).toEqual(cli('usage', 'report', '--by', 'org', '--org', 'Top').json())
    expect((await read('/v1/usage/history?product=users&org=Top&subtree=true&bucket=hour&from=2025-12-31T00:00:00Z')).body).toEqual(
      cli('usage', 'history', '--product', 'users', '--org', 'Top', '--subtree', '--bucket', 'hour', '--from', '2025-12-31T00:00:00Z').json(),
    )
    expect((await read(`/v1/usage/history?product=users&pool=${keys.workspaceId}`)).body).toEqual(cli('usage', 'history', '--product', 'users', '--pool', keys.workspaceId).json())
    expect((await read('/v1/usage/history?product=users&bucket=year')).status).toBe(400)
    expect((await read('/v1/usage/orgs?org=Nowhere')).status).toBe(404)
  })

  it('health, readiness, metrics and the OpenAPI document need no key', async () => {
    expect((await call(server.url, 'GET', '/healthz')).body).toEqual({ ok: true })
    expect((await call(server.url, 'GET', '/readyz')).body).toMatchObject({ ok: true, engine: expect.stringMatching(/sqlite|postgres/) })
    const metrics = await call(server.url, 'GET', '/metrics')
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    expect(metrics.text).toMatch(/wsb_http_requests_total\{route="\/v1\/usage",status="200"\} [1-9]/)
    expect(metrics.text).toMatch(/wsb_usage_reports_total\{outcome="accepted"\} [1-9]/)
    expect(metrics.text).toMatch(/wsb_commit_batch_reports_count [1-9]/)
    expect(metrics.text).toMatch(/wsb_commit_seconds_bucket\{le="\+Inf"\} [1-9]/)
    expect(metrics.text).toMatch(/wsb_queue_reports 0/)
    const document = (await call(server.url, 'GET', '/v1/openapi.json')).body
    expect(document.openapi).toBe('3.1.0')
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/v1/usage', '/v1/usage/batch', '/v1/check', '/v1/usage/pools', '/v1/usage/orgs', '/v1/usage/history']))
    // Generated from the schema that validates reports: its fields and bounds.
    expect(document.paths['/v1/usage'].post.requestBody.content['application/json'].schema).toMatchObject({
      type: 'object',
      required: ['org', 'product'],
      additionalProperties: false,
      properties: { key: { maxLength: 200 } },
    })
  })

  it('an unknown route is 404 and a wrong method 405, as error objects', async () => {
    expect((await call(server.url, 'GET', '/v2/usage')).body.error.code).toBe('ROUTE_NOT_FOUND')
    const wrong = await call(server.url, 'GET', '/v1/usage', { key: keys.write })
    expect(wrong.status).toBe(405)
    expect(wrong.headers.get('allow')).toBe('POST')
  })
})

describe('slow clients', () => {
  it('R-API-4 a client that stalls mid-body times out (408) without holding back anyone else', async () => {
    const socket = connect(Number(new URL(server.url).port), '127.0.0.1')
    let received = ''
    socket.on('data', (chunk) => (received += chunk))
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()))
    await new Promise<void>((resolve) => socket.on('connect', () => resolve()))
    socket.write(`POST /v1/usage HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${keys.write}\r\nContent-Type: application/json\r\nContent-Length: 60\r\n\r\n{"org": "Other", "prod`)
    // Others are served while it stalls.
    const other = await report({ org: 'Other', product: 'users', delta: 1, key: 'while-stalled' })
    expect(other.body).toMatchObject({ accepted: true })
    await closed
    expect(received).toMatch(/^HTTP\/1\.1 408/)
    expect(cli('usage', 'verify').json().ok).toBe(true)
  })
})

describe('the serve command', () => {
  it('refuses a malformed --listen or a taken port (exit 2) and a missing database (exit 3), naming the problem', async () => {
    const bad = wsb(['serve', '--listen', 'localhost'], { db })
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/--listen: "localhost" is not HOST:PORT/)
    const taken = wsb(['serve', '--listen', `127.0.0.1:${new URL(server.url).port}`], { db })
    expect(taken.code).toBe(2)
    expect(taken.stderr).toMatch(/cannot listen on 127\.0\.0\.1:\d+.*\[LISTEN_FAILED\]/)
    // A SQLite path that names no file (on PostgreSQL a test path stands for a database of its own).
    if (onPostgres) return
    const missing = wsb(['serve'], { db: `${db}.missing.sqlite` })
    expect(missing.code).toBe(3)
    expect(missing.stderr).toContain('DB_NOT_FOUND')
  })
})
