// events over a large history (issue 15): 1,000,000 ledger rows written in one
// bulk INSERT … SELECT (the listing reads them; how they were metered does not
// matter here), then the built CLI, each measure beside a cold start floor taken
// in the same run, interleaved so all see the same machine:
// - `wsb events --limit 20` and `wsb events | head -20` (time to the 20th line,
//   and to the exit after head has closed the pipe), as ratios to `wsb version`;
// - peak RSS of `wsb events --json` over the whole history at 100,000, 1,000,000
//   and 2,000,000 rows (GNU time's maximum resident set size), against the RSS
//   of `wsb version`: memory is flat when the peak stops growing with the rows.
//   (It is a sawtooth: garbage from finished pages grows the heap until V8
//   collects it, about 20 MB up and down, so a run too short for one full
//   collection peaks lower.)
import { spawn } from 'node:child_process'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { median, processMs, round } from './lib.js'
import { seedWorkspace } from './metering.js'

const WSB = new URL('../bin/run.cjs', import.meta.url).pathname
const TIME = '/usr/bin/time'
const START = Date.parse('2026-01-01T00:00:00Z')

/** A pooled workspace with 100 orgs and `rows` ledger rows, `spacingMs` apart (30 s: 1M rows are most of a year; 0: all at one instant, as a test-clock import). */
export async function historyDb(dir: string, rows: number, spacingMs = 30_000): Promise<string> {
  const path = join(dir, `events-${rows}${spacingMs === 30_000 ? '' : `-every-${spacingMs}ms`}.sqlite`)
  // Another group of the same run may have built this database already: build it anew.
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true })
  const seeded = await seedWorkspace(path, 10, 9)
  const workspaceId = seeded.ctx.workspace.id
  seeded.db.close()
  const raw = new Database(path)
  raw.exec('CREATE TEMP TABLE bench_orgs AS SELECT row_number() OVER (ORDER BY id) - 1 AS k, id FROM organizations')
  const orgs = Number((raw.prepare('SELECT count(*) AS n FROM bench_orgs').get() as { n: number }).n)
  raw
    .prepare(
      `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ? - 1)
       INSERT INTO usage_ledger (workspace_id, org_id, product, kind, value, delta, outcome, reason, level_after, headroom_after, binding_kind, binding_id, key, at)
       SELECT ?, o.id, CASE WHEN i % 3 = 0 THEN 'locations' ELSE 'users' END, 'delta', 1, 1, 'accepted', NULL, i / ${orgs}, 1000000000, 'pool', ?, 'k' || i, ${START} + i * ${Math.trunc(spacingMs)}
       FROM n JOIN bench_orgs o ON o.k = i % ${orgs}`,
    )
    .run(rows, workspaceId, workspaceId)
  raw.close()
  return path
}

/** Wall time until the 20th line arrives and until the process exits, the pipe closed after 20 lines (as `| head -20` does). */
function headTwenty(env: NodeJS.ProcessEnv): Promise<{ lineMs: number; exitMs: number; lines: number }> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint()
    const child = spawn(process.execPath, [WSB, 'events'], { env, stdio: ['ignore', 'pipe', 'ignore'] })
    let lines = 0
    let lineMs = 0
    child.stdout.on('data', (chunk: Buffer) => {
      if (lineMs) return
      for (const byte of chunk) if (byte === 10) lines++
      if (lines >= 20) {
        lineMs = Number(process.hrtime.bigint() - start) / 1e6
        child.stdout.destroy()
      }
    })
    child.on('error', reject)
    child.on('exit', () => resolve({ lineMs, exitMs: Number(process.hrtime.bigint() - start) / 1e6, lines }))
  })
}

/** Peak RSS (MB) and wall time of a whole process, its stdout read and thrown away. */
function peakRss(args: string[], env: NodeJS.ProcessEnv): Promise<{ rssMb: number; ms: number; bytes: number; tail: string }> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint()
    const child = spawn(TIME, ['-f', 'maxrss=%M', process.execPath, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let bytes = 0
    let tail = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => {
      bytes += chunk.length
      tail = (tail + chunk.toString('utf8')).slice(-16)
    })
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk))
    child.on('error', reject)
    child.on('exit', (code) => {
      const kb = /maxrss=(\d+)/.exec(stderr)
      if (code !== 0 || !kb) return reject(new Error(`${args.join(' ')} failed (${code}): ${stderr}`))
      resolve({ rssMb: round(Number(kb[1]) / 1024), ms: round(Number(process.hrtime.bigint() - start) / 1e6), bytes, tail })
    })
  })
}

export async function eventsListing(dir: string, runs = 11) {
  const big = await historyDb(dir, 1_000_000)
  const env: NodeJS.ProcessEnv = { ...process.env, WSB_DB: big }
  delete env.WSB_TTY
  const limit = ['events', '--limit', '20']
  const check = processMs(process.execPath, [WSB, ...limit], env)
  if (check.status !== 0 || check.stdout.trimEnd().split('\n').length !== 21) throw new Error(`events --limit 20: ${check.stderr}${check.stdout}`)
  processMs(process.execPath, [WSB, 'version'], env) // warm, as a user's second run
  const samples = { node: [] as number[], version: [] as number[], limit: [] as number[], headLine: [] as number[], headExit: [] as number[] }
  for (let i = 0; i < runs; i++) {
    samples.node.push(processMs(process.execPath, ['-e', ''], env).ms)
    samples.version.push(processMs(process.execPath, [WSB, 'version'], env).ms)
    samples.limit.push(processMs(process.execPath, [WSB, ...limit], env).ms)
    const head = await headTwenty(env)
    if (head.lines < 20) throw new Error(`events | head -20: only ${head.lines} lines`)
    samples.headLine.push(head.lineMs)
    samples.headExit.push(head.exitMs)
  }
  const floor = median(samples.version)
  const at = (xs: number[]) => ({ ms: round(median(xs)), ratio: round(median(xs) / floor, 2), overMs: round(median(xs) - floor) })
  const json = async (db: string) => {
    const run = await peakRss([WSB, 'events', '--json'], { ...env, WSB_DB: db })
    if (!run.tail.endsWith('\n  ]\n}\n')) throw new Error(`events --json did not end its document: …${JSON.stringify(run.tail)}`)
    return run
  }
  const rssVersion = await peakRss([WSB, 'version'], env)
  const rssNode = await peakRss(['-e', ''], env)
  const jsonRuns = []
  for (const rows of [100_000, 1_000_000, 2_000_000]) {
    const run = await json(rows === 1_000_000 ? big : await historyDb(dir, rows))
    jsonRuns.push({ rows, rssMb: run.rssMb, ratio: round(run.rssMb / rssVersion.rssMb, 2), ms: run.ms, bytes: run.bytes })
  }
  return {
    ledgerRows: 1_000_000,
    nodeMs: round(median(samples.node)),
    versionMs: round(floor),
    limit20: at(samples.limit),
    headTwentyLine: at(samples.headLine),
    headTwentyExit: at(samples.headExit),
    rss: {
      nodeMb: rssNode.rssMb,
      versionMb: rssVersion.rssMb,
      json: jsonRuns,
    },
  }
}
