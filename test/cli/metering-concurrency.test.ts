// Real processes on one database file (R-USE-3): never over-allocated, no
// accepted report lost, no SQLITE_BUSY reaching anyone.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { tempDbPath } from '../helpers/temp.js'
import { cleanEnv, engineDb, WSB, wsb } from '../helpers/cli.js'

const loop = fileURLToPath(new URL('../fixtures/report-loop.ts', import.meta.url))

function run(command: string[], input?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, command, { env: cleanEnv(), stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c) => (stdout += c))
    child.stderr.on('data', (c) => (stderr += c))
    child.on('close', (code) => resolve({ code, stdout, stderr }))
    child.stdin.end(input ?? '')
  })
}

function setup(capacity: number) {
  const db = tempDbPath()
  const cli = (...args: string[]) => wsb([...args, '--json'], { db })
  cli('workspace', 'create', 'Race', '--mode', 'pooled')
  cli('account', 'create', 'A', '--currency', 'USD')
  cli('sub', 'add', 'A', '--item', `users=${capacity}`)
  cli('org', 'create', 'Parent')
  cli('org', 'create', 'Child', '--parent', 'Parent')
  return { db, cli }
}

describe('concurrent reporters', () => {
  it('R-USE-3 four processes, one transaction per report: exactly C accepted, verify clean, no busy errors', async () => {
    const capacity = 150
    const { db, cli } = setup(capacity)
    const startAt = String(Date.now() + 2500)
    const results = await Promise.all(
      [0, 1, 2, 3].map((i) => run(['--import', 'tsx', loop, engineDb(db), 'Race', 'Parent/Child', '60', startAt, `p${i}`])),
    )
    const parsed = results.map((r) => JSON.parse(r.stdout) as { accepted: number; rejected: number; errors: string[] })
    expect(parsed.flatMap((p) => p.errors)).toEqual([])
    expect(parsed.reduce((sum, p) => sum + p.accepted, 0)).toBe(capacity)
    expect(parsed.reduce((sum, p) => sum + p.rejected, 0)).toBe(240 - capacity)
    const report = cli('usage', 'report', '--by', 'pool').json()
    expect(report.pools[0].products.find((p: { product: string }) => p.product === 'users')).toMatchObject({ capacity, used: capacity, available: 0 })
    expect(cli('usage', 'verify').json()).toMatchObject({ ok: true, ledgerRows: 240 })
  })

  it('R-USE-3 four concurrent `usage import -` streams against one limit never pass it', async () => {
    const { db, cli } = setup(1000)
    cli('org', 'limit', 'set', 'Parent', 'users=333')
    const lines = (tag: string) =>
      Array.from({ length: 200 }, (_, i) => JSON.stringify({ org: 'Parent/Child', product: 'users', delta: 1, key: `${tag}-${i}` })).join('\n')
    const results = await Promise.all(
      ['a', 'b', 'c', 'd'].map((tag) => run([WSB, 'usage', 'import', '-', '--batch-size', '7', '--json', '--db', engineDb(db)], lines(tag))),
    )
    for (const result of results) expect(result.stderr).toBe('')
    const summaries = results.map((r) => JSON.parse(r.stdout))
    expect(summaries.reduce((sum, s) => sum + s.accepted, 0)).toBe(333)
    expect(summaries.reduce((sum, s) => sum + s.rejected, 0)).toBe(800 - 333)
    const parent = cli('usage', 'report', '--by', 'org', '--org', 'Parent').json().orgs[0]
    expect(parent.products.find((p: { product: string }) => p.product === 'users')).toMatchObject({ subtreeUsed: 333, limit: 333, headroom: 0 })
    expect(cli('usage', 'verify').code).toBe(0)
  })
})
