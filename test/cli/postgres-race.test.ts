// Real processes on one PostgreSQL database through the built CLI (R-USE-3):
// SERIALIZABLE writes with row locks on the counters; a serialization failure
// or deadlock is retried inside wsb and never reaches the user.
import { spawn } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { cleanEnv, WSB, wsb } from '../helpers/cli.js'
import { postgresDatabase } from '../helpers/postgres.js'

function run(args: string[], input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [WSB, ...args], { env: cleanEnv(), stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c) => (stdout += c))
    child.stderr.on('data', (c) => (stderr += c))
    child.on('close', (code) => resolve({ code, stdout, stderr }))
    child.stdin.end(input)
  })
}

describe('PostgreSQL: concurrent reporters', () => {
  it('R-USE-3 8 processes race for C seats of one pool on PostgreSQL: exactly C accepted, the rest rejected, usage verify and doctor clean', async () => {
    const db = await postgresDatabase()
    const cli = (...args: string[]) => wsb([...args, '--json'], { db })
    const capacity = 50
    expect(cli('workspace', 'create', 'Race', '--mode', 'pooled').code).toBe(0)
    cli('account', 'create', 'A', '--currency', 'USD')
    cli('sub', 'add', 'A', '--item', `users=${capacity}`)
    cli('org', 'create', 'Parent')
    cli('org', 'create', 'Child', '--parent', 'Parent')
    cli('org', 'create', 'Other')
    // 8 processes × 20 one-seat reports, each its own transaction, half on a deeper org: 160 asks for 50 seats.
    const lines = (p: number) =>
      Array.from({ length: 20 }, (_, i) => JSON.stringify({ org: i % 2 ? 'Parent/Child' : 'Other', product: 'users', delta: 1, key: `p${p}-${i}` })).join('\n')
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, p) => run(['usage', 'import', '-', '--batch-size', '1', '--json', '--db', db], lines(p))),
    )
    for (const result of results) {
      expect(result.stderr).toBe('')
      expect(result.code).toBe(0)
    }
    const summaries = results.map((r) => JSON.parse(r.stdout) as { accepted: number; rejected: number })
    expect(summaries.reduce((sum, s) => sum + s.accepted, 0)).toBe(50)
    expect(summaries.reduce((sum, s) => sum + s.rejected, 0)).toBe(160 - 50)
    const report = cli('usage', 'report', '--by', 'pool').json()
    expect(report.pools[0].products.find((p: { product: string }) => p.product === 'users')).toMatchObject({ capacity: 50, used: 50, available: 0 })
    expect(cli('usage', 'verify').json()).toMatchObject({ ok: true, ledgerRows: 160, mismatches: [] })
    const doctor = cli('doctor')
    expect(doctor.json()).toMatchObject({ ok: true, violations: [] })
    // The password never appears in what wsb prints.
    const password = new URL(db).password
    expect(results.map((r) => r.stdout + r.stderr).join('') + doctor.stdout + doctor.stderr).not.toContain(password)
  })

  it('R-USE-4 8 processes send the same 30 idempotency keys at once on PostgreSQL: each key is accepted once, the others replay it', async () => {
    const db = await postgresDatabase()
    const cli = (...args: string[]) => wsb([...args, '--json'], { db })
    cli('workspace', 'create', 'Keys', '--mode', 'pooled')
    cli('account', 'create', 'A', '--currency', 'USD')
    cli('sub', 'add', 'A', '--item', 'users=1000')
    cli('org', 'create', 'Team')
    const lines = Array.from({ length: 30 }, (_, i) => JSON.stringify({ org: 'Team', product: 'users', delta: 2, key: `k-${i}` })).join('\n')
    const results = await Promise.all(
      Array.from({ length: 8 }, () => run(['usage', 'import', '-', '--batch-size', '3', '--json', '--db', db], lines)),
    )
    for (const result of results) {
      expect(result.stderr).toBe('')
      expect(result.code).toBe(0)
    }
    const summaries = results.map((r) => JSON.parse(r.stdout) as { accepted: number; rejected: number; replayed: number })
    // Each key is claimed by exactly one process; the 7 other sends of it replay; the level counts it once: 30 × 2.
    expect(summaries.reduce((sum, s) => sum + s.accepted, 0)).toBe(30)
    expect(summaries.reduce((sum, s) => sum + s.replayed, 0)).toBe(210)
    expect(summaries.reduce((sum, s) => sum + s.rejected, 0)).toBe(0)
    const report = cli('usage', 'report', '--by', 'pool').json()
    expect(report.pools[0].products.find((p: { product: string }) => p.product === 'users')).toMatchObject({ used: 60 })
    expect(cli('usage', 'verify').json()).toMatchObject({ ok: true, ledgerRows: 240, mismatches: [] })
    expect(cli('doctor').json()).toMatchObject({ ok: true })
  })
})
