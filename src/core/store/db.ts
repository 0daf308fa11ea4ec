// The store API: what the core and the commands use to talk to the database,
// engine-neutral and asynchronous so that a PostgreSQL store can implement the
// same type. Hand-written SQL uses `?` placeholders and the SQL subset SQLite
// and PostgreSQL share; drizzle queries go through `orm` and are awaited.
// This file is the SQLite implementation: a prepared-statement cache, BEGIN
// IMMEDIATE write transactions with a jittered retry of a busy BEGIN, and
// BEGIN DEFERRED read snapshots. It loads no drizzle (lean commands use it).
import type Database from 'better-sqlite3'
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import { type MeterStore, sqliteMeterStore } from './meter-store.js'
import type * as schema from './schema/index.js'
import { refuseReadOnly, retryBusy } from './transaction.js'

export type Orm = BetterSQLite3Database<typeof schema>

/** A value bound to a `?` placeholder. */
export type Param = string | number | bigint | null | Buffer

/** A query-builder statement (drizzle's): awaited to run it, or rendered to text and values. */
export type BuiltQuery = PromiseLike<unknown> & { toSQL(): { sql: string; params: unknown[] } }

export type WriteOptions = {
  /** Runs when the transaction rolled back after `work` started (e.g. to drop caches of rolled-back state). */
  onRollback?: () => void
  /** Roll back even on success and return `work`'s result: a what-if computed by writing (previews, apply --dry-run). */
  dryRun?: boolean
}

export type Db = {
  /** The drizzle query builder (loaded on first use by commands that are not lean). */
  readonly orm: Orm
  /** What --db named: the file (or, later, the server URL without its password). */
  readonly path: string
  /** Opened without write access: reads work, every write is refused (DB_UNWRITABLE). */
  readonly readOnly: boolean
  /** SQLite's connection: for src/core/store/ only (pragmas, checks, the meter's statements). */
  readonly sqlite: Database.Database
  all<T>(sql: string, ...params: Param[]): Promise<T[]>
  get<T>(sql: string, ...params: Param[]): Promise<T | undefined>
  run(sql: string, ...params: Param[]): Promise<{ changes: number }>
  /**
   * A write whose outcome the caller never reads (an event row, a scheduled
   * step). SQLite runs it at once. PostgreSQL, inside a begun transaction, sends
   * it with the transaction's next statement or its end, saving a round trip:
   * every later statement still sees it, and its error (which rolls the whole
   * transaction back either way) surfaces there instead.
   */
  runLater(sql: string, ...params: Param[]): Promise<void>
  /** runLater for a query-builder write (an insert whose returned row is not needed, an update). */
  later(query: BuiltQuery): Promise<void>
  /** Inside a transaction (write, read or snapshot) not yet ended. */
  readonly inTransaction: boolean
  /**
   * `load`'s value, kept for the rest of the open transaction under `key` on
   * PostgreSQL (postgres/memo.ts), where each read is a round trip: a replay of
   * many renewals in one transaction (invoice preview) reads a price, a tax
   * rate or an account once. `tables` names what `load` reads ("prices", or a
   * column: "workspaces.seller"); a write to one of them in the transaction
   * drops the value. They must be tables no trigger writes. SQLite loads each
   * time. The value is frozen on PostgreSQL: never change it.
   */
  memo<T>(key: string, tables: readonly string[], load: () => Promise<T>): Promise<T>
  /** Keeps `value` for `memo(key, tables, …)`: what a write just made the row (after that write was sent). */
  remember<T>(key: string, tables: readonly string[], value: T): void
  /** Visits each row in turn without holding them all (large scans: the ledger). */
  each<T>(sql: string, params: Param[], visit: (row: T) => void): Promise<void>
  /**
   * One write transaction around `work` (R-USE-3: the check and the change it
   * guards are one atomic step across processes). A throw rolls everything back;
   * a nested call joins the outer transaction. Every database call in `work`
   * must be awaited before it returns, or it would run after the commit.
   */
  write<T>(work: () => Promise<T>, options?: WriteOptions): Promise<T>
  /**
   * Called first in a write that changes what metering checks — a capacity, a
   * limit, the org tree or which account serves an org (R-USE-3): on
   * PostgreSQL, where reports are metered READ COMMITTED under row locks, it
   * waits for the workspace's reports under way and holds new ones until this
   * write ends, and the write then reads every committed report. Nothing on
   * SQLite, where BEGIN IMMEDIATE already makes each write the only one.
   */
  excludeMetering(workspaceId: string): Promise<void>
  /** The column that orders a table's rows as they were made (SQLite's rowid; PostgreSQL's seq, migrations/postgres/0013). */
  readonly creationOrder: 'rowid' | 'seq'
  /**
   * A number that moves whenever the workspace's org tree changes (an org made, renamed, moved
   * or deleted), for keeping a loaded tree between reads (core/orgs/tree-cache.ts):
   * wsb_tree_versions, bumped by triggers in the changing transaction (migrations sqlite/0017,
   * postgres/0016, where an account's org changing bumps it too). Undefined inside a write,
   * whose own changes a rollback would take back.
   */
  treeVersion(workspaceId: string): Promise<number | undefined>
  /** One read snapshot around `work` (several queries see one state); `queryOnly` makes the engine refuse writes. */
  read<T>(work: () => Promise<T>, options?: { queryOnly?: boolean }): Promise<T>
  /** Starts a read snapshot held until `endSnapshot` or `close` (a read-only command's whole output). */
  beginSnapshot(): Promise<void>
  endSnapshot(): Promise<void>
  /**
   * The lifecycle lane of a workspace (issue 13, "Lifecycle across hosts"): while
   * held, no other process runs that workspace's due steps, so they run once each,
   * in time order, without two processes colliding on the same head step. Returns
   * its release, or null when another process holds it and `wait` is false. Taken
   * outside any transaction; a process that dies releases it. `exclusive` says
   * whether holding it shuts every other process out (then a provider claim found
   * on a step was left by a process that no longer runs it).
   */
  lifecycleLane(workspaceId: string, wait: boolean): Promise<LifecycleLane | null>
  /** The metering hot path's statements (synchronous on SQLite, run inside one `write`). */
  meterStore(): MeterStore
  /** The engine's own check of its files: the problems found, none when sound. */
  checkIntegrity(thorough: boolean, maxProblems: number): Promise<string[]>
  /** Rolls back whatever is still open and closes the connection. */
  close(): void
}

