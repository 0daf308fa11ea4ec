// The PostgreSQL floor: what a bare driver loop does on this machine, against
// the test server (test/helpers/postgres-server.ts, or WSB_TEST_POSTGRES_URL).
// wsb's own PostgreSQL figures are printed as a ratio to these (issue 13), and
// they chose the driver: the same loop with `pg` and with `postgres`.
//   (a) one transaction per report (bench/pg-floor-worker.ts) from 1, 4 and 8
//       processes, all into one pool and spread over 8 pools (each pool its own
//       3-org chain), each process with its own connection; median of 3 rounds;
//   (b) a bare batched insert of 100,000 ledger rows: INSERT … SELECT unnest(…)
//       in batches, each its own commit, and one COPY … FROM STDIN (pg with
//       pg-copy-streams, as `wsb db copy` sends a table, and postgres).
// `npm run bench` runs it with the rest; `npm run bench -- --only pg-floor`
// (npm run bench:pg-floor) runs it alone and keeps the other rows.
import { spawnSync } from 'node:child_process'

import pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import postgres from 'postgres'
import { startPostgres, type PostgresServer } from '../test/helpers/postgres-server.js'
import { median, round } from './lib.js'
import { together } from './together.js'

const worker = new URL('./pg-floor-worker.ts', import.meta.url).pathname
export const drivers = ['pg', 'postgres'] as const
type Driver = (typeof drivers)[number]

export const SCHEMA = `
DROP TABLE IF EXISTS pool_usage, usage_levels, usage_ledger;
CREATE TABLE pool_usage (pool_id text NOT NULL, workspace_id text NOT NULL, product text NOT NULL, used bigint NOT NULL DEFAULT 0, PRIMARY KEY (pool_id, product));
CREATE TABLE usage_levels (org_id text NOT NULL, workspace_id text NOT NULL, product text NOT NULL, level bigint NOT NULL DEFAULT 0, subtree bigint NOT NULL DEFAULT 0, PRIMARY KEY (org_id, product));
CREATE TABLE usage_ledger (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, workspace_id text NOT NULL, org_id text NOT NULL, product text NOT NULL,
  kind text NOT NULL, value bigint NOT NULL, delta bigint NOT NULL, outcome text NOT NULL, reason text, level_after bigint NOT NULL,
  headroom_after bigint, binding_kind text, binding_id text, key text, at bigint NOT NULL);
CREATE UNIQUE INDEX usage_ledger_claimed_key ON usage_ledger (workspace_id, key) WHERE outcome = 'accepted' AND key IS NOT NULL;
CREATE INDEX usage_ledger_workspace_at ON usage_ledger (workspace_id, at);
INSERT INTO pool_usage (pool_id, workspace_id, product) SELECT 'p' || i, 'w' || i, 'users' FROM generate_series(0, 7) i;
INSERT INTO usage_levels (org_id, workspace_id, product) SELECT 'p' || i || '-' || part, 'w' || i, 'users' FROM generate_series(0, 7) i, unnest(ARRAY['root', 'mid', 'leaf']) part;
`

export type TxRow = { driver: Driver; processes: number; pools: number; reportsPerSecond: number; commits: number; clientCpuMsPerReport: number; errors: number; samples?: number[] }
export type BatchRow = { driver: Driver; method: 'unnest' | 'copy'; rows: number; batch: number; rowsPerSecond: number; ms: number }
export type PgFloorResults = { server: { startMs: number; version: string; fsync: string; synchronousCommit: string }; driverLoadMs: Record<Driver, number>; windowMs: number; rounds: number; transactions: TxRow[]; batchInsert: BatchRow[] }

export async function transactions(url: string, driver: Driver, processes: number, pools: number, windowMs: number): Promise<TxRow> {
  const tag = `${driver}-${processes}-${pools}-${Date.now()}`
  const args = Array.from({ length: processes }, (_, i) => {
    // Process i reports into pools i, i+P, i+2P … of the set: 8 processes into 8 pools have one each.
    const mine = Array.from({ length: pools }, (_, p) => p).filter((p) => pools === 1 || p % processes === i % Math.min(processes, pools))
    return [driver, url, mine.join(','), `${tag}-${i}`]
  })
  const results = await together(worker, args, windowMs)
  const commits = results.reduce((sum, r) => sum + r.commits, 0)
  const wall = Math.max(...results.map((r) => r.ms))
  const errors = results.flatMap((r) => r.errors)
  if (errors.length) process.stderr.write(`pg-floor ${driver} ${processes}×${pools}: ${errors[0]}\n`)
  const cpuMs = results.reduce((sum, r) => sum + r.cpuMs, 0)
  return { driver, processes, pools, reportsPerSecond: Math.round(commits / (wall / 1000)), commits, clientCpuMsPerReport: round(cpuMs / Math.max(1, commits), 3), errors: errors.length }
}

