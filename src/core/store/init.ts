// `wsb init`: create a database (the file, or wsb's schema in a PostgreSQL
// database) and bring its schema up to date, and say what was there before.
import { existsSync } from 'node:fs'
import Database from 'better-sqlite3'
import { connect } from './connect.js'
import { isPostgresUrl, parsePostgresUrl } from './postgres-url.js'

export type InitResult = {
  engine: 'sqlite' | 'postgres'
  /** The file, or the URL without its password. */
  database: string
  /** A new SQLite file, or wsb's schema made in an empty PostgreSQL database. */
  created: boolean
  /** Migrations applied by this run (0: the database was already up to date). */
  migrationsApplied: number
  /** Migrations the database has now. */
  migrations: number
}

const COUNT = 'SELECT count(*) AS n FROM __drizzle_migrations'

/** Migrations an existing SQLite file has, read without writing it (0 when it has none or cannot be read: opening says why). */
function sqliteMigrations(path: string): number {
  let handle: Database.Database | undefined
  try {
    handle = new Database(path, { readonly: true, fileMustExist: true })
    return Number((handle.prepare(COUNT).get() as { n: number }).n)
  } catch {
    return 0
  } finally {
    handle?.close()
  }
}

export async function initDatabase(target: string): Promise<InitResult> {
  if (isPostgresUrl(target)) {
    const { openPostgres } = await import('./postgres/open.js')
    const handle = await openPostgres(target, { max: 1 })
    try {
      const migrations = Number((await handle.pool.query<{ n: string | number }>(`SELECT count(*) AS n FROM public.__drizzle_migrations`)).rows[0]?.n ?? 0)
      const applied = handle.migration.applied
      // Every migration applied now: the database held no wsb schema before.
      return { engine: 'postgres', database: parsePostgresUrl(target).display, created: applied > 0 && applied === migrations, migrationsApplied: applied, migrations }
    } finally {
      await handle.close()
    }
  }
  const existed = existsSync(target)
  const before = existed ? sqliteMigrations(target) : 0
  const db = connect(target)
  try {
    const migrations = Number((await db.get<{ n: number }>(COUNT))?.n ?? 0)
    return { engine: 'sqlite', database: target, created: !existed, migrationsApplied: migrations - before, migrations }
  } finally {
    db.close()
  }
}
