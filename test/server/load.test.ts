// Many clients at once (R-API-4, R-USE-3): 64 concurrent callers into one pool
// and into 8 pools over real HTTP. Exactly the capacity is accepted, never
// more; every 200 is kept (accepted count = the pool's usage, ledger rows =
// answers); a full queue answers 429 and applies nothing.
import { afterAll, describe, expect, it } from 'vitest'
import { wsb } from '../helpers/cli.js'
import { call, hammer, pooled, type Served, seed, serve } from '../helpers/serve.js'
import { tempDbPath } from '../helpers/temp.js'

const servers: Served[] = []
afterAll(async () => {
  for (const server of servers) await server.stop()
})

const verify = (db: string, workspaceId: string) => wsb(['usage', 'verify', '--workspace', workspaceId, '--json'], { db }).json()

describe('64 concurrent clients', () => {
  it('R-API-4 R-USE-3 into one pool: exactly the capacity accepted, limits held, every 200 kept, verify clean', async () => {
    const db = tempDbPath()
    const ws = seed(db, pooled('One', 200, [{ name: 'Top', limits: { users: 60 } }, { name: 'B' }, { name: 'C' }, { name: 'D' }]))
    const server = await serve(db)
    servers.push(server)
    const orgs = ['Top', 'B', 'C', 'D']
    const answers = await hammer(server.url, ws.write, 64, 6, (client, i) => ({ org: orgs[client % 4], product: 'users', delta: 1, key: `c${client}-${i}` }))
    expect(answers.filter((a) => a.status !== 200), server.log()).toEqual([])
    const accepted = answers.filter((a) => a.body.accepted)
    expect(accepted).toHaveLength(200)
    expect(accepted.filter((a) => (a.report as { org: string }).org === 'Top').length).toBeLessThanOrEqual(60)
    expect(answers.filter((a) => !a.body.accepted).every((a) => ['CAPACITY_EXCEEDED', 'LIMIT_EXCEEDED'].includes(a.body.reason))).toBe(true)
    const pool = wsb(['usage', 'report', '--workspace', ws.workspaceId, '--json'], { db }).json().pools[0].products[0]
    expect(pool).toMatchObject({ capacity: 200, used: 200, available: 0 })
    expect(verify(db, ws.workspaceId)).toMatchObject({ ok: true, ledgerRows: 384 })
    // Reports arriving together shared commits.
    const metrics = (await call(server.url, 'GET', '/metrics')).text
    const commits = Number(/wsb_commit_batch_reports_count (\d+)/.exec(metrics)?.[1])
    expect(commits).toBeGreaterThan(0)
    expect(commits).toBeLessThanOrEqual(384)
  })

  it('R-API-4 R-USE-3 into 8 pools: each pool takes exactly its capacity', async () => {
    const db = tempDbPath()
    const document = {
      version: 1,
      workspace: { name: 'Eight', mode: 'assigned', testClock: true, clockStart: '2026-01-01T00:00:00Z' },
      organizations: Array.from({ length: 8 }, (_, p) => ({ name: `Region ${p}`, children: [{ name: 'Team' }] })),
      accounts: Array.from({ length: 8 }, (_, p) => ({ name: `Account ${p}`, currency: 'USD', organization: `Region ${p}`, subscriptions: [{ label: 'main', items: { users: 30 } }] })),
    }
    const ws = seed(db, document)
    const server = await serve(db)
    servers.push(server)
    const answers = await hammer(server.url, ws.write, 64, 6, (client, i) => ({ org: `Region ${client % 8}${client % 2 ? '/Team' : ''}`, product: 'users', delta: 1, key: `e${client}-${i}` }))
    expect(answers.filter((a) => a.status !== 200), server.log()).toEqual([])
    for (let p = 0; p < 8; p++) {
      const mine = answers.filter((a) => (a.report as { org: string }).org.startsWith(`Region ${p}`))
      expect(mine).toHaveLength(48)
      expect(mine.filter((a) => a.body.accepted)).toHaveLength(30)
    }
    const pools = wsb(['usage', 'report', '--workspace', ws.workspaceId, '--json'], { db }).json().pools
    expect(pools.map((pool: { products: { used: number }[] }) => pool.products[0]?.used)).toEqual(Array(8).fill(30))
    expect(verify(db, ws.workspaceId)).toMatchObject({ ok: true, ledgerRows: 384 })
  })

  it('R-API-4 a full queue answers 429 with Retry-After and applies nothing', async () => {
    const db = tempDbPath()
    const ws = seed(db, pooled('Queue', 100_000, [{ name: 'Top' }]))
    const server = await serve(db, ['--max-queue', '1'])
    servers.push(server)
    const all: { status: number; headers: Headers; body: any }[] = []
    // Bursts until some arrive while others wait (how many depends on the machine's timing).
    for (let burst = 0; burst < 20 && !all.some((a) => a.status === 429); burst++)
      all.push(...(await Promise.all(Array.from({ length: 64 }, (_, i) => call(server.url, 'POST', '/v1/usage', { key: ws.write, body: { org: 'Top', product: 'users', delta: 1, key: `q${burst}-${i}` } })))))
    const full = all.filter((a) => a.status === 429)
    expect(full.length).toBeGreaterThan(0)
    for (const answer of full) {
      expect(answer.headers.get('retry-after')).toBe('1')
      expect(answer.body.error.code).toBe('QUEUE_FULL')
    }
    const ok = all.filter((a) => a.status === 200)
    expect(ok.length + full.length).toBe(all.length)
    // Every 200 is one ledger row and one unit of usage; every 429 is none.
    expect(verify(db, ws.workspaceId)).toMatchObject({ ok: true, ledgerRows: ok.length })
    expect(wsb(['usage', 'report', '--workspace', ws.workspaceId, '--json'], { db }).json().pools[0].products[0].used).toBe(ok.length)
  })
})
