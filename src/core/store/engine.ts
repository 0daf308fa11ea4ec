// Opening --db on either engine, for what opens more than one connection (the
// server): a postgres:// URL opens the PostgreSQL store (loaded only then), any
// other text the SQLite file, both migrated and checked as every command's.
import { newestMigration, migrationsFolderOf } from './migrations-folder.js'
import { isPostgresUrl } from './postgres-url.js'
import type { Db } from './db.js'

export type Engine = 'sqlite' | 'postgres'

export const engineOf = (target: string): Engine => (isPostgresUrl(target) ? 'postgres' : 'sqlite')

export async function openEngine(target: string): Promise<Db> {
  if (engineOf(target) === 'postgres') return (await import('./postgres/db.js')).openPostgresDb(target)
  return (await import('./open.js')).openDb(target)
}

/** Whether the database's schema is the one this wsb ships (its last migration applied, none newer). */
export async function schemaState(db: Db, engine: Engine): Promise<{ current: boolean; applied: number; known: number }> {
  const row = await db.get<{ last: number | string | null }>('SELECT max(created_at) AS last FROM __drizzle_migrations')
  const applied = Number(row?.last ?? 0)
  const known = newestMigration(migrationsFolderOf(engine))
  return { current: applied === known, applied, known }
}
