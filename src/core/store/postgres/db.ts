// The store API (../db.ts `Db`) on PostgreSQL, over one pg connection per Db
// (one per process: a command is one sequence of statements, and the store's
// transactions are per connection).
//
// Transactions. `write` runs `work` in a SERIALIZABLE transaction and, when
// PostgreSQL reports a serialization failure (40001) or a deadlock (40P01),
// rolls back and runs `work` again with a jittered wait, for up to RETRY_FOR_MS:
// such a failure never reaches the user. SERIALIZABLE keeps every rule the
// core checks before it writes (3 subscriptions per account, 5 payment
// methods, one account in single mode, gapless invoice numbers, unique names,
// lifecycle steps) holding across processes as under SQLite's one writer.
// The metering hot path is the exception: a write whose first statement is the
// metering store's load runs READ COMMITTED and queues on row locks instead
// (meter-store.ts); writes that change what metering checks (a capacity, a
// limit, the org tree) call `excludeMetering` first, which takes the
// workspace's metering lock exclusively, at session level and before the
// transaction's snapshot, so they read every committed report and no report
// of the workspace commits until they do.
// BEGIN is sent with the transaction's first statement (a write that runs
// none costs no round trip); `read` and snapshots are REPEATABLE READ READ ONLY.
//
// Placeholders: the core writes `?`; they become $1, $2… outside string
// literals and quoted identifiers (translated once per SQL text).
import { setTimeout as sleep } from 'node:timers/promises'
import { drizzle } from 'drizzle-orm/node-postgres'
import { getTableName, is, Table } from 'drizzle-orm'
import type pg from 'pg'
import type { BuiltQuery, Db, Orm, Param, WriteOptions } from '../db.js'
import type { MeterStore } from '../meter-store.js'
import type { CopyIn } from './meter-store.js'
import * as sqliteTables from '../schema/index.js'
import { from as copyFrom } from 'pg-copy-streams'
import { claimedMeanwhile, postgresMeterStore } from './meter-store.js'
import { isConnectionLost, parsePostgresUrl, postgresLostError } from '../postgres-url.js'
import { openPostgres, type PostgresHandle } from './open.js'
import { transactionMemo } from './memo.js'
import { getTableConfig as sqliteTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core'
import { postgresTables } from './tables.js'

/**
 * How long a write keeps running again through serialization failures and deadlocks. Most pass
 * on the first retry; but while any SERIALIZABLE transaction on the server runs long (a 10,000-org
 * apply, in any database), PostgreSQL keeps every serializable transaction that committed since in
 * its shared state, and once that is full it judges conflicts on summaries, failing small writes
 * again and again until the long one ends: 30 attempts (4 s) were not enough beside such an apply.
 */
const RETRY_FOR_MS = 60_000
/** Statements prepared per connection; texts beyond run unnamed (parsed each time). */
const MAX_PREPARED = 500
/** pg_advisory_lock(wsb lifecycle, workspace): "wsbL", beside migrate.ts's ("wsb1", 1). */
const LANE_LOCK = 0x7773624c
/** The workspace's metering lock, (wsb metering, workspace): "wsbM"; wsb_meter_load takes it shared. */
const METERING_LOCK = 0x7773624d
const SERIALIZABLE = 'BEGIN ISOLATION LEVEL SERIALIZABLE'
const READ_COMMITTED = 'BEGIN ISOLATION LEVEL READ COMMITTED'
const SNAPSHOT = 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY'

/** Thrown inside a write that must take a workspace's metering lock before its snapshot: the write starts again holding it. */
class TakeMeteringLock extends Error {
  constructor(readonly workspaceId: string) {
    super(`internal: the metering lock of ${workspaceId} is taken before the transaction's first statement`)
  }
}

/** The last statement's result of a simple query of several. */
const lastResult = <R>(results: R | R[]): R => (Array.isArray(results) ? (results.at(-1) as R) : results)

/** A text as a dollar-quoted SQL literal whose tag does not occur in it. */
function dollarQuoted(text: string): string {
  let tag = 'w'
  for (let n = 0; text.includes(`$${tag}$`); n++) tag = `w${n}`
  return `$${tag}$${text}$${tag}$`
}

/** `sql` with `replace` applied to each stretch outside '…' literals and "…" identifiers. */
const outsideQuotes = (sql: string, replace: (stretch: string) => string): string =>
  sql
    .split(/('[^']*'|"[^"]*")/)
    .map((part, i) => (i % 2 ? part : replace(part)))
    .join('')

/** Each `?` outside '…' literals and "…" identifiers replaced by `mark(n)`, n counted from 1. */
function replacePlaceholders(sql: string, mark: (n: number) => string): string {
  let n = 0
  return outsideQuotes(sql, (stretch) => stretch.replace(/\?/g, () => mark(++n)))
}

/** `?` → `$n`, skipping '…' literals and "…" identifiers. */
export const numberPlaceholders = (sql: string): string => replacePlaceholders(sql, (n) => `$${n}`)

/** The statement with its values written in: numbers as they are, text dollar-quoted (for a simple query of several statements). */
const inlined = (sql: string, params: (string | number)[]): string =>
  replacePlaceholders(sql, (n) => {
    const value = params[n - 1] as string | number
    return typeof value === 'number' ? String(value) : dollarQuoted(value)
  })

/** A value as an untyped SQL literal (as a `$n` parameter is untyped): text dollar-quoted, numbers quoted, null as NULL; undefined when not sendable inline (bytes). */
function literal(value: unknown): string | undefined {
  if (value === null || value === undefined) return 'NULL'
  if (typeof value === 'string') return dollarQuoted(value)
  if (typeof value === 'number' || typeof value === 'bigint') return `'${String(value)}'`
  if (typeof value === 'boolean') return `'${value}'`
  return undefined
}

/** The statement with every `$n` outside '…' literals and "…" identifiers replaced by its value, or undefined if one cannot be written inline. */
function inlinedAll(text: string, values: readonly unknown[]): string | undefined {
  let inlinable = true
  const out = outsideQuotes(text, (stretch) =>
    stretch.replace(/\$([0-9]+)/g, (_, n: string) => {
      const value = literal(values[Number(n) - 1])
      if (value === undefined) inlinable = false
      return value ?? ''
    }),
  )
  return inlinable ? out : undefined
}

/** A serialization failure or deadlock, also when drizzle wrapped it (DrizzleQueryError's `cause`). */
const retryable = (error: unknown): boolean => {
  for (let e = error as { code?: string; wsbRetry?: boolean; cause?: unknown } | null | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++)
    if (e.code === '40001' || e.code === '40P01' || e.wsbRetry === true) return true
  return false
}

/**
 * How the core's drizzle code runs on PostgreSQL unchanged. The core builds its
 * queries from the SQLite table objects (store/schema/). Drizzle renders SQL
 * from a table's and columns' names, which the derived PostgreSQL tables share
 * (postgres/derive.ts). `orm` is drizzle's node-postgres database wrapped in a
 * proxy that swaps each SQLite table passed to insert/update/delete/from/joins
 * for its derived PostgreSQL twin: statements are then built by the PostgreSQL
 * dialect, and whole rows are read and written through the PostgreSQL columns
 * (boolean, bigint as number, JSON text). Columns the core names in where
 * clauses and selections are still the SQLite ones: they render as the same
 * "table"."column", and their encodings are ones PostgreSQL accepts (1/0 for a
 * boolean, numbers for bigint, JSON text); their decoders accept what pg returns.
 */
let twinsMade: Map<unknown, unknown> | undefined
/** Each SQLite table's PostgreSQL twin, paired on first use of the query builder. */
function twins(): Map<unknown, unknown> {
  if (twinsMade) return twinsMade
  const made = new Map<unknown, unknown>()
  for (const table of Object.values(sqliteTables)) {
    if (!is(table, Table)) continue
    const twin = Object.values(postgresTables()).find((candidate) => getTableName(candidate) === getTableName(table))
    if (!twin) throw new Error(`internal: no PostgreSQL table for ${getTableName(table)}`)
    made.set(table, twin)
  }
  twinsMade = made
  return made
}
let referencedMade: Set<string> | undefined
/** The tables a foreign key points at: a delete from one may change other tables (ON DELETE CASCADE). */
function referencedTables(): ReadonlySet<string> {
  if (referencedMade) return referencedMade
  const made = new Set<string>()
  for (const table of Object.values(sqliteTables))
    if (is(table, SQLiteTable)) for (const fk of sqliteTableConfig(table).foreignKeys) made.add(getTableName(fk.reference().foreignTable))
  referencedMade = made
  return made
}

const TAKES_TABLE = new Set<PropertyKey>(['insert', 'update', 'delete', 'from', 'innerJoin', 'leftJoin', 'rightJoin', 'fullJoin'])

function swapping<T extends object>(target: T): T {
  return new Proxy(target, {
    get(object, property) {
      const value = Reflect.get(object, property, object) as unknown
      if (typeof value !== 'function' || property === 'then' || property === 'constructor') return value
      return (...args: unknown[]) => {
        if (TAKES_TABLE.has(property) && args.length > 0) args[0] = twins().get(args[0]) ?? args[0]
        const result = (value as (...a: unknown[]) => unknown).apply(object, args)
        return result !== null && typeof result === 'object' && !(result instanceof Promise) ? swapping(result) : result
      }
    },
  })
}

/**
 * A Db on the PostgreSQL database at `url` (or at the URL a promise gives: test
 * helpers create the database while the test goes on). Opening is started at
 * once and awaited by the first call, so `connect` stays synchronous for both
 * engines; its errors (mapped: DB_AUTH_FAILED, DB_NOT_FOUND…) surface there.
 */
export function postgresDb(url: string | Promise<string>, display: string): Db & { opened: Promise<void> } {
  let handle: PostgresHandle | undefined
  let client: pg.PoolClient | undefined
  // The error that ended the connection, once it is gone.
  let lost: unknown
  const ready = (async () => {
    handle = await openPostgres(await url, { max: 1 })
    client = await handle.pool.connect()
    // A client taken from the pool loses the pool's 'error' listener: without
    // this one, the server going away (shutdown, crash, network) would be an
    // unhandled 'error' event that kills the process with a stack trace. The
    // statement in flight is rejected by pg itself; later ones fail at once.
    client.on('error', (error) => (lost ??= error))
    return client
  })()
  // Unobserved until first use: a failure must not crash the process as an unhandled rejection.
  ready.catch(() => undefined)
  const opened = ready.then(() => undefined)
  opened.catch(() => undefined)
  let inTransaction = false
  // Inside write(): what it reads may be rolled back.
  let writing = false
  // Reads kept until the transaction ends or writes what they read (Db.memo).
  const memo = transactionMemo(referencedTables)
  /** Enters or leaves a transaction: nothing kept survives either. */
  const transaction = (open: boolean) => {
    inTransaction = open
    memo.clear()
  }
  // The BEGIN of the open transaction while no statement has run in it yet.
  let pendingBegin: string | undefined
  // A metering write left to go with the COMMIT (meter-store.ts), sent before any other statement.
  let pendingWrite: string | undefined
  // Writes whose outcome no one reads (runLater), inlined, to go with the transaction's next statement or its end.
  const later: string[] = []
  // Workspaces whose metering lock this session holds for the write under way.
  const excluding = new Set<string>()
  let orm: Orm | undefined
  let meter: (MeterStore & { rolledBack(): void; abandon(): Promise<void> }) | undefined
  // Each SQL text is translated once and, for the first MAX_PREPARED texts, prepared
  // once per connection (a named statement): the hot paths then skip parsing and planning.
  const translated = new Map<string, { text: string; name?: string }>()
  // The query builder's statement texts and their names (counted against MAX_PREPARED with the above).
  const ormNames = new Map<string, string>()
  /** A lost connection's error as DB_UNREACHABLE (exit 1), one line, the URL masked; any other error as it is. */
  const lostOr = (error: unknown): unknown => {
    const gone = isConnectionLost(error)
    return handle && (gone || lost !== undefined) ? postgresLostError(gone ? error : lost, handle.url) : error
  }
  /** A statement on the connection; a lost connection becomes DB_UNREACHABLE (exit 1), one line, the URL masked. */
  const onConnection = async <R>(run: (connection: pg.PoolClient) => Promise<R>, begin = true): Promise<R> => {
    const connection = await ready
    try {
      if (begin && pendingBegin !== undefined) {
        const text = pendingBegin
        pendingBegin = undefined
        await connection.query(text)
      }
      // Writes left for later were all made before a metering write waiting to go (runLater runs at once after one).
      if (begin && later.length > 0) await connection.query(later.splice(0).join('; '))
      if (begin && pendingWrite !== undefined) {
        const text = pendingWrite
        pendingWrite = undefined
        await connection.query(text).catch((error: unknown) => Promise.reject(claimedMeanwhile(error)))
      }
      return await run(connection)
    } catch (error) {
      throw lostOr(error)
    }
  }
  const query = async <T>(sql: string, params: Param[]): Promise<pg.QueryResult<T & pg.QueryResultRow>> => {
    let statement = translated.get(sql)
    if (statement === undefined) {
      statement = { text: numberPlaceholders(sql), ...(translated.size + ormNames.size < MAX_PREPARED ? { name: `wsb${translated.size}` } : {}) }
      translated.set(sql, statement)
    }
    const prepared = statement
    memo.wrote(prepared.text, params)
    const merged = withLater(prepared.text, params)
    if (merged !== undefined) return onConnection(async (connection) => lastResult(await connection.query<T & pg.QueryResultRow>(merged)))
    return onConnection((connection) => connection.query<T & pg.QueryResultRow>({ ...prepared, values: params }))
  }
  /**
   * A pending BEGIN, the writes left for later and this statement as one simple query (one round
   * trip), when no metering write waits to go first and the statement's values can be written inline.
   */
  const withLater = (text: string, values: readonly unknown[]): string | undefined => {
    if ((later.length === 0 && pendingBegin === undefined) || pendingWrite !== undefined) return undefined
    const inline = inlinedAll(text, values)
    if (inline === undefined) return undefined
    // A transaction's BEGIN goes with its first statement too (nothing is left for later before it).
    const begin = pendingBegin === undefined ? [] : [pendingBegin]
    pendingBegin = undefined
    return [...begin, ...later.splice(0), inline].join('; ')
  }
  /** A transaction's BEGIN, COMMIT or ROLLBACK: never preceded by a pending BEGIN. */
  const control = async (sql: string) => onConnection((connection) => connection.query(sql), false)
  /**
   * The metering store's load: the transaction's first statement opens it READ
   * COMMITTED, in the same round trip (a simple query of two statements, the
   * argument inlined as a dollar-quoted literal).
   */
  const meterLoad = async (json: string): Promise<string> => {
    memo.clear()
    const call = `SELECT wsb_meter_load(${dollarQuoted(json)}::jsonb) AS state`
    if (pendingBegin === SERIALIZABLE) {
      pendingBegin = undefined
      const results = (await onConnection((connection) => connection.query(`${READ_COMMITTED}; ${call}`), false)) as unknown as pg.QueryResult[]
      return (results.at(-1) as pg.QueryResult<{ state: string }>).rows[0]?.state as string
    }
    return (await onConnection((connection) => connection.query<{ state: string }>(call))).rows[0]?.state as string
  }
  /**
   * A COPY … FROM STDIN in the open transaction, once the server is ready for
   * its rows: what is written goes out at once while the connection keeps up
   * (a bulk metering batch's ledger rows reach the server while the Meter
   * decides the next ones), and is held here otherwise.
   */
  const copyStart = async (sql: string): Promise<CopyIn> => {
    memo.clear()
    return await onConnection(async (connection) => {
      const stream = connection.query(copyFrom(sql))
      let failure: unknown
      let held = ''
      let done = false
      let wake: (() => void) | undefined
      stream.on('error', (error) => {
        failure ??= error
        wake?.()
      })
      /** Until `event` (or the COPY's failure, thrown). */
      const until = async (event: 'drain' | 'ready') => {
        await new Promise<void>((resolve) => {
          wake = resolve
          if (event === 'drain') stream.once('drain', resolve)
          // pg-copy-streams holds writes until the server answered the COPY, then calls back.
          else stream.write('', () => resolve())
        })
        wake = undefined
        if (failure !== undefined) throw failure
      }
      await until('ready')
      // Only while pg-copy-streams holds nothing: it would write what it holds on the socket's 'drain' even after the server refused the COPY.
      const send = () => {
        if (failure === undefined && held !== '' && stream.writableLength === 0) {
          stream.write(held)
          held = ''
        }
      }
      return {
        write(text) {
          held += text
          if (held.length >= 1 << 16) send()
        },
        // Outside onConnection's call: a lost connection is told as there.
        finish: () =>
          (async () => {
            while (held !== '' && failure === undefined) {
              if (stream.writableLength > 0) await until('drain')
              send()
            }
            if (failure !== undefined) throw failure
            done = true
            await new Promise<void>((resolve, reject) => {
              stream.once('error', reject)
              stream.once('finish', resolve)
              stream.end()
            })
          })().catch((error: unknown) => Promise.reject(lostOr(error))),
        async abort() {
          if (done || failure !== undefined) return
          done = true
          // CopyFail: the server refuses the COPY and the connection is ready for the ROLLBACK.
          await new Promise<void>((resolve) => {
            stream.once('close', resolve)
            stream.destroy(new Error('the batch was abandoned'))
          })
        },
      }
    })
  }
  /** pg_advisory_lock or _unlock of a workspace's metering lock, at session level, outside any transaction's BEGIN. */
  const metering = async (fn: 'pg_advisory_lock' | 'pg_advisory_unlock', workspaceId: string) =>
    onConnection((connection) => connection.query(`SELECT ${fn}($1, hashtext($2))`, [METERING_LOCK, workspaceId]), false)
  /** Releases the metering locks a write took (the server releases them too when the session ends). */
  const releaseExcluded = async () => {
    for (const workspaceId of excluding) await metering('pg_advisory_unlock', workspaceId).catch(() => undefined)
    excluding.clear()
  }

  const db: Db & { opened: Promise<void> } = {
    /** Settles once connected, checked and migrated (or with the mapped error of that). */
    opened,
    path: display,
    readOnly: false,
    get sqlite(): never {
      throw new Error('internal: a PostgreSQL store has no SQLite connection')
    },
    get orm() {
      // drizzle over the one connection once open; until then over a client that waits for it.
      // drizzle passes its own type parsers with each query; they are dropped so the
      // connection's apply (bigint as an exact number, open.ts) to drizzle's queries too.
      const viaConnection = {
        query: async (config: unknown, ...rest: unknown[]) => {
          const { types: _drizzleTypes, ...own } = config as { types?: unknown; text: string; name?: string }
          memo.wrote(typeof config === 'object' ? own.text : String(config), (rest[0] as unknown[] | undefined) ?? [])
          // Prepared once per connection too, as the hand-written statements are: a renewal's dozens of
          // drizzle queries are then bound and run, not parsed and planned, on each use.
          if (typeof config === 'object' && own.name === undefined) {
            let name = ormNames.get(own.text)
            if (name === undefined && translated.size + ormNames.size < MAX_PREPARED) {
              name = `wsbo${ormNames.size}`
              ormNames.set(own.text, name)
            }
            if (name !== undefined) own.name = name
          }
          const merged = typeof config === 'object' ? withLater(own.text, (rest[0] as unknown[] | undefined) ?? []) : undefined
          if (merged !== undefined) {
            const { name: _name, ...unnamed } = own
            return onConnection(async (connection) => lastResult(await connection.query({ ...unnamed, text: merged })))
          }
          return onConnection(async (connection) => (connection.query as (...a: unknown[]) => unknown)(typeof config === 'object' ? own : config, ...rest))
        },
      }
      orm ??= swapping(drizzle({ client: viaConnection as unknown as pg.Pool, schema: postgresTables() })) as unknown as Orm
      return orm
    },
    async all<T>(sql: string, ...params: Param[]) {
      return (await query<T>(sql, params)).rows as T[]
    },
    async get<T>(sql: string, ...params: Param[]) {
      return (await query<T>(sql, params)).rows[0] as T | undefined
    },
    async run(sql: string, ...params: Param[]) {
      return { changes: (await query(sql, params)).rowCount ?? 0 }
    },
    async runLater(sql: string, ...params: Param[]) {
      // Only inside a transaction already begun, with no metering write waiting to go first.
      const numbered = numberPlaceholders(sql)
      const inline = inTransaction && pendingBegin === undefined && pendingWrite === undefined ? inlinedAll(numbered, params) : undefined
      if (inline === undefined) await query(sql, params)
      else {
        memo.wrote(numbered, params)
        later.push(inline)
      }
    },
    async later(built: BuiltQuery) {
      if (!inTransaction || pendingBegin !== undefined || pendingWrite !== undefined) return void (await built)
      const { sql, params } = built.toSQL()
      const inline = inlinedAll(sql, params)
      if (inline === undefined) return void (await built)
      memo.wrote(sql, params)
      later.push(inline)
    },
    get inTransaction() {
      return inTransaction
    },
    async memo<T>(key: string, tables: readonly string[], load: () => Promise<T>) {
      return inTransaction ? await memo.get(key, tables, load) : await load()
    },
    remember<T>(key: string, tables: readonly string[], value: T) {
      if (inTransaction) memo.set(key, tables, value)
    },
    // Read whole: the ledger scans this serves stay well within memory at wsb's sizes (a cursor is future work).
    async each<T>(sql: string, params: Param[], visit: (row: T) => void) {
      for (const row of (await query<T>(sql, params)).rows) visit(row as T)
    },
    async write<T>(work: () => Promise<T>, options: WriteOptions = {}): Promise<T> {
      if (inTransaction) {
        if (options.dryRun) throw new Error('internal: a dry run cannot join an open transaction')
        return work()
      }
      const started = performance.now()
      writing = true
      try {
        for (let attempt = 1; ; attempt++) {
          pendingBegin = SERIALIZABLE
          transaction(true)
          try {
            const result = await work()
            const begun = pendingBegin === undefined
            pendingBegin = undefined
            const last = pendingWrite
            pendingWrite = undefined
            // Writes left for later go first (runLater runs at once once a metering write waits), with the end even
            // in a dry run: an error of theirs fails the transaction as it would have at once.
            const writes = later.splice(0)
            // A metering write left for the end goes with the COMMIT: one round trip for both.
            if (last !== undefined && !options.dryRun) await control([...writes, last, 'COMMIT'].join('; ')).catch((error: unknown) => Promise.reject(claimedMeanwhile(error)))
            else {
              if (last !== undefined) await control([...writes.splice(0), last].join('; ')).catch((error: unknown) => Promise.reject(claimedMeanwhile(error)))
              if (begun) await control([...writes, options.dryRun ? 'ROLLBACK' : 'COMMIT'].join('; '))
            }
            if (options.dryRun) meter?.rolledBack()
            transaction(false)
            return result
          } catch (error) {
            const begun = pendingBegin === undefined
            pendingBegin = undefined
            pendingWrite = undefined
            later.length = 0
            // A bulk batch's COPY still open is refused first: the ROLLBACK waits behind it.
            await meter?.abandon().catch(() => undefined)
            if (begun) await control('ROLLBACK').catch(() => undefined)
            transaction(false)
            meter?.rolledBack()
            options.onRollback?.()
            if (error instanceof TakeMeteringLock) {
              await metering('pg_advisory_lock', error.workspaceId)
              excluding.add(error.workspaceId)
              attempt--
              continue
            }
            if (!retryable(error) || performance.now() - started >= RETRY_FOR_MS) throw error
            await sleep(Math.random() * Math.min(250, 5 * 2 ** Math.min(attempt, 6)))
          }
        }
      } finally {
        writing = false
        if (excluding.size > 0) await releaseExcluded()
      }
    },
    async excludeMetering(workspaceId: string) {
      if (!inTransaction) throw new Error('internal: excludeMetering is called inside a write')
      if (excluding.has(workspaceId)) return
      // Before the transaction's first statement no snapshot exists yet: take it now, at session level.
      if (pendingBegin !== SERIALIZABLE) {
        // A workspace this transaction made (apply of a new workspace) is seen by no one else until it
        // commits: nothing to hold back. Starting over would only make it again, under a new id.
        const made = await query<{ made: boolean }>('SELECT xmin = pg_current_xact_id()::xid AS made FROM workspaces WHERE id = ?', [workspaceId])
        if (made.rows[0]?.made) return
        throw new TakeMeteringLock(workspaceId)
      }
      await metering('pg_advisory_lock', workspaceId)
      excluding.add(workspaceId)
    },
    creationOrder: 'seq',
    async treeVersion(workspaceId: string) {
      // A write's own tree changes bump the version before they commit; a rollback would take the
      // number back while a tree kept under it held what never happened.
      if (writing) return undefined
      const row = (await query<{ version: number }>('SELECT version FROM wsb_tree_versions WHERE workspace_id = ?', [workspaceId])).rows[0]
      return Number(row?.version ?? 0)
    },
    async read<T>(work: () => Promise<T>): Promise<T> {
      if (inTransaction) return work()
      pendingBegin = SNAPSHOT
      transaction(true)
      try {
        return await work()
      } finally {
        transaction(false)
        const begun = pendingBegin === undefined
        pendingBegin = undefined
        if (begun) await control('ROLLBACK').catch(() => undefined)
      }
    },
    async beginSnapshot() {
      if (inTransaction) return
      pendingBegin = SNAPSHOT
      transaction(true)
    },
    async endSnapshot() {
      if (!inTransaction) return
      transaction(false)
      const begun = pendingBegin === undefined
      pendingBegin = undefined
      if (begun) await control('COMMIT')
    },
    /**
     * A session advisory lock on (LANE_LOCK, hashtext(workspace id)): held across
     * the provider calls of a collection (outside any transaction), released by
     * the server if the process or its connection dies. Two `billing run`s on two
     * hosts split the workspaces between them instead of trading each workspace's
     * head step back and forth through serialization failures.
     */
    async lifecycleLane(workspaceId: string, wait: boolean) {
      if (inTransaction) throw new Error('internal: the lifecycle lane is taken outside transactions')
      if (wait) await query('SELECT pg_advisory_lock(?, hashtext(?))', [LANE_LOCK, workspaceId])
      else if (!(await query<{ held: boolean }>('SELECT pg_try_advisory_lock(?, hashtext(?)) AS held', [LANE_LOCK, workspaceId])).rows[0]?.held) return null
      let released = false
      return {
        exclusive: true,
        release: async () => {
          if (released) return
          released = true
          await query('SELECT pg_advisory_unlock(?, hashtext(?))', [LANE_LOCK, workspaceId])
        },
      }
    },
    meterStore() {
      meter ??= postgresMeterStore(db, {
        load: meterLoad,
        writeWithCommit: (sql, params) => {
          memo.clear()
          if (!inTransaction || pendingBegin !== undefined) throw new Error('internal: a metering write outside its load\'s transaction')
          pendingWrite = inlined(sql, params)
        },
        copyStart,
      })
      return meter
    },
    /**
     * PostgreSQL checks its own pages (checksums, when the cluster has them) as
     * it reads; what wsb can check cheaply is that every table of the schema
     * can be read through its primary key index. amcheck is not assumed: it is
     * an extension only a superuser may install.
     */
    async checkIntegrity(_thorough: boolean, maxProblems: number) {
      const problems: string[] = []
      for (const table of Object.values(postgresTables())) {
        if (problems.length >= maxProblems) break
        try {
          await query(`SELECT count(*) FROM "${getTableName(table)}"`, [])
        } catch (error) {
          problems.push(`${getTableName(table)}: ${(error as Error).message}`)
        }
      }
      return problems
    },
    close() {
      void ready
        .then(async (connection) => {
          if (inTransaction && pendingBegin === undefined && lost === undefined) await connection.query('ROLLBACK').catch(() => undefined)
          // A dead connection is destroyed, not returned to the pool.
          connection.release(lost === undefined ? undefined : true)
          await handle?.close()
        })
        .catch(() => undefined)
    },
  }
  return db
}

/** Opens --db's PostgreSQL URL: connected, checked and migrated before it returns (errors show the masked URL). */
export async function openPostgresDb(text: string): Promise<Db> {
  const db = postgresDb(text, parsePostgresUrl(text).display)
  try {
    await db.opened
  } catch (error) {
    db.close()
    throw error
  }
  return db
}
