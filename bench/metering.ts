// Metering benchmarks: import throughput against a raw better-sqlite3 floor,
// usage report latency at 10k orgs / 1M ledger rows, usage record latency.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { contextFor } from '../src/core/context.js'
import { type Db, openDb } from '../src/core/store/open.js'
import { createWorkspace } from '../src/core/workspaces/create.js'
import { resolveWorkspace } from '../src/core/workspaces/resolve.js'
import { createAccount } from '../src/core/accounts/create.js'
import { addSubscription } from '../src/core/subscriptions/add.js'
import { catchUp } from '../src/core/lifecycle/run.js'
import { organizations } from '../src/core/store/schema/index.js'
import { newId } from '../src/core/ids.js'
import { poolReport } from '../src/core/pools/report.js'
import { usageByOrg } from '../src/core/usage/org-report.js'
import { decideUsage } from '../src/core/usage/record.js'
import { median, percentile, processMs, round, timeMs, timeMsAsync } from './lib.js'

const WSB = new URL('../bin/run.cjs', import.meta.url).pathname

/** A pooled workspace with ample capacity and `top` × `children` orgs (names o<i>, o<i>/c<j>). */
export async function seedWorkspace(path: string, top: number, children: number) {
  const db = openDb(path)
  return { db, ctx: await seedWorkspaceOn(db, top, children) }
}

/** The same on an open database of either engine. */
export async function seedWorkspaceOn(db: Db, top: number, children: number) {
  const view = await createWorkspace(db, { name: 'Bench', mode: 'pooled', clockStart: Date.parse('2026-01-01T00:00:00Z') })
  const ctx = contextFor(db, await resolveWorkspace(db, view.id))
  await createAccount(ctx, { name: 'A', currency: 'USD' })
  await addSubscription(ctx, { account: 'A', items: { users: 1_000_000_000, locations: 1_000_000_000 }, trial: false })
  // As wsb sub add does before it returns: the first invoice's collection falls due at once, and
  // left undone the first timed command (an import) would run it, lifecycle code and all.
  await catchUp(ctx)
  const rows: (typeof organizations.$inferInsert)[] = []
  for (let i = 0; i < top; i++) {
    const id = newId('organization')
    rows.push({ id, workspaceId: view.id, parentId: null, name: `o${i}`, createdAt: ctx.now })
    for (let j = 0; j < children; j++) rows.push({ id: newId('organization'), workspaceId: view.id, parentId: id, name: `c${j}`, createdAt: ctx.now })
  }
  await db.write(async () => {
    for (let k = 0; k < rows.length; k += 500) await db.orm.insert(organizations).values(rows.slice(k, k + 500))
  })
  return ctx
}

export function writeReports(file: string, count: number, top: number, children: number, tag: string): void {
  const lines: string[] = []
  for (let i = 0; i < count; i++) {
    const o = i % top
    const c = Math.floor(i / top) % children
    lines.push(JSON.stringify({ org: `o${o}/c${c}`, product: i % 3 === 0 ? 'locations' : 'users', delta: 1, key: `${tag}${i}` }))
  }
  writeFileSync(file, `${lines.join('\n')}\n`)
}

/** The floor: the same ledger rows inserted by a bare better-sqlite3 loop, same pragmas and batch size. */
function rawInsertRate(dir: string, count: number, batch: number): number {
  const db = new Database(join(dir, `raw-${count}.sqlite`))
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = FULL')
  const migration = readFileSync(new URL('../migrations/sqlite/0003_usage_ledger.sql', import.meta.url), 'utf8')
  for (const statement of migration.split('--> statement-breakpoint')) db.exec(statement)
  const insert = db.prepare(
    `INSERT INTO usage_ledger (workspace_id, org_id, product, kind, value, delta, outcome, reason, level_after, headroom_after, binding_kind, binding_id, key, at)
     VALUES (?, ?, ?, 'delta', 1, 1, 'accepted', NULL, ?, 0, 'pool', 'ws', ?, ?)`,
  )
  const ms = timeMs(() => {
    for (let start = 0; start < count; start += batch) {
      db.transaction(() => {
        for (let i = start; i < Math.min(count, start + batch); i++) insert.run('ws', `org${i % 100}`, 'users', i, `k${i}`, 0)
      })()
    }
  })
  db.close()
  return count / (ms / 1000)
}

