// wsb on both engines side by side, in one run (issue 13): one transaction per
// report from 1, 4 and 8 processes into one pool and into 8 pools — wsb on
// PostgreSQL, the bare `pg` floor doing the same row locks, updates and ledger
// insert (bench/pg-floor-worker.ts), and wsb on SQLite — then `usage import`
// of 100,000 reports against the bare batched `unnest` insert, and usage report
// at 10,000 orgs / 1,000,000 ledger rows and `usage record` latency on
// PostgreSQL. The server is the tests' embedded one (or WSB_TEST_POSTGRES_URL's).
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'
import { startPostgres, type PostgresServer } from '../test/helpers/postgres-server.js'
import { contextFor } from '../src/core/context.js'
import { createAccount } from '../src/core/accounts/create.js'
import { createOrg } from '../src/core/orgs/create.js'
import { addSubscription } from '../src/core/subscriptions/add.js'
import { createWorkspace } from '../src/core/workspaces/create.js'
import { resolveWorkspace } from '../src/core/workspaces/resolve.js'
import { openEngine } from './engine-db.js'
import { pgFloorReport } from './pg-floor-statements.js'
import { processMs, round } from './lib.js'
import { reportAndRecordTimes, seedWorkspace, seedWorkspaceOn, writeReports } from './metering.js'
import { batchPg, copyPg, SCHEMA, transactions } from './pg-floor.js'
import { together } from './together.js'

const reporter = new URL('./engine-reporter.ts', import.meta.url).pathname
// WSB_BIN: another build's bin/run.cjs (to measure a base beside a change).
const WSB = process.env.WSB_BIN ?? new URL('../bin/run.cjs', import.meta.url).pathname
const SHAPES = [1, 4, 8].flatMap((processes) => [1, 8].map((pools) => ({ processes, pools })))
const POOLS = 8

export type Side = { reportsPerSecond: number; clientCpuMsPerReport: number; errors: number; samples: number[] }
export type ShapeRow = { processes: number; pools: number; floor: Side; postgres: Side; sqlite: Side; ratioToFloor: number }
export type EngineResults = {
  server: { version: string; startMs: number }
  windowMs: number
  rounds: number
  transactions: ShapeRow[]
  import: { reports: number; reportsPerSecond: number; floorRowsPerSecond: number; ratioToFloor: number; copyRowsPerSecond?: number; ratioToCopy?: number }
  copy?: { rows: number; copyMs: number; checkMs: number; wallMs: number; rowsPerSecond: number; floorRowsPerSecond: number; ratioToCopy: number }
  report: { orgs: number; ledgerRows: number; importReportsPerSecond: number; reportByOrgMs: number; reportByPoolMs: number; recordP50Ms: number; recordP99Ms: number; floorP50Ms?: number; floorP99Ms?: number }
}

/** Eight pooled workspaces Bench0…Bench7, each its own pool (ample capacity) and a 3-org chain, as the floor's. */
async function seedPools(target: string): Promise<void> {
  const db = await openEngine(target)
  for (let i = 0; i < POOLS; i++) {
    const view = await createWorkspace(db, { name: `Bench${i}`, mode: 'pooled', clockStart: Date.parse('2026-01-01T00:00:00Z') })
    const ctx = contextFor(db, await resolveWorkspace(db, view.id))
    await createAccount(ctx, { name: 'A', currency: 'USD' })
    await addSubscription(ctx, { account: 'A', items: { users: 1_000_000_000 }, trial: false })
    await createOrg(ctx, { name: 'root' })
    await createOrg(ctx, { name: 'mid', parent: 'root' })
    await createOrg(ctx, { name: 'leaf', parent: 'root/mid' })
  }
  db.close()
}

