// 1, 2 and 4 reporter processes on one database file, each report its own
// transaction: throughput, over-allocations (must be 0) and SQLITE_BUSY seen by
// a reporter (must be 0). Capacity is half the reports, so the pool fills up.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { poolReport } from '../src/core/pools/report.js'
import { contextFor } from '../src/core/context.js'
import { openDb } from '../src/core/store/open.js'
import { verifyUsage } from '../src/core/usage/verify.js'
import { resolveWorkspace } from '../src/core/workspaces/resolve.js'
import { addSubscription } from '../src/core/subscriptions/add.js'
import { round } from './lib.js'
import { seedWorkspace } from './metering.js'

const reporter = new URL('./reporter.ts', import.meta.url).pathname

type Result = { accepted: number; rejected: number; busy: number; errors: string[]; ms: number }

function run(args: string[]): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', reporter, ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.on('data', (chunk) => (out += chunk))
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`reporter exited ${code}`))))
  })
}

export async function concurrency(dir: string, perProcess = 3000) {
  const rows = []
  for (const processes of [1, 2, 4]) {
    const path = join(dir, `concurrency-${processes}.sqlite`)
    const { db, ctx } = await seedWorkspace(path, 1, 1)
    const total = processes * perProcess
    const capacity = total / 2
    // The seeded subscription is huge; this workspace gets a pool of exactly `capacity`.
    db.sqlite.prepare("UPDATE subscriptions SET status = 'canceled'").run()
    await addSubscription(ctx, { account: 'A', items: { users: capacity }, trial: false })
    db.sqlite.close()
    const startAt = Date.now() + 3000
    const results = await Promise.all(Array.from({ length: processes }, (_, i) => run([path, 'o0/c0', String(perProcess), String(startAt), `p${i}`])))
    const wall = Math.max(...results.map((r) => r.ms))
    const check = openDb(path)
    const checkCtx = contextFor(check, await resolveWorkspace(check, 'Bench'))
    const used = await (await poolReport(checkCtx)).pools[0]?.products.find((p) => p.product === 'users')?.used ?? 0
    const accepted = results.reduce((sum, r) => sum + r.accepted, 0)
    const verified = await (await verifyUsage(checkCtx)).ok
    check.sqlite.close()
    rows.push({
      processes,
      reports: total,
      reportsPerSecond: Math.round(total / (wall / 1000)),
      accepted,
      capacity,
      overAllocations: Math.max(0, used - capacity) + Math.max(0, accepted - capacity),
      lostReports: accepted - used,
      busyErrors: results.reduce((sum, r) => sum + r.busy, 0),
      otherErrors: results.flatMap((r) => r.errors).length - results.reduce((sum, r) => sum + r.busy, 0),
      verifyClean: verified,
      wallMs: round(wall),
    })
  }
  return rows
}
