// The workspace API on PostgreSQL itself (R-API-4, R-USE-3): several servers
// and CLI processes on one database keep the pool's bound; the database going
// away answers 503 and the server recovers when it returns, keeping every 200.
// Runs once, in the sqlite project, on databases of its own (as postgres-race).
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { wsb, wsbAsync } from '../helpers/cli.js'
import { postgresDatabase, withDatabase } from '../helpers/postgres.js'
import { startPostgres } from '../helpers/postgres-server.js'
import { call, hammer, pooled, seed, serve } from '../helpers/serve.js'

const importLines = (db: string, input: string) => wsbAsync(['usage', 'import', '-', '--batch-size', '5', '--json'], { db, input })

const acceptedKeys = async (url: string) => {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query<{ key: string; n: string }>("SELECT key, count(*) AS n FROM usage_ledger WHERE outcome = 'accepted' AND key IS NOT NULL GROUP BY key")).rows
  } finally {
    await client.end()
  }
}

const until = async (what: string, done: () => boolean, deadlineMs = 120_000) => {
  const deadline = Date.now() + deadlineMs
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

describe('wsb serve on PostgreSQL', () => {
  it('R-API-4 R-USE-3 two servers on one database race into one pool with CLI imports beside them: exactly the capacity accepted', async () => {
    const db = await postgresDatabase()
    const ws = seed(db, pooled('Shared', 150, [{ name: 'Top', children: [{ name: 'Team' }] }, { name: 'Other' }]))
    const [first, second] = await Promise.all([serve(db), serve(db)])
    try {
      const lines = (tag: string) => Array.from({ length: 60 }, (_, i) => JSON.stringify({ org: i % 2 ? 'Top/Team' : 'Other', product: 'users', delta: 1, key: `${tag}-${i}` })).join('\n')
      const reportOf = (tag: string) => (client: number, i: number) => ({ org: client % 2 ? 'Top/Team' : 'Other', product: 'users', delta: 1, key: `${tag}${client}-${i}` })
      const [a, b, ...imports] = await Promise.all([
        hammer((first as { url: string }).url, ws.write, 32, 4, reportOf('a')),
        hammer((second as { url: string }).url, ws.write, 32, 4, reportOf('b')),
        importLines(db, lines('cli1')),
        importLines(db, lines('cli2')),
      ])
      const answers = [...(a as { status: number; body: any }[]), ...(b as { status: number; body: any }[])]
      expect(answers.filter((x) => x.status !== 200)).toEqual([])
      const summaries = (imports as { code: number; stdout: string; stderr: string }[]).map((r) => {
        expect(r.stderr).toBe('')
        return JSON.parse(r.stdout) as { accepted: number; rejected: number }
      })
      const accepted = answers.filter((x) => x.body.accepted).length + summaries.reduce((sum, s) => sum + s.accepted, 0)
      expect(accepted).toBe(150)
      const cli = (...args: string[]) => wsb([...args, '--json'], { db })
      expect(cli('usage', 'report').json().pools[0].products[0]).toMatchObject({ capacity: 150, used: 150, available: 0 })
      expect(cli('usage', 'verify').json()).toMatchObject({ ok: true, ledgerRows: 256 + 120 })
      expect(cli('doctor').json()).toMatchObject({ ok: true })
    } finally {
      await Promise.all([first?.stop(), second?.stop()])
    }
  })

  it('R-API-4 PostgreSQL stopped and started under load: 503 meanwhile, the server recovers, every 200 kept, retries apply once', async () => {
    const server = await startPostgres()
    try {
      const admin = new pg.Client({ connectionString: server.url })
      await admin.connect()
      await admin.query('CREATE DATABASE wsb_restart')
      await admin.end()
      const db = withDatabase(server.url, 'wsb_restart')
      const ws = seed(db, pooled('Restart', 1_000_000, [{ name: 'Top' }]))
      const api = await serve(db)
      const statuses = new Map<string, number>()
      let ok = 0
      let unavailable = 0
      let done = false
      const clients = Array.from({ length: 4 }, async (_, client) => {
        for (let i = 0; i < 5_000 && !done; i++) {
          const key = `r${client}-${i}`
          try {
            const answer = await call(api.url, 'POST', '/v1/usage', { key: ws.write, body: { org: 'Top', product: 'users', delta: 1, key } })
            statuses.set(key, answer.status)
            if (answer.status === 200) ok++
            else {
              expect(answer.status).toBe(503)
              expect(answer.body.error.code).toBe('DB_UNREACHABLE')
              unavailable++
              await new Promise((resolve) => setTimeout(resolve, 20))
            }
          } catch (error) {
            statuses.set(key, -1)
            throw error
          }
        }
      })
      try {
        await until('answers before the stop', () => ok >= 50)
        server.stopImmediate()
        await until('503 answers while the database is down', () => unavailable >= 10)
        expect((await call(api.url, 'GET', '/readyz')).status).toBe(503)
        await server.restart()
        const before = ok
        await until('answers after the restart', () => ok >= before + 50)
      } finally {
        done = true
        await Promise.all(clients).catch((error) => {
          console.error(`wsb serve's log:\n${api.log()}`)
          throw error
        })
      }
      expect((await call(api.url, 'GET', '/readyz')).status).toBe(200)
      const kept = new Map((await acceptedKeys(db)).map((row) => [row.key, Number(row.n)]))
      for (const [key, status] of statuses) if (status === 200) expect(kept.get(key), key).toBe(1)
      // The 503s are retried with the same keys: each applied once (some may have committed as the connection died).
      for (const [key, status] of statuses)
        if (status !== 200) expect((await call(api.url, 'POST', '/v1/usage', { key: ws.write, body: { org: 'Top', product: 'users', delta: 1, key } })).body.accepted).toBe(true)
      const final = await acceptedKeys(db)
      expect(final.filter((row) => Number(row.n) !== 1)).toEqual([])
      expect(final).toHaveLength(statuses.size)
      expect(api.log()).toMatch(/database unreachable[\s\S]*database reachable again/)
      expect(api.log()).not.toContain(new URL(server.url).password)
      expect((await api.stop()).code).toBe(0)
      expect(wsb(['usage', 'verify', '--json'], { db }).json()).toMatchObject({ ok: true })
    } finally {
      await server.stop()
    }
  })
})
