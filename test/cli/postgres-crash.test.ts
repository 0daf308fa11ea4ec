// Crash safety on PostgreSQL (issue 13, R-USE-5): a reporter killed mid-import
// and a server shut down at once mid-import (`pg_ctl stop -m immediate`, as at a
// power cut) lose nothing accepted; a re-run with the same idempotency keys
// finishes the work exactly once; `usage verify` and `doctor` stay clean. A
// command whose server goes away says so in one line (DB_UNREACHABLE, exit 1),
// the password masked, never a stack trace. This file starts a PostgreSQL server
// of its own, as it stops it: other test files share the run's server.
import { spawn } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDir } from '../helpers/temp.js'
import { cleanEnv, WSB, wsb } from '../helpers/cli.js'
import { startPostgres, type PostgresServer } from '../helpers/postgres-server.js'
import { queryPostgres, withDatabase } from '../helpers/postgres.js'

let server: PostgresServer
let databases = 0

beforeAll(async () => {
  server = await startPostgres()
})
afterAll(async () => {
  await server?.stop()
})

/** A new empty database on this file's server: wsb migrates it on first use. */
async function database(): Promise<string> {
  const name = `crash_${++databases}`
  await queryPostgres(server.url, `CREATE DATABASE ${name}`)
  return withDatabase(server.url, name)
}

const lines = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean) : [])
const password = () => decodeURIComponent(new URL(server.url).password)

/** A workspace with room for 10,000,000 users, one org, and `total` reports of +1 in a file. */
function setUp(db: string, total: number) {
  const dir = tempDir()
  const cli = (...args: string[]) => wsb([...args, '--json'], { db })
  expect(cli('workspace', 'create', 'Crash', '--mode', 'single').code).toBe(0)
  cli('account', 'create', 'A', '--currency', 'USD')
  cli('sub', 'add', 'A', '--item', 'users=10000000')
  cli('org', 'create', 'Team')
  const file = join(dir, 'reports.ndjson')
  writeFileSync(file, `${Array.from({ length: total }, (_, i) => JSON.stringify({ org: 'Team', product: 'users', delta: 1, key: `r${i}` })).join('\n')}\n`)
  const used = (): number => cli('usage', 'report', '--by', 'org').json().orgs[0].products.find((p: { product: string }) => p.product === 'users')?.used ?? 0
  return { cli, file, results: join(dir, 'results.ndjson'), used }
}

/** `usage import` of `file` in batches of 2,000, its acknowledgements to `results`. */
function startImport(db: string, file: string, results: string) {
  const child = spawn(process.execPath, [WSB, 'usage', 'import', file, '--results', results, '--batch-size', '2000', '--db', db], {
    env: cleanEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk) => (stdout += chunk))
  child.stderr.on('data', (chunk) => (stderr += chunk))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  )
  return { child, exited }
}

