// Issue 24: the metering load (wsb_meter_load, migrations/postgres/0018) reads a report's
// claimed keys and counter rows through their indexes whatever the tables' statistics say.
// The statistics here are taken while the ledger and the counters are empty and then kept
// (autovacuum off for both tables), as on a new database before autovacuum's first analyze;
// the plans of the load's own statements are read back through auto_explain.
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { contextFor, type Ctx } from '../../src/core/context.js'
import { createAccount } from '../../src/core/accounts/create.js'
import { catchUp } from '../../src/core/lifecycle/run.js'
import { createOrg } from '../../src/core/orgs/create.js'
import type { Db } from '../../src/core/store/connect.js'
import { openEngine } from '../../src/core/store/engine.js'
import { addSubscription } from '../../src/core/subscriptions/add.js'
import { decideUsage } from '../../src/core/usage/record.js'
import { createWorkspace } from '../../src/core/workspaces/create.js'
import { resolveWorkspace } from '../../src/core/workspaces/resolve.js'
import { postgresDatabase } from '../helpers/postgres.js'

let url: string
let db: Db
let ctx: Ctx

beforeAll(async () => {
  url = await postgresDatabase()
  const admin = new pg.Client({ connectionString: url })
  await admin.connect()
  // Statistics of empty tables, kept: nothing analyzes them again during the test.
  for (const table of ['usage_ledger', 'usage_levels']) await admin.query(`ALTER TABLE ${table} SET (autovacuum_enabled = false)`)
  await admin.query('ANALYZE usage_ledger, usage_levels')
  await admin.end()
  db = await openEngine(url)
  const view = await createWorkspace(db, { name: 'Plans', mode: 'pooled', clockStart: Date.parse('2026-01-01T00:00:00Z') })
  ctx = contextFor(db, await resolveWorkspace(db, view.id))
  await createAccount(ctx, { name: 'A', currency: 'USD' })
  await addSubscription(ctx, { account: 'A', items: { users: 1_000_000 }, trial: false })
  await catchUp(ctx)
  for (let i = 0; i < 20; i++) {
    await createOrg(ctx, { name: `t${i}` })
    for (let j = 0; j < 10; j++) await createOrg(ctx, { name: `c${j}`, parent: `t${i}` })
  }
  // Another workspace's 5,000 orgs with 10,000 counter rows, written straight in: the table
  // every load reads is large, and its statistics say it is empty.
  const other = await createWorkspace(db, { name: 'Other', mode: 'pooled', clockStart: Date.parse('2026-01-01T00:00:00Z') })
  const fill = new pg.Client({ connectionString: url })
  await fill.connect()
  await fill.query(`INSERT INTO organizations (id, workspace_id, parent_id, name, created_at) SELECT 'org_fill' || g, $1, NULL, 'fill' || g, 0 FROM generate_series(1, 5000) g`, [other.id])
  await fill.query(`INSERT INTO usage_levels (org_id, workspace_id, product, level, subtree) SELECT 'org_fill' || g, $1, p, 0, 0 FROM generate_series(1, 5000) g, (VALUES ('users'), ('seats')) v(p)`, [other.id])
  await fill.end()
  // A ledger and counters well past what the statistics say (0 rows).
  for (let i = 0; i < 600; i++) await decideUsage(ctx, { org: `t${i % 20}/c${i % 10}`, product: 'users', delta: 1, key: `k${i}` })
}, 120_000)

afterAll(async () => {
  db?.close()
})

/** The plans of the statements the load runs for one keyed report, as auto_explain prints them. */
async function loadPlans(): Promise<string[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  const plans: string[] = []
  client.on('notice', (notice) => plans.push(notice.message ?? ''))
  try {
    for (const setting of ["LOAD 'auto_explain'", 'SET auto_explain.log_min_duration = 0', 'SET auto_explain.log_nested_statements = on', 'SET auto_explain.log_level = notice'])
      await client.query(setting)
    await client.query('BEGIN ISOLATION LEVEL READ COMMITTED')
    const request = { ws: ctx.workspace.id, mode: 'pooled', v: null, known: [], ids: ['t3/c7'], names: ['t3', 'c7'], scan: false, folds: [], products: ['users'], keys: ['k7'], n: 1, bulk: false, mine: [] }
    const answer = (await client.query<{ state: string }>('SELECT wsb_meter_load($1::jsonb) AS state', [JSON.stringify(request)])).rows[0]?.state ?? ''
    await client.query('ROLLBACK')
    // The load found what the plans are about: the claimed key, and the org's counter row.
    const state = JSON.parse(answer) as { claimed: unknown[][]; counters: unknown[][] }
    expect(state.claimed.map((row) => row.at(-1))).toEqual(['k7'])
    expect(state.counters.length).toBeGreaterThan(0)
  } finally {
    await client.end()
  }
  return plans
}

