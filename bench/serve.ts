// The serve benchmark (issue 23): `wsb serve` under a keep-alive load of 64
// connections from a client process of its own (bench/serve-load.ts), each
// number beside its floor from the same run —
//   single-report requests/s and p50/p99 beside a bare node:http server that
//   answers a fixed JSON of a decision's size (the HTTP floor), with Fastify
//   and Hono measured the same way (the HTTP layer is chosen by these);
//   p99 at half the maximum rate; reports/s through batches of 100 beside the
//   same engine's `usage import` (the batched floor); the server's memory at
//   the start and end of the long single-report run — on SQLite and PostgreSQL.
import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'
import { startPostgres, type PostgresServer } from '../test/helpers/postgres-server.js'
import { createDatabase } from './engines.js'
import { processMs, round } from './lib.js'

const here = new URL('.', import.meta.url).pathname
const WSB = join(here, '..', 'bin', 'run.cjs')
const CONNECTIONS = 64

export type Load = { requests: number; perSecond: number; p50: number; p99: number; statuses: Record<string, number>; errors: number }
export type EngineServe = {
  single: Load & { ratioToFloor: number; floorPerSecond: number; rounds: number[][]; longPerSecond: number }
  halfRate: Load & { rate: number }
  batch: Load & { reportsPerSecond: number; ratioToImport: number }
  importReportsPerSecond: number
  memory: { startMb: number; quarterMb: number; endMb: number; seconds: number }
}
export type ServeResults = { seconds: number; floors: Record<'bare' | 'fastify' | 'hono', Load & { samples: number[] }>; sqlite: EngineServe; postgres: EngineServe }

export function load(options: { url: string; path: string; key?: string; seconds: number; reports: number; tag: string; rate?: number }): Promise<Load> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'serve-load.ts'), JSON.stringify({ ...options, connections: CONNECTIONS })], { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.on('data', (chunk) => (out += chunk))
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as Load) : reject(new Error(`load client exited ${code}`))))
  })
}

/** A child process, once it printed what `ready` finds in its output. */
export function started(child: ChildProcess, ready: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = ''
    child.stdout?.on('data', (chunk) => {
      out += chunk
      const match = ready.exec(out)
      if (match) resolve(match[1] as string)
    })
    child.on('exit', (code) => reject(new Error(`exited ${code} before it was ready: ${out}`)))
  })
}

export const stop = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.on('exit', () => resolve())
    child.kill('SIGTERM')
  })

export const rssMb = (pid: number) => round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024, 1)

async function floor(kind: 'bare' | 'fastify' | 'hono', seconds: number): Promise<Load> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'serve-floor.ts'), kind], { stdio: ['ignore', 'pipe', 'inherit'] })
  const port = await started(child, /^(\d+)\n/)
  try {
    return await load({ url: `http://127.0.0.1:${port}`, path: '/v1/usage', seconds, reports: 1, tag: kind })
  } finally {
    await stop(child)
  }
}

/** 8 top-level orgs o0…o7 with 5 children each, in a pool of a billion users; an API key. */
export function seed(db: string, name: string): string {
  const document = {
    version: 1,
    workspace: { name, mode: 'pooled' },
    organizations: Array.from({ length: 8 }, (_, i) => ({ name: `o${i}`, children: Array.from({ length: 5 }, (_, j) => ({ name: `c${j}` })) })),
    accounts: [{ name: 'A', currency: 'USD', subscriptions: [{ label: 'main', items: { users: 1_000_000_000 } }] }],
  }
  const env = { ...process.env, WSB_DB: db }
  const applied = processMs(process.execPath, [WSB, 'apply', '-f', '-', '--json'], env, JSON.stringify(document))
  if (applied.status !== 0) throw new Error(`apply failed: ${applied.stdout}${applied.stderr}`)
  const made = processMs(process.execPath, [WSB, 'apikey', 'create', 'bench', '--scope', 'usage:write', '--workspace', name, '--json'], env)
  if (made.status !== 0) throw new Error(`apikey create failed: ${made.stdout}${made.stderr}`)
  return JSON.parse(made.stdout).key as string
}