/** wsb's core from `processes` processes; process i takes the same pools as the floor's process i. */
async function wsbShape(target: string, processes: number, pools: number, windowMs: number, tag: string): Promise<Side> {
  const args = Array.from({ length: processes }, (_, i) => {
    const mine = Array.from({ length: pools }, (_, p) => p).filter((p) => pools === 1 || p % processes === i % Math.min(processes, pools))
    return [target, mine.map((p) => `Bench${p}`).join(','), `${tag}-${i}`]
  })
  const results = await together(reporter, args, windowMs)
  const commits = results.reduce((sum, r) => sum + r.commits, 0)
  const wall = Math.max(...results.map((r) => r.ms))
  const errors = results.flatMap((r) => r.errors)
  if (errors.length) process.stderr.write(`engines ${tag}: ${errors[0]}\n`)
  const cpu = results.reduce((sum, r) => sum + r.cpuMs, 0)
  return { reportsPerSecond: Math.round(commits / (wall / 1000)), clientCpuMsPerReport: round(cpu / Math.max(1, commits), 3), errors: errors.length, samples: [] }
}

const mid = (sides: Side[]): Side => {
  const sorted = [...sides].sort((a, b) => a.reportsPerSecond - b.reportsPerSecond)
  return { ...(sorted[Math.floor(sorted.length / 2)] as Side), samples: sides.map((s) => s.reportsPerSecond), errors: sides.reduce((sum, s) => sum + s.errors, 0) }
}

/** The bench's PostgreSQL server (the tests' embedded one, or WSB_TEST_POSTGRES_URL's) and an admin connection to it; `stop` ends both. */
export async function benchServer(): Promise<{ base: string; admin: pg.Client; server: PostgresServer | undefined; stop: () => Promise<void> }> {
  const outside = process.env.WSB_TEST_POSTGRES_URL
  const server = outside ? undefined : await startPostgres()
  const base = outside ?? (server as PostgresServer).url
  const admin = new pg.Client({ connectionString: base })
  await admin.connect()
  return { base, admin, server, stop: async () => {
    await admin.end()
    await server?.stop()
  } }
}

export async function createDatabase(admin: pg.Client, base: string, name: string): Promise<string> {
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
  await admin.query(`CREATE DATABASE ${name}`)
  const url = new URL(base)
  url.pathname = `/${name}`
  return url.toString()
}

/**
 * `wsb db copy` of a SQLite file (100 × 100 orgs and `count` imported reports, the import
 * bench's file) into an empty PostgreSQL database: every table's rows over the copy's own
 * time (its checks, doctor and usage verify on the target, are timed apart).
 */
export async function dbCopyRate(dir: string, admin: pg.Client, base: string, count: number, bin = WSB) {
  const path = join(dir, 'engines-copy.sqlite')
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true })
  ;(await seedWorkspace(path, 100, 100)).db.close()
  const file = join(dir, `pg-reports-i-${count}.ndjson`)
  const imported = processMs(process.execPath, [bin, 'usage', 'import', file, '--json', '--db', path])
  if (imported.status !== 0) throw new Error(`import into the SQLite file failed: ${imported.stderr}`)
  const target = await createDatabase(admin, base, `wsb_bench_copy_${process.pid}`)
  const run = processMs(process.execPath, [bin, 'db', 'copy', '--to', target, '--json', '--db', path])
  if (run.status !== 0) throw new Error(`db copy failed: ${run.stderr}${run.stdout}`)
  const result = JSON.parse(run.stdout) as { rows: number; copyMs: number; checkMs: number }
  return { rows: result.rows, copyMs: result.copyMs, checkMs: result.checkMs, wallMs: round(run.ms), rowsPerSecond: Math.round(result.rows / (result.copyMs / 1000)) }
}

/** `usage import` of `count` reports through the CLI into a PostgreSQL database seeded with 100 × 100 orgs (seeded already, with `seeded`). */
export async function importOn(url: string, dir: string, count: number, top: number, children: number, tag: string, seeded = false, bin = WSB): Promise<number> {
  if (!seeded) {
    const db = await openEngine(url)
    await seedWorkspaceOn(db, top, children)
    db.close()
  }
  const file = join(dir, `pg-reports-${tag}-${count}.ndjson`)
  writeReports(file, count, top, children, tag)
  const run = processMs(process.execPath, [bin, 'usage', 'import', file, '--json', '--db', url])
  if (run.status !== 0) throw new Error(`import on PostgreSQL failed: ${run.stderr}${run.stdout}`)
  const summary = JSON.parse(run.stdout) as { accepted: number; durationMs: number }
  if (summary.accepted !== count) throw new Error(`expected ${count} accepted, got ${summary.accepted}`)
  return count / (summary.durationMs / 1000)
}