const ledgerRow = (i: number) => ({ workspace: 'wb', org: `o${i % 1000}`, key: `k${i}`, at: 1_700_000_000_000 + i })

export async function batchPg(url: string, rows: number, batch: number): Promise<BatchRow> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  await client.query('TRUNCATE usage_ledger')
  const text =
    "INSERT INTO usage_ledger (workspace_id, org_id, product, kind, value, delta, outcome, level_after, key, at) SELECT w, o, 'users', 'delta', 1, 1, 'accepted', 1, k, a FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS t(w, o, k, a)"
  const start = performance.now()
  for (let from = 0; from < rows; from += batch) {
    const chunk = Array.from({ length: Math.min(batch, rows - from) }, (_, i) => ledgerRow(from + i))
    await client.query({ name: 'batch', text, values: [chunk.map((r) => r.workspace), chunk.map((r) => r.org), chunk.map((r) => r.key), chunk.map((r) => r.at)] })
  }
  const ms = performance.now() - start
  await client.end()
  return { driver: 'pg', method: 'unnest', rows, batch, rowsPerSecond: Math.round(rows / (ms / 1000)), ms: round(ms) }
}

/** The floor's ledger rows as COPY text lines into `stream`, `perWrite` lines a write, as fast as it drains. */
function writeLedgerRows(stream: NodeJS.WritableStream, rows: number, perWrite: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    stream.on('error', reject)
    stream.on('finish', () => resolve())
    let i = 0
    const write = () => {
      let ok = true
      while (i < rows && ok) {
        let chunk = ''
        for (let n = 0; n < perWrite && i < rows; n++) {
          const r = ledgerRow(i++)
          chunk += `${r.workspace}\t${r.org}\tusers\tdelta\t1\t1\taccepted\t1\t${r.key}\t${r.at}\n`
        }
        ok = stream.write(chunk)
      }
      if (i < rows) stream.once('drain', write)
      else stream.end()
    }
    write()
  })
}

/** The same ledger rows through one COPY … FROM STDIN with pg and pg-copy-streams, as `wsb db copy` sends a table. */
export async function copyPg(url: string, rows: number): Promise<BatchRow> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  await client.query('TRUNCATE usage_ledger')
  const start = performance.now()
  const stream = client.query(copyFrom('COPY usage_ledger (workspace_id, org_id, product, kind, value, delta, outcome, level_after, key, at) FROM STDIN'))
  await writeLedgerRows(stream, rows, 1000)
  const ms = performance.now() - start
  await client.end()
  return { driver: 'pg', method: 'copy', rows, batch: rows, rowsPerSecond: Math.round(rows / (ms / 1000)), ms: round(ms) }
}

async function batchPostgres(url: string, rows: number, batch: number, method: 'unnest' | 'copy'): Promise<BatchRow> {
  const sql = postgres(url, { max: 1, onnotice: () => {} })
  await sql`TRUNCATE usage_ledger`
  const start = performance.now()
  if (method === 'unnest') {
    for (let from = 0; from < rows; from += batch) {
      const chunk = Array.from({ length: Math.min(batch, rows - from) }, (_, i) => ledgerRow(from + i))
      await sql`INSERT INTO usage_ledger (workspace_id, org_id, product, kind, value, delta, outcome, level_after, key, at)
        SELECT w, o, 'users', 'delta', 1, 1, 'accepted', 1, k, a
        FROM unnest(${chunk.map((r) => r.workspace)}::text[], ${chunk.map((r) => r.org)}::text[], ${chunk.map((r) => r.key)}::text[], ${chunk.map((r) => r.at)}::bigint[]) AS t(w, o, k, a)`
    }
  } else {
    const stream = await sql`COPY usage_ledger (workspace_id, org_id, product, kind, value, delta, outcome, level_after, key, at) FROM STDIN`.writable()
    await writeLedgerRows(stream, rows, 1)
  }
  const ms = performance.now() - start
  await sql.end()
  return { driver: 'postgres', method, rows, batch: method === 'copy' ? rows : batch, rowsPerSecond: Math.round(rows / (ms / 1000)), ms: round(ms) }
}

/** Median time to import each driver in a fresh process: it adds to every cold start of a command that connects. */
function driverLoad(): Record<Driver, number> {
  const times: Record<Driver, number[]> = { pg: [], postgres: [] }
  for (let i = 0; i < 9; i++) {
    for (const driver of drivers) {
      const out = spawnSync(process.execPath, ['--input-type=module', '-e', `const t = performance.now(); await import('${driver}'); process.stdout.write(String(performance.now() - t))`], { encoding: 'utf8', cwd: new URL('..', import.meta.url).pathname })
      times[driver].push(Number(out.stdout))
    }
  }
  return { pg: round(median(times.pg)), postgres: round(median(times.postgres)) }
}

