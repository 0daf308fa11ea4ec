// Opening the database: the one place that sets durability and locking pragmas
// (R-USE-3: WAL, synchronous=FULL, busy timeout, foreign keys) and migrates.
// The drizzle query builder is attached lazily (store/orm.ts): the hot paths
// (usage record, import, report) use prepared statements and never load it.
import { accessSync, constants, mkdirSync, statSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import { invalid, isWsbError } from '../errors.js'
import { APPLICATION_ID, migrate, refuseNewerSchema } from './migrate.js'
import type * as schema from './schema/index.js'
import { retryBusy } from './transaction.js'

/** SQLite's own busy wait per statement; longer waits are our jittered retries. */
const BUSY_TIMEOUT_MS = 50

export type Orm = BetterSQLite3Database<typeof schema>
export type Db = { readonly sqlite: Database.Database; readonly orm: Orm; readonly path: string }

let ormFactory: ((sqlite: Database.Database) => Orm) | undefined

/** store/orm.ts registers the drizzle factory when it is loaded. */
export function registerOrm(factory: (sqlite: Database.Database) => Orm): void {
  ormFactory = factory
}

function database(sqlite: Database.Database, path: string): Db {
  let orm: Orm | undefined
  return {
    sqlite,
    path,
    get orm() {
      if (!ormFactory) throw new Error('internal: the query builder was not loaded (import core/store/open.js)')
      orm ??= ormFactory(sqlite)
      return orm
    },
  }
}

const isDirectory = (path: string) => {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}

function describeOpenFailure(error: unknown, path: string): Error {
  if (isWsbError(error)) return error
  const code = (error as { code?: string }).code ?? ''
  const message = (error as Error).message
  if (code === 'SQLITE_NOTADB') return invalid(`${path} is not a SQLite database`, { path }, 'DB_NOT_SQLITE')
  if (isDirectory(path)) return invalid(`${path} is a directory, not a SQLite database file`, { path }, 'DB_NOT_SQLITE')
  if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_CANTOPEN' || /EACCES|EROFS|EISDIR/.test(String(code)))
    return invalid(`cannot write the database ${path}: ${message}`, { path }, 'DB_UNWRITABLE')
  return error as Error
}

/** The folder of a new database file; any failure to make it is the user's path, not a bug. */
function makeFolder(path: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true })
  } catch (error) {
    throw invalid(`cannot create the folder of the database ${path}: ${(error as Error).message}`, { path }, 'DB_UNWRITABLE')
  }
}

function checkIsWsbDatabase(sqlite: Database.Database, path: string): void {
  const appId = sqlite.pragma('application_id', { simple: true }) as number
  if (appId === APPLICATION_ID) return
  const tables = sqlite.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'`).get() as { n: number }
  if (appId !== 0 || tables.n > 0)
    throw invalid(`${path} is a SQLite database of another application, not a wsb database`, { path }, 'DB_NOT_WSB')
}

/** Opens (creating and migrating as needed) the database at `path`. */
export function connect(path: string): Db {
  if (path.trim() === '') throw invalid('the database path (--db or WSB_DB) is empty', {}, 'INVALID_INPUT')
  let sqlite: Database.Database | undefined
  try {
    makeFolder(path)
    sqlite = new Database(path, { timeout: BUSY_TIMEOUT_MS })
    const handle = sqlite
    // Read-only checks first: a file that is refused is left byte for byte as it was
    // (switching to WAL would already rewrite its header).
    retryBusy(() => checkIsWsbDatabase(handle, path))
    retryBusy(() => refuseNewerSchema(handle, path))
    // SQLite opens a file it may not write read-only without a word; every command
    // may write (due lifecycle steps), so say so now rather than at the first write.
    accessSync(path, constants.W_OK)
    retryBusy(() => handle.pragma('journal_mode = WAL'))
    if (handle.pragma('journal_mode', { simple: true }) !== 'wal')
      throw invalid(`cannot switch ${path} to WAL mode (is it on a read-only or network file system?)`, { path }, 'DB_UNWRITABLE')
    handle.pragma('synchronous = FULL')
    handle.pragma('foreign_keys = ON')
    migrate(handle, path)
    return database(handle, path)
  } catch (error) {
    sqlite?.close()
    throw describeOpenFailure(error, path)
  }
}
