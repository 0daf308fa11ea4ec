// usage history at 10,000 orgs and 1,000,000 ledger rows spread over a year
// (issue 17): the reports go through the Meter in process, one day's share at
// a time, so the rollups are the ones metering writes; the test clock is set
// directly between days (no lifecycle: the bench pool has no renewals to run).
// Then `usage history` for the whole year in daily buckets, median of 10.
import { Readable } from 'node:stream'
import { join } from 'node:path'
import { contextFor } from '../src/core/context.js'
import { openDb } from '../src/core/store/open.js'
import { setAlerts } from '../src/core/usage/alerts.js'
import { usageHistory } from '../src/core/usage/history.js'
import { importUsage } from '../src/core/usage/import.js'
import { resolveWorkspace } from '../src/core/workspaces/resolve.js'
import { median, round, timeMsAsync } from './lib.js'
import { seedWorkspace } from './metering.js'

const DAY = 86_400_000
const START = Date.parse('2026-01-01T00:00:00Z')

export async function historyLatency(dir: string, total = 1_000_000) {
  const path = join(dir, 'history-10k.sqlite')
  const seeded = await seedWorkspace(path, 100, 99)
  const db = seeded.db
  const workspaceId = seeded.ctx.workspace.id
  // An alert on the pool, so the import below runs with alerts on (it fires once, at 50%).
  await setAlerts(seeded.ctx, { pool: workspaceId, product: 'users', at: [50, 100] })
  const perDay = Math.ceil(total / 365)
  let written = 0
  let importMs = 0
  for (let day = 0; day < 365 && written < total; day++) {
    await db.run('UPDATE workspaces SET clock_now = ? WHERE id = ?', START + day * DAY + 12 * 3_600_000, workspaceId)
    const ctx = contextFor(db, await resolveWorkspace(db, workspaceId))
    const lines: string[] = []
    for (let i = 0; i < perDay && written < total; i++, written++) {
      const o = written % 100
      const c = Math.floor(written / 100) % 99
      lines.push(JSON.stringify({ org: `o${o}/c${c}`, product: written % 3 === 0 ? 'locations' : 'users', delta: 1 }))
    }
    const summary = await importUsage(ctx, Readable.from([`${lines.join('\n')}\n`]))
    importMs += summary.durationMs
  }
  const ctx = contextFor(db, await resolveWorkspace(db, workspaceId))
  const rows = Number((await db.get<{ n: number }>('SELECT count(*) AS n FROM usage_ledger'))?.n)
  const orgs = Number((await db.get<{ n: number }>('SELECT count(*) AS n FROM organizations'))?.n)
  const year = { product: 'users', from: START, to: START + 365 * DAY, bucket: 'day' as const }
  const time = async (input: Parameters<typeof usageHistory>[1]) => {
    const times: number[] = []
    for (let i = 0; i < 11; i++) times.push(await timeMsAsync(() => usageHistory(ctx, input)))
    return round(median(times.slice(1)), 2)
  }
  const result = {
    orgs,
    ledgerRows: rows,
    importReportsPerSecond: Math.round(rows / (importMs / 1000)),
    poolYearByDayMs: await time({ ...year, pool: workspaceId }),
    orgSubtreeYearByDayMs: await time({ ...year, org: 'o7', subtree: true }),
    leafYearByDayMs: await time({ ...year, org: 'o7/c5' }),
  }
  db.close()
  return result
}