export async function importThroughput(dir: string, count: number) {
  const path = join(dir, `import-${count}.sqlite`)
  ;(await seedWorkspace(path, 100, 100)).db.close()
  const file = join(dir, `reports-${count}.ndjson`)
  writeReports(file, count, 100, 100, 'k')
  const run = processMs(process.execPath, [WSB, 'usage', 'import', file, '--json', '--db', path])
  if (run.status !== 0) throw new Error(`import failed: ${run.stderr}${run.stdout}`)
  const summary = JSON.parse(run.stdout) as { accepted: number; durationMs: number }
  if (summary.accepted !== count) throw new Error(`expected ${count} accepted, got ${summary.accepted}`)
  const rate = count / (summary.durationMs / 1000)
  const floor = rawInsertRate(dir, count, 10_000)
  return {
    reports: count,
    reportsPerSecond: Math.round(rate),
    wallMs: round(run.ms),
    rawInsertsPerSecond: Math.round(floor),
    ratioToRaw: round(rate / floor, 2),
  }
}

/** usage report over 10,000 orgs and 1,000,000 ledger rows, in process. */
export async function reportLatency(dir: string) {
  const path = join(dir, 'report-10k.sqlite')
  ;(await seedWorkspace(path, 100, 99)).db.close()
  const file = join(dir, 'report-1m.ndjson')
  writeReports(file, 1_000_000, 100, 99, 'r')
  const run = processMs(process.execPath, [WSB, 'usage', 'import', file, '--json', '--db', path])
  if (run.status !== 0) throw new Error(`import failed: ${run.stderr}`)
  const db = openDb(path)
  const measured = await reportAndRecordTimes(db)
  db.sqlite.close()
  return measured
}

/**
 * usage report by org and by pool (median of 10 after a warm-up), then 2,000 usage records, on the
 * seeded 'Bench' of either engine. With `floor`, a bare transaction of the same kind runs after
 * each record, so both latencies are taken under the same load.
 */
export async function reportAndRecordTimes(db: Db, floor?: (i: number) => Promise<void>) {
  const ctx = contextFor(db, await resolveWorkspace(db, 'Bench'))
  const orgs = Number((await db.get<{ n: number }>('SELECT count(*) AS n FROM organizations'))?.n)
  const rows = Number((await db.get<{ n: number }>('SELECT count(*) AS n FROM usage_ledger'))?.n)
  const byOrg: number[] = []
  const byPool: number[] = []
  for (let i = 0; i < 11; i++) {
    byOrg.push(await timeMsAsync(() => usageByOrg(ctx)))
    byPool.push(await timeMsAsync(() => poolReport(ctx)))
  }
  const record: number[] = []
  const bare: number[] = []
  for (let i = 0; i < 2000; i++) {
    record.push(await timeMsAsync(() => decideUsage(ctx, { org: `o${i % 100}/c${i % 99}`, product: 'users', delta: 1, key: `lat${i}` })))
    if (floor) bare.push(await timeMsAsync(() => floor(i)))
  }
  return {
    orgs,
    ledgerRows: rows,
    reportByOrgMs: round(median(byOrg.slice(1))),
    reportByPoolMs: round(median(byPool.slice(1)), 2),
    recordP50Ms: round(percentile(record, 50), 2),
    recordP99Ms: round(percentile(record, 99), 2),
    ...(floor ? { floorP50Ms: round(percentile(bare, 50), 2), floorP99Ms: round(percentile(bare, 99), 2) } : {}),
  }
}