describe('PostgreSQL metering load: plans that do not depend on statistics (issue 24)', () => {
  it('R-USE-4 looks a claimed key up by workspace and key in the claimed-key index, not by scanning the workspace ledger', async () => {
    const plans = await loadPlans()
    const claimed = plans.find((plan) => plan.includes('usage_ledger'))
    expect(claimed, plans.join('\n---\n')).toBeDefined()
    expect(claimed).toMatch(/Index Scan using usage_ledger_claimed_key/)
    expect(claimed).toMatch(/Index Cond: \(\(workspace_id = .*\) AND \(key = /)
  })

  it('R-USE-3 reads and locks a report\'s counter rows through the primary key, not by scanning usage_levels', async () => {
    const plans = await loadPlans()
    const counters = plans.find((plan) => plan.includes('usage_levels'))
    expect(counters, plans.join('\n---\n')).toBeDefined()
    expect(counters).toMatch(/Index Scan using usage_levels_org_id_product_pk/)
    expect(counters).not.toMatch(/Seq Scan on usage_levels/)
  })
})

/** Whether another connection can lock `org`'s counter row of 'users' at once (NOWAIT): false while a transaction holds it. */
async function lockable(client: pg.Client, org: string): Promise<boolean> {
  await client.query('BEGIN')
  try {
    await client.query("SELECT 1 FROM usage_levels WHERE org_id = $1 AND product = 'users' FOR UPDATE NOWAIT", [org])
    return true
  } catch (error) {
    if ((error as { code?: string }).code !== '55P03') throw error
    return false
  } finally {
    await client.query('ROLLBACK')
  }
}

describe('PostgreSQL metering load: a report locks its own org chain only (issue 24)', () => {
  it('R-USE-3 a report on a path "t3/c3" locks the counter rows of its chain, also those its process wrote last, and not those of the other orgs named c3', async () => {
    const other = new pg.Client({ connectionString: url })
    await other.connect()
    // A process that has met none of the orgs yet: the path is resolved by the load.
    const fresh = await openEngine(url)
    try {
      const orgOf = async (path: string) => {
        const [top, child] = path.split('/')
        const found = await other.query<{ id: string }>(
          'SELECT c.id FROM organizations c JOIN organizations t ON t.id = c.parent_id WHERE t.workspace_id = $1 AND t.name = $2 AND c.name = $3',
          [ctx.workspace.id, top, child],
        )
        return found.rows[0]?.id as string
      }
      // Both have counter rows (the reports above went to t3/c3 and t13/c3 among others).
      const mine = await orgOf('t3/c3')
      const sibling = await orgOf('t13/c3')
      const freshCtx = contextFor(fresh, await resolveWorkspace(fresh, ctx.workspace.id))
      const held: { mine: boolean; sibling: boolean }[] = []
      // The second report finds the rows as this process wrote them (it holds them): it must lock them all the same.
      for (const key of ['lock-probe-1', 'lock-probe-2'])
        await fresh.write(async () => {
          const decision = await decideUsage(freshCtx, { org: 't3/c3', product: 'users', delta: 1, key })
          expect(decision.accepted).toBe(true)
          // Still inside the report's transaction: its row locks are held.
          held.push({ mine: !(await lockable(other, mine)), sibling: !(await lockable(other, sibling)) })
        })
      expect(held).toEqual([
        { mine: true, sibling: false },
        { mine: true, sibling: false },
      ])
    } finally {
      fresh.close()
      await other.end()
    }
  })
})

describe('PostgreSQL metering load: plans a session keeps (issue 24)', () => {
  it('R-USE-4 a session whose plans were made on a new, empty ledger still finds claimed keys through the index once the ledger has grown', async () => {
    // A new database, as `wsb serve` starts on one: its writer's session makes the load's plans
    // (kept for the session) at its first report, when a scan of the empty ledger costs nothing.
    const fresh = await postgresDatabase()
    const freshDb = await openEngine(fresh)
    const client = new pg.Client({ connectionString: fresh })
    await client.connect()
    try {
      const view = await createWorkspace(freshDb, { name: 'Kept', mode: 'pooled', clockStart: Date.parse('2026-01-01T00:00:00Z') })
      const kept = contextFor(freshDb, await resolveWorkspace(freshDb, view.id))
      await createAccount(kept, { name: 'A', currency: 'USD' })
      await addSubscription(kept, { account: 'A', items: { users: 1_000_000 }, trial: false })
      await catchUp(kept)
      await createOrg(kept, { name: 't0' })
      await createOrg(kept, { name: 'c0', parent: 't0' })
      const plans: string[] = []
      client.on('notice', (notice) => plans.push(notice.message ?? ''))
      for (const setting of ["LOAD 'auto_explain'", 'SET auto_explain.log_min_duration = 0', 'SET auto_explain.log_nested_statements = on', 'SET auto_explain.log_level = notice'])
        await client.query(setting)
      const load = async (key: string) => {
        await client.query('BEGIN ISOLATION LEVEL READ COMMITTED')
        const request = { ws: view.id, mode: 'pooled', v: null, known: [], ids: ['t0/c0'], names: ['t0', 'c0'], scan: false, folds: [], products: ['users'], keys: [key], n: 1, bulk: false, mine: [] }
        await client.query('SELECT wsb_meter_load($1::jsonb)', [JSON.stringify(request)])
        await client.query('ROLLBACK')
      }
      await load('first')
      // The ledger grows under the session's kept plans.
      for (let i = 0; i < 300; i++) await decideUsage(kept, { org: 't0/c0', product: 'users', delta: 1, key: `grow${i}` })
      plans.length = 0
      await load('grow7')
      const claimed = plans.find((plan) => plan.includes('usage_ledger'))
      expect(claimed, plans.join('\n---\n')).toBeDefined()
      expect(claimed).not.toMatch(/Seq Scan on usage_ledger/)
      expect(claimed).toMatch(/Index Scan using usage_ledger_claimed_key/)
    } finally {
      await client.end()
      freshDb.close()
    }
  })
})