/** `usage import` of `count` reports into a fresh workspace of the same engine: reports/s from its own summary. */
function importFloor(db: string, dir: string, tag: string, count = 100_000): number {
  seed(db, `Import ${tag}`)
  const file = join(dir, `serve-import-${tag}.ndjson`)
  writeFileSync(file, `${Array.from({ length: count }, (_, n) => JSON.stringify({ org: `o${n % 8}/c${n % 5}`, product: 'users', delta: 1, key: `i-${n}` })).join('\n')}\n`)
  const run = processMs(process.execPath, [WSB, 'usage', 'import', file, '--json', '--workspace', `Import ${tag}`], { ...process.env, WSB_DB: db })
  rmSync(file, { force: true })
  if (run.status !== 0) throw new Error(`usage import failed: ${run.stdout}${run.stderr}`)
  const summary = JSON.parse(run.stdout) as { accepted: number; durationMs: number }
  return Math.round(summary.accepted / (summary.durationMs / 1000))
}

async function engine(db: string, dir: string, tag: string, seconds: number, log: (text: string) => void, rounds = 3): Promise<EngineServe> {
  const key = seed(db, `Serve ${tag}`)
  const child = spawn(process.execPath, [WSB, 'serve', '--listen', '127.0.0.1:0', '--db', db], { stdio: ['ignore', 'pipe', 'inherit'] })
  const url = await started(child, /listening address=(http:\/\/[0-9.:]+)/)
  try {
    await load({ url, path: '/v1/usage', key, seconds: 2, reports: 1, tag: `${tag}-warm` })
    // Single reports beside the bare floor, round by round (the floor, then wsb): a shared machine's
    // load drifts within minutes, so each ratio compares two runs seconds apart; the median round counts.
    const pairs: { floor: Load; wsb: Load }[] = []
    for (let r = 0; r < rounds; r++) {
      log(`serve: ${tag}, single reports beside the bare floor, round ${r + 1} of ${rounds} …`)
      const bare = await floor('bare', 8)
      pairs.push({ floor: bare, wsb: await load({ url, path: '/v1/usage', key, seconds: 8, reports: 1, tag: `${tag}-single${r}` }) })
    }
    const ratio = (p: { floor: Load; wsb: Load }) => p.wsb.perSecond / Math.max(1, p.floor.perSecond)
    const middle = [...pairs].sort((a, b) => ratio(a) - ratio(b))[Math.floor(pairs.length / 2)] as { floor: Load; wsb: Load }
    const startMb = rssMb(child.pid as number)
    log(`serve: ${tag}, single reports for ${seconds} s (memory) …`)
    // V8's heaps (two, with the SQLite writer thread) grow to their working size in the first seconds:
    // flat means the size a quarter into the run is the size at its end.
    let quarterMb = 0
    const quarter = setTimeout(() => (quarterMb = rssMb(child.pid as number)), (seconds * 1000) / 4)
    const long = await load({ url, path: '/v1/usage', key, seconds, reports: 1, tag: `${tag}-long` })
    clearTimeout(quarter)
    const endMb = rssMb(child.pid as number)
    const single = { ...middle.wsb, floorPerSecond: middle.floor.perSecond, rounds: pairs.map((p) => [p.floor.perSecond, p.wsb.perSecond]), longPerSecond: long.perSecond }
    const rate = Math.max(1, Math.round(single.perSecond / 2))
    log(`serve: ${tag}, single reports at half the maximum (${rate}/s) …`)
    const halfRate = await load({ url, path: '/v1/usage', key, seconds: 10, reports: 1, tag: `${tag}-half`, rate })
    log(`serve: ${tag}, batches of 100 …`)
    const batch = await load({ url, path: '/v1/usage/batch', key, seconds: 10, reports: 100, tag: `${tag}-batch` })
    await stop(child)
    // Into the same database, now as large as the batches found it: the same indexes to grow.
    log(`serve: ${tag}, usage import (the batched floor) …`)
    const importReportsPerSecond = importFloor(db, dir, tag)
    const reportsPerSecond = batch.perSecond * 100
    return {
      single: { ...single, ratioToFloor: round(ratio(middle), 2) },
      halfRate: { ...halfRate, rate },
      batch: { ...batch, reportsPerSecond, ratioToImport: round(reportsPerSecond / importReportsPerSecond, 2) },
      importReportsPerSecond,
      memory: { startMb, quarterMb, endMb, seconds },
    }
  } finally {
    await stop(child)
  }
}

