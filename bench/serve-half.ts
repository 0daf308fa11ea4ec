// A focused look at `wsb serve`'s tail on SQLite (issue 24's p99 bar): a fresh
// database seeded as the serve benchmark seeds it, the server started, then
// `fill` seconds of closed-loop single reports (the database grows as in the
// whole benchmark, whose half-rate run follows a 60 s run), then `rounds`
// paced runs at `rate` reports/s, each printed with its p50/p99.
// Usage: node --import tsx bench/serve-half.ts '{"fill":60,"rate":5000,"rounds":3,"seconds":10}'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { load, seed, started, stop } from './serve.js'

const here = new URL('.', import.meta.url).pathname
const o = { fill: 60, rate: 0, rounds: 3, seconds: 10, db: '', ...(JSON.parse(process.argv[2] ?? '{}') as Record<string, unknown>) } as {
  fill: number
  rate: number
  rounds: number
  seconds: number
  db: string
}
const dir = mkdtempSync(join(tmpdir(), 'wsb-serve-half-'))
const db = o.db || join(dir, 'serve.sqlite')
const key = seed(db, 'Serve sqlite')
const child = spawn(process.execPath, [join(here, '..', 'bin', 'run.cjs'), 'serve', '--listen', '127.0.0.1:0', '--db', db], { stdio: ['ignore', 'pipe', 'inherit'] })
const url = await started(child, /listening address=(http:\/\/[0-9.:]+)/)
try {
  const warm = await load({ url, path: '/v1/usage', key, seconds: 2, reports: 1, tag: 'warm' })
  console.log(JSON.stringify({ warm }))
  let rate = o.rate
  if (o.fill > 0) {
    const fill = await load({ url, path: '/v1/usage', key, seconds: o.fill, reports: 1, tag: 'fill' })
    console.log(JSON.stringify({ fill }))
    if (!rate) rate = Math.round(fill.perSecond / 2)
  }
  for (let r = 0; r < o.rounds; r++) {
    const half = await load({ url, path: '/v1/usage', key, seconds: o.seconds, reports: 1, tag: `half${r}`, rate })
    console.log(JSON.stringify({ rate, half }))
  }
} finally {
  await stop(child)
  rmSync(dir, { recursive: true, force: true })
}
