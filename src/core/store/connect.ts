// Opening the database: the one place that sets durability and locking pragmas
// (R-USE-3: WAL, synchronous=FULL, busy timeout, foreign keys) and migrates.
// The drizzle query builder is attached lazily (store/orm.ts): the hot paths
// (usage record, import, report) use prepared statements and never load it.
import { accessSync, closeSync, constants, existsSync, mkdirSync, openSync, readFileSync, readSync, statSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { invalid, isWsbError } from '../errors.js'
import { APPLICATION_ID, migrate, refuseNewerSchema } from './migrate.js'
import { type Db, sqliteDb } from './db.js'
import { databasePaths, retryBusy } from './transaction.js'

/** SQLite's own busy wait per statement; longer waits are our jittered retries. */
const BUSY_TIMEOUT_MS = 50

export type { Db, Orm } from './db.js'

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
  if (code.startsWith('SQLITE_CORRUPT')) return corrupt(path, message)
  if (isDirectory(path)) return invalid(`${path} is a directory, not a SQLite database file`, { path }, 'DB_NOT_SQLITE')
  if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_CANTOPEN' || /EACCES|EROFS|EISDIR/.test(String(code)))
    return invalid(`cannot write the database ${path}: ${message}`, { path }, 'DB_UNWRITABLE')
  return error as Error
}

/**
 * A check of the whole file at every open for writing, bounded to about 1 ms:
 * integrity_check (pages, and every index against its table) up to
 * FULL_CHECK_MAX_BYTES (0.5 ms for a 340 KB database), quick_check (pages only,
 * about 1 ms per MiB) up to QUICK_CHECK_MAX_BYTES. Larger files rely on SQLite
 * reporting the damage it meets (SQLITE_CORRUPT, DB_CORRUPT wherever it surfaces)
 * and on cell_size_check; `wsb doctor` checks any size.
 */
export const FULL_CHECK_MAX_BYTES = 512 * 1024
export const QUICK_CHECK_MAX_BYTES = 1024 * 1024

const corrupt = (path: string, problem: string) =>
  invalid(`the database ${path} is damaged (${problem}); nothing was written. Run wsb doctor, and restore it from a backup`, { path, problem }, 'DB_CORRUPT')

/** Before anything writes, so a damaged file is refused rather than written into. */
function refuseDamaged(sqlite: Database.Database, path: string): void {
  const size = statSync(path).size
  if (size > QUICK_CHECK_MAX_BYTES) return
  const pragma = size > FULL_CHECK_MAX_BYTES ? 'quick_check' : 'integrity_check'
  const result = sqlite.pragma(`${pragma}(1)`, { simple: true }) as string
  if (result !== 'ok') throw corrupt(path, result)
}

/** A database holds customers, addresses and invoices: its file is the owner's alone (less if the umask says so). */
export const DATABASE_FILE_MODE = 0o600
/** Folders wsb creates for a database (the default one included): the owner's alone. */
export const DATABASE_FOLDER_MODE = 0o700

/**
 * The folder and the empty file of a new database, owner-only; SQLite then gives
 * its -wal and -shm the file's mode. Any failure to make the folder is the user's
 * path, not a bug; a file that cannot be made is left for SQLite to explain.
 */
function makeFolderAndFile(path: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true, mode: DATABASE_FOLDER_MODE })
  } catch (error) {
    throw invalid(`cannot create the folder of the database ${path}: ${(error as Error).message}`, { path }, 'DB_UNWRITABLE')
  }
  try {
    closeSync(openSync(path, 'wx', DATABASE_FILE_MODE))
  } catch {
    // It exists (an empty file is a new database too), or opening it below says why not.
  }
}

function checkIsWsbDatabase(sqlite: Database.Database, path: string): void {
  // Both reads in one read transaction: another process migrating this new file may commit
  // between them (its tables seen, its mark not yet), which is a wsb database, not another's.
  const { appId, tables } = sqlite.transaction(() => {
    const tables = sqlite.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'`).get() as { n: number }
    return { tables, appId: sqlite.pragma('application_id', { simple: true }) as number }
  })()
  if (appId === APPLICATION_ID) return
  if (appId !== 0 || tables.n > 0)
    throw invalid(`${path} is a SQLite database of another application, not a wsb database`, { path }, 'DB_NOT_WSB')
}

