// Applies the drizzle-kit migrations in migrations/sqlite/ (same bookkeeping table as
// drizzle's migrator), serialised by BEGIN IMMEDIATE so that processes opening a
// fresh database at once cannot race, and refusing a database from a newer wsb.
import { createRequire } from 'node:module'
import type Database from 'better-sqlite3'
import type * as Migrator from 'drizzle-orm/migrator'
import { invalid } from '../errors.js'
import { migrationsFolderOf, newestMigration } from './migrations-folder.js'
import { immediate } from './transaction.js'

/** PRAGMA application_id of a wsb database: "wsb1". */
export const APPLICATION_ID = 0x77736231
const TABLE = '__drizzle_migrations'

/** migrations/sqlite/ of the installed package. */
export const migrationsFolder = (): string => migrationsFolderOf('sqlite')

function lastApplied(sqlite: Database.Database): number | null {
  const exists = sqlite.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(TABLE)
  if (!exists) return null
  const row = sqlite.prepare(`SELECT max(CAST(created_at AS INTEGER)) AS last FROM ${TABLE}`).get() as {
    last: number | null
  }
  return row.last
}

/** A migration time for people; a stamp too large for a Date is shown as the number it is. */
const stamp = (ms: number) => (Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : String(ms))

function refuseNewer(path: string, dbLast: number, known: number): never {
  throw invalid(
    `database ${path} was written by a newer wsb (schema ${stamp(dbLast)}, this wsb knows up to ${stamp(known)}); upgrade wsb to use it`,
    { path, databaseSchema: dbLast, knownSchema: known },
    'DB_SCHEMA_TOO_NEW',
  )
}

let cachedKnown: number | undefined

/** The newest migration this wsb ships. */
function knownSchema(folder: string): number {
  if (cachedKnown === undefined) cachedKnown = newestMigration(folder)
  return cachedKnown
}

/**
 * Refuses a database written by a newer wsb (DB_SCHEMA_TOO_NEW). Reads only, so
 * it can run before anything (even the switch to WAL) touches the file.
 */
export function refuseNewerSchema(sqlite: Database.Database, path: string): void {
  const known = knownSchema(migrationsFolder())
  const current = lastApplied(sqlite)
  if (current !== null && current > known) refuseNewer(path, current, known)
}

/** Brings the schema up to date; a no-op costing one small file read and one query when current. */
export function migrate(sqlite: Database.Database, path: string): void {
  const folder = migrationsFolder()
  const known = knownSchema(folder)
  const current = lastApplied(sqlite)
  if (current !== null && current > known) refuseNewer(path, current, known)
  if (current === known) return
  if (sqlite.readonly)
    throw invalid(`the database ${path} needs its schema brought up to date by this wsb, which needs write access`, { path }, 'DB_UNWRITABLE')

  immediate(sqlite, () => {
    // Another process may have migrated while we waited for the lock.
    const applied = lastApplied(sqlite)
    if (applied !== null && applied > known) refuseNewer(path, applied, known)
    if (applied === known) return
    sqlite.exec(`CREATE TABLE IF NOT EXISTS ${TABLE} (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)`)
    const record = sqlite.prepare(`INSERT INTO ${TABLE} (hash, created_at) VALUES (?, ?)`)
    // Loaded only when there is something to apply: it brings node:crypto, a
    // few milliseconds of every start-up otherwise.
    const { readMigrationFiles } = createRequire(import.meta.url)('drizzle-orm/migrator') as typeof Migrator
    for (const migration of readMigrationFiles({ migrationsFolder: folder })) {
      if (applied !== null && migration.folderMillis <= applied) continue
      for (const statement of migration.sql) if (statement.trim()) sqlite.exec(statement)
      record.run(migration.hash, migration.folderMillis)
    }
    sqlite.pragma(`application_id = ${APPLICATION_ID}`)
  })
}