export type LifecycleLane = { readonly exclusive: boolean; release(): Promise<void> }

/**
 * SQLite's lane: nothing to take. Its one writer already runs each step's
 * transaction alone, every process takes the queue's head step in that
 * transaction (so order holds), and a step that calls the provider is claimed
 * in a committed row first (lifecycle/queue.ts). All processes on one file are
 * on one host, so a claim's owner can be checked for life.
 */
const sharedLane: LifecycleLane = { exclusive: false, release: async () => undefined }

let ormFactory: ((sqlite: Database.Database) => Orm) | undefined

/** store/orm.ts registers the drizzle factory when it is loaded. */
export function registerOrm(factory: (sqlite: Database.Database) => Orm): void {
  ormFactory = factory
}

export function sqliteDb(sqlite: Database.Database, path: string): Db {
  let orm: Orm | undefined
  let meter: MeterStore | undefined
  // Inside write(): what it reads may be rolled back.
  let writing = false
  const statements = new Map<string, Database.Statement>()
  const prepared = (sql: string): Database.Statement => {
    let statement = statements.get(sql)
    if (!statement) {
      statement = sqlite.prepare(sql)
      statements.set(sql, statement)
    }
    return statement
  }
  let control: Record<'immediate' | 'deferred' | 'commit' | 'rollback', Database.Statement> | undefined
  const tx = () =>
    (control ??= {
      immediate: sqlite.prepare('BEGIN IMMEDIATE'),
      deferred: sqlite.prepare('BEGIN DEFERRED'),
      commit: sqlite.prepare('COMMIT'),
      rollback: sqlite.prepare('ROLLBACK'),
    })
  const rollback = () => {
    if (sqlite.inTransaction) tx().rollback.run()
  }

  return {
    sqlite,
    path,
    get readOnly() {
      return sqlite.readonly
    },
    get orm() {
      if (!ormFactory) throw new Error('internal: the query builder was not loaded (import core/store/open.js)')
      orm ??= ormFactory(sqlite)
      return orm
    },
    async all<T>(sql: string, ...params: Param[]) {
      return prepared(sql).all(...params) as T[]
    },
    async get<T>(sql: string, ...params: Param[]) {
      return prepared(sql).get(...params) as T | undefined
    },
    async run(sql: string, ...params: Param[]) {
      return { changes: prepared(sql).run(...params).changes }
    },
    async runLater(sql: string, ...params: Param[]) {
      prepared(sql).run(...params)
    },
    async later(query: BuiltQuery) {
      await query
    },
    get inTransaction() {
      return sqlite.inTransaction
    },
    // A read costs no round trip here: nothing is kept, so nothing can go stale.
    async memo<T>(_key: string, _tables: readonly string[], load: () => Promise<T>) {
      return await load()
    },
    remember() {},
    async each<T>(sql: string, params: Param[], visit: (row: T) => void) {
      for (const row of prepared(sql).iterate(...params)) visit(row as T)
    },
    async write<T>(work: () => Promise<T>, options: WriteOptions = {}): Promise<T> {
      if (sqlite.inTransaction) {
        if (options.dryRun) throw new Error('internal: a dry run cannot join an open transaction')
        return work()
      }
      if (sqlite.readonly) refuseReadOnly(sqlite)
      const { immediate, commit } = tx()
      // Only a busy BEGIN is retried: once `work` has run, its error is final.
      retryBusy(() => immediate.run())
      writing = true
      try {
        const result = await work()
        if (options.dryRun) rollback()
        else commit.run()
        return result
      } catch (error) {
        rollback()
        options.onRollback?.()
        throw error
      } finally {
        writing = false
      }
    },
    // BEGIN IMMEDIATE already made this write the only one.
    async excludeMetering() {},
    creationOrder: 'rowid',
    async treeVersion(workspaceId: string) {
      // A write's own tree changes bump the number before they commit; a rollback would take it
      // back while a tree kept under it held what never happened.
      if (writing) return undefined
      const row = prepared('SELECT version FROM wsb_tree_versions WHERE workspace_id = ?').get(workspaceId) as { version: number } | undefined
      return row?.version ?? 0
    },
    async read<T>(work: () => Promise<T>, options: { queryOnly?: boolean } = {}): Promise<T> {
      if (sqlite.inTransaction) return work()
      const queryOnly = options.queryOnly ? (sqlite.pragma('query_only', { simple: true }) as number) : undefined
      if (options.queryOnly) sqlite.pragma('query_only = ON')
      tx().deferred.run()
      try {
        return await work()
      } finally {
        rollback()
        if (queryOnly !== undefined) sqlite.pragma(`query_only = ${queryOnly ? 'ON' : 'OFF'}`)
      }
    },
    async beginSnapshot() {
      if (!sqlite.inTransaction) tx().deferred.run()
    },
    async endSnapshot() {
      if (sqlite.inTransaction) tx().commit.run()
    },
    async lifecycleLane() {
      return sharedLane
    },
    meterStore() {
      meter ??= sqliteMeterStore(sqlite)
      return meter
    },
    async checkIntegrity(thorough: boolean, maxProblems: number) {
      const pragma = thorough ? 'integrity_check' : 'quick_check'
      const rows = sqlite.pragma(`${pragma}(${maxProblems})`, { simple: false }) as Record<string, string>[]
      return rows.map((row) => String(Object.values(row)[0])).filter((message) => message !== 'ok')
    },
    close() {
      if (!sqlite.open) return
      rollback()
      sqlite.close()
    },
  }
}

/** The first row of a query's result (drizzle: `first(await db.orm.select()…limit(1))`). */
export const first = <T>(rows: readonly T[]): T | undefined => rows[0]

/** The one row a write returned (`one(await db.orm.insert(…).values(…).returning())`). */
export function one<T>(rows: readonly T[]): T {
  const row = rows[0]
  if (row === undefined) throw new Error('internal: the statement returned no row')
  return row
}