/** The median round of each floor: rounds rotate the order, as a shared machine's load drifts. */
async function measureFloors(log: (text: string) => void, rounds = 3, seconds = 6): Promise<Record<'bare' | 'fastify' | 'hono', Load & { samples: number[] }>> {
  const kinds = ['bare', 'fastify', 'hono'] as const
  const samples: Record<string, Load[]> = { bare: [], fastify: [], hono: [] }
  for (let r = 0; r < rounds; r++)
    for (let k = 0; k < kinds.length; k++) {
      const kind = kinds[(k + r) % kinds.length] as (typeof kinds)[number]
      log(`serve: HTTP floor, ${kind}, round ${r + 1} of ${rounds} …`)
      samples[kind]?.push(await floor(kind, seconds))
    }
  const median = (loads: Load[]) => ({ ...([...loads].sort((a, b) => a.perSecond - b.perSecond)[Math.floor(loads.length / 2)] as Load), samples: loads.map((l) => l.perSecond) })
  return { bare: median(samples.bare ?? []), fastify: median(samples.fastify ?? []), hono: median(samples.hono ?? []) }
}

export async function serveBench(dir: string, log: (text: string) => void, seconds = Number(process.env.WSB_BENCH_SERVE_SECONDS ?? 60)): Promise<ServeResults> {
  const floors = await measureFloors(log)
  const sqlitePath = join(dir, 'serve.sqlite')
  for (const path of [sqlitePath]) for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true })
  const sqlite = await engine(sqlitePath, dir, 'sqlite', seconds, log)

  let server: PostgresServer | undefined
  const outside = process.env.WSB_TEST_POSTGRES_URL
  if (!outside) server = await startPostgres()
  const base = outside ?? (server as PostgresServer).url
  const admin = new pg.Client({ connectionString: base })
  await admin.connect()
  try {
    const pgUrl = await createDatabase(admin, base, `wsb_bench_serve_${process.pid}`)
    const postgres = await engine(pgUrl, dir, 'postgres', seconds, log)
    for (const name of ['serve']) await admin.query(`DROP DATABASE IF EXISTS wsb_bench_${name}_${process.pid} WITH (FORCE)`)
    return { seconds, floors, sqlite, postgres }
  } finally {
    await admin.end()
    await server?.stop()
  }
}

const n = (x: number) => x.toLocaleString('en-US')

export function serveRows(r: ServeResults): [string, string, string][] {
  const f = r.floors
  const rows: [string, string, string][] = [
    [
      `HTTP floor, ${CONNECTIONS} keep-alive connections, fixed JSON answer`,
      `bare node:http ${n(f.bare.perSecond)}/s (p50 ${f.bare.p50} ms, p99 ${f.bare.p99} ms; rounds ${f.bare.samples.map(n).join(', ')}); Fastify ${n(f.fastify.perSecond)}/s = ${round(f.fastify.perSecond / f.bare.perSecond, 2)}×; Hono ${n(f.hono.perSecond)}/s = ${round(f.hono.perSecond / f.bare.perSecond, 2)}×`,
      'the floor',
    ],
  ]
  for (const [name, e, target] of [['SQLite', r.sqlite, 0.5], ['PostgreSQL', r.postgres, 0.3]] as const) {
    rows.push([
      `wsb serve on ${name}: single-report requests, ${CONNECTIONS} connections`,
      `${n(e.single.perSecond)}/s = ${e.single.ratioToFloor}× the bare node:http floor at ${n(e.single.floorPerSecond)}/s measured just before (median of ${e.single.rounds.length} rounds: ${e.single.rounds.map(([f, w]) => round((w as number) / Math.max(1, f as number), 2)).join(', ')}×; p50 ${e.single.p50} ms, p99 ${e.single.p99} ms); ${n(e.single.longPerSecond)}/s over ${r.seconds} s`,
      `≥ ${target}× floor`,
    ])
    rows.push([`wsb serve on ${name}: p99 at half the maximum rate (${n(e.halfRate.rate)}/s)`, `p99 ${e.halfRate.p99} ms (p50 ${e.halfRate.p50} ms)`, '< 25 ms'])
    rows.push([
      `wsb serve on ${name}: batches of 100 reports`,
      `${n(e.batch.reportsPerSecond)} reports/s = ${e.batch.ratioToImport}× in-process usage import at ${n(e.importReportsPerSecond)}/s`,
      '≥ 0.7× import',
    ])
    rows.push([`wsb serve on ${name}: memory over the ${r.seconds} s run`, `${e.memory.startMb} MB before, ${e.memory.quarterMb} MB a quarter in, ${e.memory.endMb} MB at the end`, 'flat'])
  }
  return rows
}
