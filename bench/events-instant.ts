// Piped `events` over rows that share one instant (issue 25): a test-clock
// import stamps every report with the frozen time, so 1,000,000 ledger rows may
// all sit at one `at`. The listing's keyset pages must cost the same there as
// over rows spread in time: whole `wsb events > pipe` processes over 1,000,000
// rows at one instant and over 1,000,000 rows 30 s apart, interleaved, median;
// the ratio is the measure (target ≤ 2×).
import { spawn } from 'node:child_process'
import { historyDb } from './events.js'
import { median, round } from './lib.js'

const WSB = new URL('../bin/run.cjs', import.meta.url).pathname

/** Wall time of `wsb events` with stdout a pipe read and thrown away, and the lines it printed. */
function pipedEvents(db: string): Promise<{ ms: number; lines: number }> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, WSB_DB: db }
    delete env.WSB_TTY
    const start = process.hrtime.bigint()
    const child = spawn(process.execPath, [WSB, 'events'], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let lines = 0
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => {
      for (const byte of chunk) if (byte === 10) lines++
    })
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk))
    child.on('error', reject)
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`wsb events failed (${code}): ${stderr}`))
      resolve({ ms: Number(process.hrtime.bigint() - start) / 1e6, lines })
    })
  })
}

export async function eventsAtOneInstant(dir: string, rows = 1_000_000, rounds = 3) {
  const spread = await historyDb(dir, rows)
  const instant = await historyDb(dir, rows, 0)
  const samples = { spread: [] as number[], instant: [] as number[] }
  for (let i = 0; i < rounds; i++) {
    for (const [name, db] of [['spread', spread], ['instant', instant]] as const) {
      const run = await pipedEvents(db)
      // The header, the rows, and the workspace's own events (created, account, subscription …).
      if (run.lines <= rows) throw new Error(`wsb events printed ${run.lines} lines over ${rows} rows`)
      samples[name].push(run.ms)
    }
  }
  const spreadMs = median(samples.spread)
  const instantMs = median(samples.instant)
  return { rows, rounds, spreadMs: round(spreadMs), oneInstantMs: round(instantMs), ratio: round(instantMs / spreadMs, 2), samples }
}