/** Runs the whole floor on a server of its own (or WSB_TEST_POSTGRES_URL's), which it stops after. */
export async function pgFloor(log: (text: string) => void, windowMs = 3000, rounds = 3): Promise<PgFloorResults> {
  let server: PostgresServer | undefined
  const outside = process.env.WSB_TEST_POSTGRES_URL
  if (!outside) server = await startPostgres()
  const base = outside ?? (server as PostgresServer).url
  try {
    const admin = new pg.Client({ connectionString: base })
    await admin.connect()
    const name = `wsb_bench_floor_${process.pid}`
    await admin.query(`DROP DATABASE IF EXISTS ${name}`)
    await admin.query(`CREATE DATABASE ${name}`)
    const url = new URL(base)
    url.pathname = `/${name}`
    const settings = (await admin.query("SELECT version() AS version, current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS sc")).rows[0] as { version: string; fsync: string; sc: string }
    const db = new pg.Client({ connectionString: url.toString() })
    await db.connect()
    await db.query(SCHEMA)
    await db.end()
    // Rounds alternate which driver goes first; the median of the rounds is
    // kept: other work on a shared 2-core machine moves single samples a lot.
    const transactionsRows: TxRow[] = []
    for (const processes of [1, 4, 8]) {
      for (const pools of [1, 8]) {
        const samples: Record<Driver, TxRow[]> = { pg: [], postgres: [] }
        for (let round = 0; round < rounds; round++) {
          for (const driver of round % 2 ? [...drivers].reverse() : drivers) {
            log(`pg floor: ${driver}, ${processes} process(es) into ${pools} pool(s), round ${round + 1} of ${rounds} …`)
            samples[driver].push(await transactions(url.toString(), driver, processes, pools, windowMs))
          }
        }
        for (const driver of drivers) {
          const runs = samples[driver]
          const mid = [...runs].sort((a, b) => a.reportsPerSecond - b.reportsPerSecond)[Math.floor(runs.length / 2)] as TxRow
          transactionsRows.push({ ...mid, samples: runs.map((r) => r.reportsPerSecond), errors: runs.reduce((sum, r) => sum + r.errors, 0) })
        }
      }
    }
    log('pg floor: driver load time …')
    const loadMs = driverLoad()
    log('pg floor: batched insert of 100,000 ledger rows …')
    const batchRows = [
      await batchPg(url.toString(), 100_000, 5000),
      await batchPostgres(url.toString(), 100_000, 5000, 'unnest'),
      await copyPg(url.toString(), 100_000),
      await batchPostgres(url.toString(), 100_000, 5000, 'copy'),
    ]
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    await admin.end()
    return {
      server: { startMs: server?.startMs ?? 0, version: settings.version.split(' on ')[0] ?? settings.version, fsync: settings.fsync, synchronousCommit: settings.sc },
      driverLoadMs: loadMs,
      windowMs,
      rounds,
      transactions: transactionsRows,
      batchInsert: batchRows,
    }
  } finally {
    await server?.stop()
  }
}

const n = (x: number) => x.toLocaleString('en-US')

/** The rows of the results table (measure, result, target), as bench/run.ts prints them. */
export function pgFloorRows(r: PgFloorResults): [string, string, string][] {
  const none: TxRow = { driver: 'pg', processes: 0, pools: 0, reportsPerSecond: 0, commits: 0, clientCpuMsPerReport: 0, errors: 0 }
  const tx = (driver: Driver, processes: number, pools: number) => r.transactions.find((t) => t.driver === driver && t.processes === processes && t.pools === pools) ?? none
  const rows: [string, string, string][] = [
    [`pg floor: server start (embedded ${r.server.version}, fsync ${r.server.fsync})`, `${n(r.server.startMs)} ms`, '—'],
    ['pg floor: driver import in a fresh process', drivers.map((d) => `${d} ${r.driverLoadMs[d]} ms`).join(', '), '—'],
  ]
  for (const processes of [1, 4, 8])
    for (const pools of [1, 8])
      rows.push([
        `pg floor: ${processes} process${processes > 1 ? 'es' : ''} into ${pools === 1 ? 'one pool' : '8 pools'}, one transaction per report`,
        drivers.map((d) => `${d} ${n(tx(d, processes, pools).reportsPerSecond)}/s (${tx(d, processes, pools).clientCpuMsPerReport} ms client CPU each)`).join(', '),
        'floor',
      ])
  const unnest = r.batchInsert.filter((b) => b.method === 'unnest')
  const copy = r.batchInsert.filter((b) => b.method === 'copy')
  const rate = (bs: BatchRow[]) => bs.map((b) => `${b.driver} ${n(b.rowsPerSecond)} rows/s`).join(', ')
  if (unnest[0]) rows.push([`pg floor: ${n(unnest[0].rows)} ledger rows, INSERT … unnest, ${n(unnest[0].batch)} per commit`, rate(unnest), 'floor'])
  if (copy[0]) rows.push([`pg floor: ${n(copy[0].rows)} ledger rows, one COPY`, rate(copy), 'floor'])
  return rows
}