export async function engines(dir: string, log: (text: string) => void, { windowMs = 3000, rounds = 3, importReports = 100_000, reportLedgerRows = 1_000_000 } = {}): Promise<EngineResults> {
  const { base, admin, server, stop } = await benchServer()
  try {
    const version = ((await admin.query('SELECT version() AS v')).rows[0] as { v: string }).v.split(' on ')[0] ?? ''
    const floorUrl = await createDatabase(admin, base, `wsb_bench_floor_${process.pid}`)
    const floorDb = new pg.Client({ connectionString: floorUrl })
    await floorDb.connect()
    await floorDb.query(SCHEMA)
    await floorDb.end()
    const pgUrl = await createDatabase(admin, base, `wsb_bench_tx_${process.pid}`)
    const sqlitePath = join(dir, 'engines-tx.sqlite')
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${sqlitePath}${suffix}`, { force: true })
    log('engines: seeding 8 pools on each engine …')
    await seedPools(pgUrl)
    await seedPools(sqlitePath)

    const rows: ShapeRow[] = []
    for (const { processes, pools } of SHAPES) {
      const sides: Record<'floor' | 'postgres' | 'sqlite', Side[]> = { floor: [], postgres: [], sqlite: [] }
      for (let r = 0; r < rounds; r++) {
        // The order rotates each round: a shared machine's load drifts over a run.
        const order = (['floor', 'postgres', 'sqlite'] as const).map((_, k, all) => all[(k + r) % all.length] as 'floor' | 'postgres' | 'sqlite')
        for (const side of order) {
          log(`engines: ${side}, ${processes} process(es) into ${pools} pool(s), round ${r + 1} of ${rounds} …`)
          const tag = `${side}-${processes}-${pools}-${r}-${Date.now()}`
          if (side === 'floor') {
            const t = await transactions(floorUrl, 'pg', processes, pools, windowMs)
            sides.floor.push({ reportsPerSecond: t.reportsPerSecond, clientCpuMsPerReport: t.clientCpuMsPerReport, errors: t.errors, samples: [] })
          } else sides[side].push(await wsbShape(side === 'postgres' ? pgUrl : sqlitePath, processes, pools, windowMs, tag))
        }
      }
      const floor = mid(sides.floor)
      const postgres = mid(sides.postgres)
      rows.push({ processes, pools, floor, postgres, sqlite: mid(sides.sqlite), ratioToFloor: round(postgres.reportsPerSecond / Math.max(1, floor.reportsPerSecond), 2) })
    }

    log('engines: usage import of 100,000 reports on PostgreSQL, and the bare unnest floor …')
    const importUrl = await createDatabase(admin, base, `wsb_bench_import_${process.pid}`)
    const imported = await importOn(importUrl, dir, importReports, 100, 100, 'i')
    const floorBatch = await batchPg(floorUrl, importReports, 5000)
    const floorCopy = await copyPg(floorUrl, importReports)

    log('engines: db copy of a SQLite file holding the same 100,000 reports into an empty PostgreSQL database …')
    const copied = await dbCopyRate(dir, admin, base, importReports)

    log('engines: usage report at 10,000 orgs / 1,000,000 ledger rows on PostgreSQL (importing them first) …')
    const reportUrl = await createDatabase(admin, base, `wsb_bench_report_${process.pid}`)
    const bigImport = await importOn(reportUrl, dir, reportLedgerRows, 100, 99, 'r')
    const db = await openEngine(reportUrl)
    // The latency floor: the bare pg transaction of the per-report floor, one after each record.
    const floorClient = new pg.Client({ connectionString: floorUrl })
    await floorClient.connect()
    const measured = await reportAndRecordTimes(db, (i) => pgFloorReport(floorClient, i % 8, `lat-floor-${i}`))
    await floorClient.end()
    db.close()
    for (const name of ['floor', 'tx', 'import', 'report', 'copy']) await admin.query(`DROP DATABASE IF EXISTS wsb_bench_${name}_${process.pid} WITH (FORCE)`)
    return {
      server: { version, startMs: server?.startMs ?? 0 },
      windowMs,
      rounds,
      transactions: rows,
      import: {
        reports: importReports,
        reportsPerSecond: Math.round(imported),
        floorRowsPerSecond: floorBatch.rowsPerSecond,
        ratioToFloor: round(imported / floorBatch.rowsPerSecond, 2),
        copyRowsPerSecond: floorCopy.rowsPerSecond,
        ratioToCopy: round(imported / floorCopy.rowsPerSecond, 2),
      },
      report: { ...measured, importReportsPerSecond: Math.round(bigImport) },
      copy: { ...copied, floorRowsPerSecond: floorCopy.rowsPerSecond, ratioToCopy: round(copied.rowsPerSecond / floorCopy.rowsPerSecond, 2) },
    }
  } finally {
    await stop()
  }
}

const n = (x: number) => x.toLocaleString('en-US')

/** The rows of the results table (measure, result, target). */
export function engineRows(r: EngineResults): [string, string, string][] {
  const rows: [string, string, string][] = []
  for (const s of r.transactions)
    rows.push([
      `${s.processes} process${s.processes > 1 ? 'es' : ''} into ${s.pools === 1 ? 'one pool' : '8 pools'}, one transaction per report`,
      `PostgreSQL ${n(s.postgres.reportsPerSecond)}/s = ${s.ratioToFloor}× the bare pg floor ${n(s.floor.reportsPerSecond)}/s; SQLite ${n(s.sqlite.reportsPerSecond)}/s`,
      'PostgreSQL ≥ 0.8× floor',
    ])
  const one = r.transactions.find((s) => s.processes === 1 && s.pools === 1)
  const eight = r.transactions.find((s) => s.processes === 8 && s.pools === 8)
  if (one && eight)
    rows.push(['PostgreSQL: 8 processes into 8 pools vs 1 process', `${n(eight.postgres.reportsPerSecond)}/s vs ${n(one.postgres.reportsPerSecond)}/s (${round(eight.postgres.reportsPerSecond / Math.max(1, one.postgres.reportsPerSecond), 2)}×)`, '> 1×'])
  rows.push([
    `PostgreSQL usage import, ${n(r.import.reports)} reports`,
    `${n(r.import.reportsPerSecond)} reports/s = ${r.import.ratioToFloor}× the bare unnest insert ${n(r.import.floorRowsPerSecond)} rows/s${r.import.copyRowsPerSecond ? `, ${r.import.ratioToCopy}× the bare COPY ${n(r.import.copyRowsPerSecond)} rows/s` : ''}`,
    '≥ 0.5× the COPY floor',
  ])
  if (r.copy)
    rows.push([
      `db copy, SQLite file of ${n(r.copy.rows)} rows into an empty PostgreSQL database`,
      `${n(r.copy.rowsPerSecond)} rows/s = ${r.copy.ratioToCopy}× the bare COPY ${n(r.copy.floorRowsPerSecond)} rows/s (copy ${n(r.copy.copyMs)} ms, then its checks ${n(r.copy.checkMs)} ms)`,
      '≥ 0.5× the COPY floor',
    ])
  rows.push([`PostgreSQL usage report --by org, ${n(r.report.orgs)} orgs / ${n(r.report.ledgerRows)} ledger rows`, `${r.report.reportByOrgMs} ms (--by pool ${r.report.reportByPoolMs} ms)`, '< 50 ms'])
  const floor = r.report.floorP50Ms === undefined ? '' : `; the bare pg transaction after each: p50 ${r.report.floorP50Ms} ms, p99 ${r.report.floorP99Ms} ms (p50 ${round(r.report.recordP50Ms / Math.max(0.01, r.report.floorP50Ms), 2)}× the floor)`
  rows.push(['PostgreSQL usage record in process (one transaction each)', `p50 ${r.report.recordP50Ms} ms, p99 ${r.report.recordP99Ms} ms${floor}`, 'p50 < 2 ms'])
  rows.push(['PostgreSQL usage import, 1M reports (to build the report database)', `${n(r.report.importReportsPerSecond)} reports/s`, '—'])
  return rows
}