async function untilAcknowledged(child: ReturnType<typeof spawn>, results: string, count: number): Promise<void> {
  while (lines(results).length < count) {
    if (child.exitCode !== null) throw new Error('the import finished before the crash; use a bigger file')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/** After a crash: every acknowledged report is in, the counters agree with the ledger, and a re-run finishes exactly once. */
function expectRecoverable(setup: ReturnType<typeof setUp>, total: number) {
  const { cli, file, results, used } = setup
  expect(cli('usage', 'verify').json()).toMatchObject({ ok: true, mismatches: [] })
  const level = used()
  const acknowledged = lines(results).filter((line) => line.endsWith('}'))
  expect(acknowledged.length).toBeGreaterThanOrEqual(10_000)
  // A batch whose COMMIT landed just before the crash may be in without its acknowledgements: never the reverse.
  expect(level).toBeGreaterThanOrEqual(acknowledged.length)
  expect(level).toBeLessThan(total)
  for (const line of acknowledged.slice(-5)) expect(JSON.parse(line)).toMatchObject({ accepted: true })

  const rerun = cli('usage', 'import', file)
  expect(rerun.code).toBe(0)
  expect(rerun.json()).toMatchObject({ lines: total, accepted: total - level, replayed: level, rejected: 0, invalid: 0 })
  expect(used()).toBe(total)
  expect(cli('usage', 'verify').json()).toMatchObject({ ok: true, mismatches: [] })
  expect(cli('doctor').json()).toMatchObject({ ok: true })
}

describe('PostgreSQL: crash safety', () => {
  it('R-USE-5 SIGKILL of a reporter mid-import on PostgreSQL loses no accepted report; a re-run completes it exactly once', async () => {
    const db = await database()
    const total = 60_000
    const setup = setUp(db, total)
    const { child, exited } = startImport(db, setup.file, setup.results)
    await untilAcknowledged(child, setup.results, 10_000)
    child.kill('SIGKILL')
    expect((await exited).signal).toBe('SIGKILL')
    expectRecoverable(setup, total)
  })

  it('R-USE-5 the server shut down at once mid-import (pg_ctl stop -m immediate): the import stops with DB_UNREACHABLE, nothing acknowledged is lost, a re-run completes it exactly once', async () => {
    const db = await database()
    const total = 60_000
    const setup = setUp(db, total)
    const { child, exited } = startImport(db, setup.file, setup.results)
    await untilAcknowledged(child, setup.results, 10_000)
    server.stopImmediate()
    try {
      // Before the fix: an unhandled 'error' event from pg, a stack trace (and no code).
      const out = await exited
      expect(out.code).toBe(1)
      expect(out.stdout).toBe('')
      expect(out.stderr).toMatch(/^Error: lost the connection to PostgreSQL at 127\.0\.0\.1:\d+ \(.+\); what was committed is kept, the rest was not applied: postgresql:\/\/wsb:\*\*\*@127\.0\.0\.1:\d+\/crash_\d+ \[DB_UNREACHABLE\]\n$/)
      expect(out.stderr).not.toContain(password())
    } finally {
      await server.restart()
    }
    expectRecoverable(setup, total)
  })

  it('usage record waiting on a row lock when the server shuts down: DB_UNREACHABLE (exit 1) as JSON, nothing recorded; a command while it is down: DB_UNREACHABLE, connection refused', async () => {
    const db = await database()
    const { cli, used } = setUp(db, 1)
    expect(cli('usage', 'record', '--org', 'Team', '--product', 'users', '--delta', '1', '--key', 'k0').json()).toMatchObject({ accepted: true })
    // Another session holds the pool's counter row: the next report queues behind it.
    const holder = new pg.Client({ connectionString: db })
    holder.on('error', () => undefined)
    await holder.connect()
    await holder.query('BEGIN')
    await holder.query('SELECT * FROM pool_usage FOR UPDATE')
    const record = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [WSB, 'usage', 'record', '--org', 'Team', '--product', 'users', '--delta', '1', '--key', 'k1', '--json', '--db', db], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] })
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (chunk) => (stdout += chunk))
      child.stderr.on('data', (chunk) => (stderr += chunk))
      child.on('close', (code) => resolve({ code, stdout, stderr }))
    })
    for (let waited = 0; ; waited += 20) {
      const waiting = await queryPostgres<{ n: number }>(db, "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
      if (waiting[0]?.n === 1) break
      if (waited > 30_000) throw new Error('usage record never waited on the lock')
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    server.stopImmediate()
    try {
      const out = await record
      expect(out.code).toBe(1)
      expect(out.stderr).toBe('')
      const error = JSON.parse(out.stdout).error
      expect(error.code).toBe('DB_UNREACHABLE')
      expect(error.message).toMatch(/^lost the connection to PostgreSQL at 127\.0\.0\.1:\d+ /)
      expect(error.details).toMatchObject({ url: expect.stringMatching(/^postgresql:\/\/wsb:\*\*\*@127\.0\.0\.1:\d+\/crash_\d+$/), lost: true })
      expect(out.stdout).not.toContain(password())

      const down = wsb(['usage', 'report', '--json'], { db })
      expect(down.code).toBe(1)
      expect(down.json().error).toMatchObject({ code: 'DB_UNREACHABLE', message: expect.stringContaining('(connection refused)') })
      expect(down.stdout).not.toContain(password())
    } finally {
      await server.restart()
    }
    expect(used()).toBe(1)
    expect(cli('usage', 'verify').json()).toMatchObject({ ok: true, ledgerRows: 1 })
    expect(cli('usage', 'record', '--org', 'Team', '--product', 'users', '--delta', '1', '--key', 'k1').json()).toMatchObject({ accepted: true })
    expect(cli('usage', 'record', '--org', 'Team', '--product', 'users', '--delta', '1', '--key', 'k1').json()).toMatchObject({ accepted: true, replayed: true })
    expect(used()).toBe(2)
    await holder.end().catch(() => undefined)
  })
})
