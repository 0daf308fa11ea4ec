// SIGKILL in the middle of an import (R-USE-3, quality bar): nothing accepted
// before the kill is lost, nothing half-applied remains, and re-running the
// same file with the same keys finishes the work without double counting.
import { spawn } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { tempDir } from '../helpers/temp.js'
import { cleanEnv, WSB, wsb } from '../helpers/cli.js'

const countLines = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean).length : 0)

describe('crash safety', () => {
  it('R-USE-5 SIGKILL mid-import loses no accepted report; a re-run completes it exactly once', async () => {
    const dir = tempDir()
    const db = join(dir, 'wsb.sqlite')
    const cli = (...args: string[]) => wsb([...args, '--json'], { db })
    cli('workspace', 'create', 'Crash', '--mode', 'single')
    cli('account', 'create', 'A', '--currency', 'USD')
    cli('sub', 'add', 'A', '--item', 'users=10000000')
    cli('org', 'create', 'Team')
    const total = 400_000
    const file = join(dir, 'reports.ndjson')
    writeFileSync(file, `${Array.from({ length: total }, (_, i) => JSON.stringify({ org: 'Team', product: 'users', delta: 1, key: `r${i}` })).join('\n')}\n`)
    const results = join(dir, 'results.ndjson')

    const child = spawn(process.execPath, [WSB, 'usage', 'import', file, '--results', results, '--batch-size', '2000', '--db', db], {
      env: cleanEnv(),
      stdio: 'ignore',
    })
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)))
    while (countLines(results) < 20_000) {
      if (child.exitCode !== null) throw new Error('the import finished before it could be killed; use a bigger file')
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    child.kill('SIGKILL')
    expect(await exited).toBe('SIGKILL')

    expect(cli('usage', 'verify').json()).toMatchObject({ ok: true })
    const ledgerRows: number = cli('usage', 'verify').json().ledgerRows
    expect(ledgerRows).toBeGreaterThanOrEqual(20_000)
    expect(ledgerRows).toBeLessThan(total)
    // Every result written before the kill is an accepted report in the database.
    const acknowledged = readFileSync(results, 'utf8').split('\n').filter((line) => line.endsWith('}'))
    const level = cli('usage', 'report', '--by', 'org').json().orgs[0].products.find((p: { product: string }) => p.product === 'users').used
    expect(level).toBe(ledgerRows)
    expect(acknowledged.length).toBeLessThanOrEqual(level)
    for (const line of acknowledged.slice(-5)) expect(JSON.parse(line)).toMatchObject({ accepted: true })

    const rerun = cli('usage', 'import', file)
    expect(rerun.json()).toMatchObject({ lines: total, accepted: total - ledgerRows, replayed: ledgerRows, rejected: 0, invalid: 0 })
    const final = cli('usage', 'report', '--by', 'org').json().orgs[0].products.find((p: { product: string }) => p.product === 'users')
    expect(final.used).toBe(total)
    expect(cli('usage', 'verify').json()).toMatchObject({ ok: true })
  })
})
