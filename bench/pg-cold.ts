// Cold interactive commands on PostgreSQL beside the same commands on SQLite
// (issue 24): the demo's Global Corp workspace (examples/global-assigned.yaml,
// a VAT rate, three months on the test clock) built by the CLI on each engine,
// then `org list` and `invoice preview "Global Corp GmbH" --change …:users=30`
// run as whole processes, interleaved (the order rotating each run), each once
// untimed first; the median of each and the PostgreSQL/SQLite ratio. Each
// PostgreSQL command is run once more through a counting relay
// (test/helpers/pg-round-trips.ts): its connections and round trips.
// The server is the tests' embedded one (or WSB_TEST_POSTGRES_URL's).
import { spawn } from 'node:child_process'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { countingRelay, type RoundTrips } from '../test/helpers/pg-round-trips.js'
import { benchServer, createDatabase } from './engines.js'
import { median, processMs, round } from './lib.js'

const WSB = process.env.WSB_BIN ?? new URL('../bin/run.cjs', import.meta.url).pathname
const EXAMPLE = new URL('../examples/global-assigned.yaml', import.meta.url).pathname
const WORKSPACE = 'Global Corp'

export type ColdRow = { command: string; sqliteMs: number; postgresMs: number; ratio: number; roundTrips: Omit<RoundTrips, 'texts'> }
export type PgColdResults = { runs: number; nodeMs: number; rows: ColdRow[] }

function cli(db: string, args: string[]): string {
  const run = processMs(process.execPath, [WSB, ...args], { ...process.env, WSB_DB: db, WSB_WORKSPACE: WORKSPACE })
  if (run.status !== 0) throw new Error(`wsb ${args.join(' ')} on ${db.startsWith('postgres') ? 'PostgreSQL' : 'SQLite'} failed: ${run.stderr}${run.stdout}`)
  return run.stdout
}

/** The demo's second workspace, as `npm run demo` builds it up to its preview; the GmbH's subscription id. */
function buildWorkspace(db: string): string {
  cli(db, ['apply', '-f', EXAMPLE])
  cli(db, ['tax', 'rate', 'set', '--country', 'DE', '--rate', '19', '--name', 'VAT'])
  const subs = JSON.parse(cli(db, ['sub', 'list', '--account', 'Global Corp GmbH', '--json'])) as { subscriptions: { id: string }[] }
  cli(db, ['clock', 'advance', '--by', '3mo'])
  return subs.subscriptions[0]?.id as string
}

const commands = (sub: string): Record<string, string[]> => ({
  'org list': ['org', 'list'],
  'invoice preview --change': ['invoice', 'preview', 'Global Corp GmbH', '--change', `${sub}:users=30`],
})

export async function pgCold(dir: string, log: (text: string) => void, runs = 17): Promise<PgColdResults> {
  const { base, admin, stop } = await benchServer()
  const name = `wsb_bench_cold_${process.pid}`
  try {
    const url = await createDatabase(admin, base, name)
    const file = join(dir, 'cold.sqlite')
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true })
    log('pg-cold: the demo workspace Global Corp on each engine …')
    const engines = { sqlite: { db: file, sub: buildWorkspace(file) }, postgres: { db: url, sub: buildWorkspace(url) } }
    const names = Object.keys(commands(''))
    const samples: Record<string, number[]> = { node: [] }
    for (const command of names) for (const engine of ['sqlite', 'postgres'] as const) samples[`${engine} ${command}`] = []
    const run = (engine: 'sqlite' | 'postgres', command: string) => {
      const { db, sub } = engines[engine]
      const args = commands(sub)[command] as string[]
      const out = processMs(process.execPath, [WSB, ...args], { ...process.env, WSB_DB: db, WSB_WORKSPACE: WORKSPACE })
      if (out.status !== 0) throw new Error(`${command} on ${engine} failed: ${out.stderr}`)
      return out.ms
    }
    for (const command of names) for (const engine of ['sqlite', 'postgres'] as const) run(engine, command)
    const order = names.flatMap((command) => (['sqlite', 'postgres'] as const).map((engine) => ({ engine, command })))
    log(`pg-cold: ${runs} interleaved runs of each command on each engine …`)
    for (let i = 0; i < runs; i++) {
      samples.node?.push(processMs(process.execPath, ['-e', '']).ms)
      for (let k = 0; k < order.length; k++) {
        const { engine, command } = order[(k + i) % order.length] as (typeof order)[number]
        samples[`${engine} ${command}`]?.push(run(engine, command))
      }
    }
    const relay = await countingRelay(url)
    const rows: ColdRow[] = []
    try {
      for (const command of names) {
        relay.reset()
        // Not spawnSync: the relay runs in this process's event loop.
        const status = await new Promise<number | null>((resolve, reject) => {
          const child = spawn(process.execPath, [WSB, ...(commands(engines.postgres.sub)[command] as string[])], { env: { ...process.env, WSB_DB: relay.url, WSB_WORKSPACE: WORKSPACE }, stdio: 'ignore' })
          child.on('error', reject).on('exit', resolve)
        })
        if (status !== 0) throw new Error(`${command} through the relay exited ${status}`)
        const { texts: _texts, ...roundTrips } = relay.counts()
        const sqliteMs = median(samples[`sqlite ${command}`] ?? [])
        const postgresMs = median(samples[`postgres ${command}`] ?? [])
        rows.push({ command, sqliteMs: round(sqliteMs), postgresMs: round(postgresMs), ratio: round(postgresMs / sqliteMs, 2), roundTrips })
      }
    } finally {
      await relay.close()
    }
    return { runs, nodeMs: round(median(samples.node ?? [])), rows }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined)
    await stop()
  }
}

/** The rows of the results table (measure, result, target). */
export function pgColdRows(r: PgColdResults): [string, string, string][] {
  return r.rows.map((row) => [
    `cold ${row.command} on PostgreSQL vs SQLite (the demo's Global Corp, median of ${r.runs})`,
    `${row.postgresMs} ms vs ${row.sqliteMs} ms = ${row.ratio}× (node -e '' ${r.nodeMs} ms); ${row.roundTrips.connections} connection, ${row.roundTrips.connect} connect + ${row.roundTrips.queries} query round trips`,
    '≤ 1.3×',
  ])
}