/**
 * Whether this process may write the file and create its -wal/-shm beside it.
 * A file that does not exist yet (or a directory) takes the normal path, which
 * creates it or explains the refusal.
 */
function mayWrite(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return true
  } catch {
    return true
  }
  try {
    accessSync(path, constants.W_OK)
    accessSync(dirname(path), constants.W_OK)
    return true
  } catch {
    return false
  }
}

/** Byte 18 of the header is 2 when the file is in WAL mode. */
function inWalMode(path: string): boolean {
  const header = Buffer.alloc(20)
  const fd = openSync(path, 'r')
  try {
    readSync(fd, header, 0, 20, 0)
  } finally {
    closeSync(fd)
  }
  return header.toString('latin1', 0, 16) === 'SQLite format 3\0' && header[18] === 2
}

/**
 * A database this process may not write (another user's file, read-only media):
 * opened read-only without creating anything beside it. SQLite reading a WAL
 * database creates -wal and -shm files when the folder allows it, owned by us,
 * which then lock the owner out ("attempt to write a readonly database"). With no
 * -wal file every committed page is in the main file, so it is read into memory
 * (this SQLite build takes no "immutable" URI); with -wal and -shm present (the
 * owner has it open) SQLite reads them as they are and creates nothing.
 */
function openReadOnly(path: string): Database.Database {
  if (!inWalMode(path)) return new Database(path, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS })
  const wal = existsSync(`${path}-wal`)
  if (wal && existsSync(`${path}-shm`)) return new Database(path, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS })
  if (wal)
    throw invalid(`cannot read the database ${path}: it has a -wal file but no -shm, and this user may not create one; open it once as its owner`, { path }, 'DB_UNWRITABLE')
  const image = readFileSync(path)
  // Marked as a rollback-journal file in this memory copy only: SQLite opens no WAL for it.
  image[18] = 1
  image[19] = 1
  return new Database(image, { readonly: true })
}

/**
 * Opens (creating and migrating as needed) the database at `path`. A file this
 * process may not write opens read-only: reading commands work on it, and the
 * first write is refused as DB_UNWRITABLE (store/transaction.ts).
 */
export function connect(path: string, options: { quickCheck?: boolean } = {}): Db {
  if (path.trim() === '') throw invalid('the database path (--db or WSB_DB) is empty', {}, 'INVALID_INPUT')
  let sqlite: Database.Database | undefined
  try {
    if (!mayWrite(path)) {
      sqlite = openReadOnly(path)
      const handle = sqlite
      databasePaths.set(handle, path)
      retryBusy(() => checkIsWsbDatabase(handle, path))
      retryBusy(() => migrate(handle, path))
      return sqliteDb(handle, path)
    }
    makeFolderAndFile(path)
    sqlite = new Database(path, { timeout: BUSY_TIMEOUT_MS })
    const handle = sqlite
    // Read-only checks first: a file that is refused is left byte for byte as it was
    // (switching to WAL would already rewrite its header).
    retryBusy(() => checkIsWsbDatabase(handle, path))
    retryBusy(() => refuseNewerSchema(handle, path))
    if (options.quickCheck !== false) retryBusy(() => refuseDamaged(handle, path))
    retryBusy(() => handle.pragma('journal_mode = WAL'))
    if (handle.pragma('journal_mode', { simple: true }) !== 'wal')
      throw invalid(`cannot switch ${path} to WAL mode (is it on a read-only or network file system?)`, { path }, 'DB_UNWRITABLE')
    handle.pragma('synchronous = FULL')
    handle.pragma('foreign_keys = ON')
    // SQLite then checks each page's cells as it reads them: damage is found before it is written over.
    handle.pragma('cell_size_check = ON')
    migrate(handle, path)
    databasePaths.set(handle, path)
    return sqliteDb(handle, path)
  } catch (error) {
    sqlite?.close()
    throw describeOpenFailure(error, path)
  }
}
