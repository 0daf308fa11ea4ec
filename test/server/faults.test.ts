// Faults (R-API-4): SIGKILL of the server mid-load keeps every 200, and a
// client retrying what went unanswered with the same keys ends with each
// report applied exactly once; SIGTERM drains — what was received is
// committed and answered — and exits 0.
import { describe, expect, it } from 'vitest'
import { wsb } from '../helpers/cli.js'
import { engineAll } from '../helpers/engine.js'
import { call, pooled, seed, serve } from '../helpers/serve.js'
import { tempDbPath } from '../helpers/temp.js'

const body = (key: string) => ({ org: 'Top/Team', product: 'users', delta: 1, key })
const acceptedKeys = (db: string) =>
  engineAll<{ key: string; n: number }>(db, "SELECT key, count(*) AS n FROM usage_ledger WHERE outcome = 'accepted' AND key IS NOT NULL GROUP BY key")

describe('faults', () => {
  it('R-API-4 R-USE-4 after SIGKILL mid-load every 200 is in the database; retrying the unanswered with the same keys applies each exactly once', async () => {
    const db = tempDbPath()
    const ws = seed(db, pooled('Crash', 1_000_000, [{ name: 'Top', children: [{ name: 'Team' }] }]))
    const server = await serve(db)
    const answered = new Set<string>()
    const unanswered = new Set<string>()
    let killed = false
    const clients = Array.from({ length: 16 }, async (_, client) => {
      for (let i = 0; i < 400 && !killed; i++) {
        const key = `k${client}-${i}`
        try {
          const answer = await call(server.url, 'POST', '/v1/usage', { key: ws.write, body: body(key) })
          if (answer.status === 200 && answer.body.accepted) answered.add(key)
          else unanswered.add(key)
        } catch {
          unanswered.add(key)
        }
      }
    })
    while (answered.size < 150) await new Promise((resolve) => setTimeout(resolve, 20))
    server.child.kill('SIGKILL')
    killed = true
    await Promise.all(clients)
    expect((await server.exited).signal).toBe('SIGKILL')
    // Every 200 is kept.
    const kept = new Map(acceptedKeys(db).map((row) => [row.key, Number(row.n)]))
    for (const key of answered) expect(kept.get(key), key).toBe(1)

    const again = await serve(db)
    try {
      // The client retries what got no answer, and (harmlessly) some that did.
      const retries = [...unanswered, ...[...answered].slice(0, 20)]
      for (const key of retries) {
        const answer = await call(again.url, 'POST', '/v1/usage', { key: ws.write, body: body(key) })
        expect(answer.status).toBe(200)
        expect(answer.body.accepted).toBe(true)
        // Committed before the kill: a replay of the first answer, never a second application.
        expect(answer.body.replayed).toBe(answered.has(key) || kept.has(key))
      }
    } finally {
      expect((await again.stop()).code).toBe(0)
    }
    const final = acceptedKeys(db)
    expect(final.filter((row) => Number(row.n) !== 1)).toEqual([])
    expect(final).toHaveLength(answered.size + unanswered.size)
    const cli = (...args: string[]) => wsb([...args, '--workspace', ws.workspaceId, '--json'], { db })
    expect(cli('usage', 'report', '--by', 'org', '--org', 'Top/Team').json().orgs[0].products[0].used).toBe(answered.size + unanswered.size)
    expect(cli('usage', 'verify').json().ok).toBe(true)
    const doctor = wsb(['doctor', '--json'], { db })
    expect(doctor.code, doctor.stdout).toBe(0)
  })

  it('R-API-4 SIGTERM drains: reports received are committed and answered, the rest refused, exit 0', async () => {
    const db = tempDbPath()
    const ws = seed(db, pooled('Drain', 1_000_000, [{ name: 'Top', children: [{ name: 'Team' }] }]))
    const server = await serve(db)
    let first: () => void = () => undefined
    const firstAnswer = new Promise<void>((resolve) => (first = resolve))
    const results = Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        try {
          const answer = await call(server.url, 'POST', '/v1/usage', { key: ws.write, body: body(`d${i}`) })
          first()
          return { key: `d${i}`, status: answer.status, body: answer.body }
        } catch (error) {
          return { key: `d${i}`, status: -1, body: { error: String(error) } }
        }
      }),
    )
    await firstAnswer
    server.child.kill('SIGTERM')
    const answers = await results
    const exit = await server.exited
    expect(exit, server.log()).toEqual({ code: 0, signal: null })
    expect(server.log()).toMatch(/stopping reason=SIGTERM[\s\S]*stopped reason=SIGTERM/)
    const ok = answers.filter((a) => a.status === 200)
    // Refused ones were refused whole: 503 while draining, or no connection once closed.
    for (const answer of answers.filter((a) => a.status !== 200)) expect([503, -1]).toContain(answer.status)
    for (const answer of answers.filter((a) => a.status === 503)) expect(answer.body.error.code).toBe('SHUTTING_DOWN')
    expect(ok.length).toBeGreaterThan(0)
    // What was answered 200 is exactly what is in the database.
    expect(new Set(acceptedKeys(db).map((row) => row.key))).toEqual(new Set(ok.map((a) => a.key)))
    expect(wsb(['usage', 'verify', '--workspace', ws.workspaceId, '--json'], { db }).json()).toMatchObject({ ok: true, ledgerRows: ok.length })
  })
})
