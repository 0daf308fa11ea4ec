// One-line setups for core tests: a real database file with a workspace in a
// given mode, so each test shows only what it is about.
import { createAccount, type CreateAccountInput } from '../src/core/accounts/create.js'
import { type Ctx, contextFor } from '../src/core/context.js'
import { createOrg } from '../src/core/orgs/create.js'
import { ancestry, loadTree } from '../src/core/orgs/tree.js'
import { poolIdOfOrg } from '../src/core/pools/pools.js'
import { adjustLevel } from '../src/core/usage/levels.js'
import { type Db, openDb } from '../src/core/store/open.js'
import type { BillingMode } from '../src/core/store/schema/index.js'
import { createWorkspace } from '../src/core/workspaces/create.js'
import { resolveWorkspace } from '../src/core/workspaces/resolve.js'
import { copyFileSync, existsSync } from 'node:fs'
import { afterAll } from 'vitest'
import { postgresDb } from '../src/core/store/postgres/db.js'
import { refuseSqlite } from './helpers/guard.js'
import { postgresDatabase } from './helpers/postgres.js'
import { memoryDbPath, tempDbPath } from './helpers/temp.js'

export const T0 = Date.parse('2026-01-15T00:00:00Z')

/**
 * The engine the core tests run on: SQLite files, or with WSB_TEST_ENGINE=postgres
 * (the vitest "postgres" project) a fresh PostgreSQL database per call, cloned
 * from the migrated template while the test goes on (the Db awaits it).
 */
export const testEngine = process.env.WSB_TEST_ENGINE === 'postgres' ? 'postgres' : 'sqlite'
const opened: Db[] = []
afterAll(() => {
  for (const db of opened.splice(0)) db.close()
})
const urls = new WeakMap<Db, Promise<string>>()

function postgresTestDb(url: Promise<string>): Db {
  const db = postgresDb(url, 'postgres://wsb-test/database')
  urls.set(db, url)
  opened.push(db)
  return db
}

/**
 * A new database on the engine of the project. `memory`: on SQLite in
 * memory-backed storage (helpers/temp.ts memoryDbPath), for property tests that
 * run thousands of histories, where fsync would cost more than the billing.
 */
export function newDb(options: { memory?: boolean } = {}): Db {
  if (testEngine === 'postgres') return postgresTestDb(postgresDatabase())
  return openDb(options.memory ? memoryDbPath() : tempDbPath())
}

/** A second connection to the database of `db` (made by newDb), as another process would open. */
export async function secondConnection(db: Db): Promise<Db> {
  const url = urls.get(db)
  return url ? postgresTestDb(url) : openDb(db.path)
}

/**
 * Closes `db` (made by newDb) and returns a maker of copies of it as it was:
 * tests that each change one built state start from a copy, not a rebuild.
 */
export async function copiesOf(db: Db): Promise<() => Db> {
  const url = urls.get(db)
  db.close()
  if (url) {
    const source = await url
    return () => postgresTestDb(postgresDatabase({ copyOf: source }))
  }
  return () => {
    const path = tempDbPath()
    copyFileSync(db.path, path)
    if (existsSync(`${db.path}-wal`)) copyFileSync(`${db.path}-wal`, `${path}-wal`)
    return openDb(path)
  }
}

/** A SQLite database at `path`, for tests about SQLite itself; throws in the postgres project, naming the test. */
export function sqliteDb(path: string): Db {
  if (testEngine === 'postgres') refuseSqlite(`sqliteDb(${path})`)
  return openDb(path)
}

/** A workspace with a test clock at `start` (default 2026-01-15). */
export async function workspace(mode: BillingMode, options: { db?: Db; name?: string; start?: number } = {}): Promise<Ctx> {
  const db = options.db ?? newDb()
  const view = await createWorkspace(db, { name: options.name ?? `${mode} workspace`, mode, clockStart: options.start ?? T0 })
  return refresh({ db, workspace: await resolveWorkspace(db, view.id), now: 0 })
}

/** Re-reads the workspace row (its clock may have moved). */
export async function refresh(ctx: Ctx): Promise<Ctx> {
  return contextFor(ctx.db, await resolveWorkspace(ctx.db, ctx.workspace.id))
}

export const org = async (ctx: Ctx, name: string, parent?: string) => await createOrg(ctx, { name, parent })

/**
 * Usage written through the core's own counter function (the metering
 * capability's recorder sits on top of it): levels, subtrees and pool usage.
 */
export async function use(ctx: Ctx, orgId: string, product: string, delta: number): Promise<void> {
  const tree = await loadTree(ctx.db, ctx.workspace.id)
  const chain = ancestry(tree, orgId).map((row) => row.id)
  await adjustLevel(ctx.db, ctx.workspace.id, chain, product, delta, await poolIdOfOrg(ctx.db, ctx.workspace, tree, orgId))
}

export const account = async (ctx: Ctx, name: string, input: Partial<CreateAccountInput> = {}) =>
  await createAccount(ctx, { name, currency: 'USD', ...input })

/** Moves a test clock by a duration (e.g. "15d") or to a time, running what falls due; returns the fresh context. */
export async function advance(ctx: Ctx, by: string | number): Promise<Ctx> {
  const { advanceClock } = await import('../src/core/lifecycle/clock.js')
  const { addDuration } = await import('../src/core/time-input.js')
  const current = await refresh(ctx)
  await advanceClock(ctx.db, ctx.workspace.id, typeof by === 'number' ? by : addDuration(current.now, by))
  return refresh(ctx)
}

/** Puts a sandbox test card on an account (pm_card_visa pays). */
export async function card(ctx: Ctx, accountName: string, token = 'pm_card_visa') {
  const { addPaymentMethod } = await import('../src/core/payments/methods.js')
  const { SandboxProvider } = await import('../src/core/payments/sandbox.js')
  return await addPaymentMethod(await refresh(ctx), new SandboxProvider(), { account: accountName, source: token })
}
