// Applies the drizzle-kit migrations in migrations/postgres/ to a PostgreSQL
// database (issue 13), serialised by a session advisory lock so that processes
// connecting to a new database at once cannot race. Before anything is created
// it refuses a database written by a newer wsb (DB_SCHEMA_TOO_NEW) and one that
// is not wsb's (DB_NOT_WSB), leaving both untouched.
//
// A wsb database holds the table public.wsb_meta with the row
// ('application', 'wsb'). A table rather than COMMENT ON DATABASE because it
// travels with the data: CREATE DATABASE … TEMPLATE, pg_dump and restore copy
// it, while a database comment is not copied. Applied migrations are recorded
// in public.__drizzle_migrations (hash, created_at = the journal's `when`), as
// SQLite's migrate.ts does. Everything lives in the schema public, where
// drizzle-kit's generated foreign keys point.
import { readMigrationFiles } from 'drizzle-orm/migrator'
import type pg from 'pg'
import { invalid } from '../../errors.js'
import { migrationsFolderOf, newestMigration } from '../migrations-folder.js'

/** pg_advisory_lock(wsb, migrate): "wsb1" as in SQLite's application_id, and 1 for migrations. */
export const MIGRATION_LOCK = [0x77736231, 1] as const
export const MARKER_TABLE = 'wsb_meta'
export const MIGRATIONS_TABLE = '__drizzle_migrations'

/** migrations/postgres/ of the installed package. */
export const postgresMigrationsFolder = (): string => migrationsFolderOf('postgres')

/** The newest migration this wsb ships (its journal's last `when`). */
export function knownPostgresSchema(folder = postgresMigrationsFolder()): number {
  return newestMigration(folder)
}

/** What a database is, as far as wsb is concerned. */
export type DatabaseState =
  | { kind: 'empty' }
  | { kind: 'foreign'; relations: string[] }
  | { kind: 'wsb'; schema: number }

/** Reads only: which relations the schema public holds, wsb's marker, and the last migration applied. */
export async function inspectPostgres(client: pg.ClientBase): Promise<DatabaseState> {
  const { rows } = await client.query<{ relname: string }>(
    `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') ORDER BY c.relname`,
  )
  const relations = rows.map((r) => r.relname)
  if (relations.length === 0) return { kind: 'empty' }
  if (!relations.includes(MARKER_TABLE) || !relations.includes(MIGRATIONS_TABLE)) return { kind: 'foreign', relations }
  let marked = false
  try {
    const marker = await client.query<{ value: string }>(`SELECT value FROM public.${MARKER_TABLE} WHERE key = 'application'`)
    marked = marker.rows[0]?.value === 'wsb'
  } catch {
    // A wsb_meta of another shape is another application's table.
  }
  if (!marked) return { kind: 'foreign', relations }
  const last = await client.query<{ last: string | null }>(`SELECT max(created_at)::text AS last FROM public.${MIGRATIONS_TABLE}`)
  return { kind: 'wsb', schema: Number(last.rows[0]?.last ?? 0) }
}

/** How a database is named in messages: its URL, password masked. */
export type Where = { display: string }

/** A migration time for people; a stamp too large for a Date is shown as the number it is. */
const stamp = (ms: number) => (Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : String(ms))

/** Throws DB_NOT_WSB or DB_SCHEMA_TOO_NEW; true when the schema is already current. */
function check(state: DatabaseState, known: number, where: Where): boolean {
  if (state.kind === 'foreign') {
    const shown = state.relations.slice(0, 5).join(', ') + (state.relations.length > 5 ? ', …' : '')
    throw invalid(
      `${where.display} is a PostgreSQL database of another application, not a wsb database: its schema public holds ${shown} but no wsb marker (table ${MARKER_TABLE}); give wsb an empty database`,
      { url: where.display, relations: state.relations.length },
      'DB_NOT_WSB',
    )
  }
  if (state.kind === 'wsb' && state.schema > known) {
    throw invalid(
      `database ${where.display} was written by a newer wsb (schema ${stamp(state.schema)}, this wsb knows up to ${stamp(known)}); upgrade wsb to use it`,
      { url: where.display, databaseSchema: state.schema, knownSchema: known },
      'DB_SCHEMA_TOO_NEW',
    )
  }
  return state.kind === 'wsb' && state.schema === known
}

/** A missing privilege while migrating, said as what the user must change. */
function unwritable(error: unknown, where: Where): unknown {
  const code = (error as { code?: string })?.code
  if (code !== '42501') return error
  return invalid(
    `the database ${where.display} needs its schema brought up to date by this wsb, which needs the right to create tables in the schema public: ${(error as Error).message}`,
    { url: where.display },
    'DB_UNWRITABLE',
  )
}

/** What a connection did: how many migrations it applied, and whether it had to take the lock. */
export type MigrationOutcome = { applied: number; locked: boolean }

/**
 * Brings the schema up to date. When it is current this costs one small read
 * and takes no lock. Otherwise, under the advisory lock, it checks again
 * (another process may have migrated meanwhile) and applies what is missing in
 * one transaction: PostgreSQL's DDL is transactional, so a failure or a crash
 * leaves the database as it was.
 */
/**
 * The common case in one round trip: a wsb database whose last migration is
 * this wsb's. Anything else (a table missing, another shape) answers no, and
 * the full inspection decides.
 */
async function current(client: pg.ClientBase, known: number): Promise<boolean> {
  try {
    const { rows } = await client.query<{ app: string | null; last: string | null }>(
      `SELECT (SELECT value FROM public.${MARKER_TABLE} WHERE key = 'application') AS app, (SELECT max(created_at)::text FROM public.${MIGRATIONS_TABLE}) AS last`,
    )
    return rows[0]?.app === 'wsb' && Number(rows[0]?.last) === known
  } catch {
    return false
  }
}

export async function migratePostgres(client: pg.ClientBase, where: Where, options: { analyze?: boolean } = {}): Promise<MigrationOutcome> {
  const folder = postgresMigrationsFolder()
  const known = knownPostgresSchema(folder)
  if ((await current(client, known)) || check(await inspectPostgres(client), known, where)) return { applied: 0, locked: false }

  await client.query('SELECT pg_advisory_lock($1, $2)', [...MIGRATION_LOCK])
  try {
    const state = await inspectPostgres(client)
    if (check(state, known, where)) return { applied: 0, locked: true }
    const applied = state.kind === 'wsb' ? state.schema : null
    let count = 0
    await client.query('BEGIN')
    try {
      // The generated SQL names tables unqualified and foreign keys as "public"."…".
      await client.query('SET LOCAL search_path TO public')
      if (state.kind === 'empty') {
        await client.query(`CREATE TABLE public.${MARKER_TABLE} (key text PRIMARY KEY, value text NOT NULL)`)
        await client.query(`INSERT INTO public.${MARKER_TABLE} (key, value) VALUES ('application', 'wsb')`)
        await client.query(`CREATE TABLE public.${MIGRATIONS_TABLE} (id serial PRIMARY KEY, hash text NOT NULL, created_at bigint)`)
      }
      // Every missing migration in one round trip (the simple protocol takes many statements); each
      // statement on lines of its own, so a trailing comment cannot swallow the next one's separator.
      const statements: string[] = []
      for (const migration of readMigrationFiles({ migrationsFolder: folder })) {
        if (applied !== null && migration.folderMillis <= applied) continue
        for (const statement of migration.sql) if (statement.trim()) statements.push(statement)
        statements.push(`INSERT INTO public.${MIGRATIONS_TABLE} (hash, created_at) VALUES ('${migration.hash.replace(/'/g, "''")}', ${Number(migration.folderMillis)})`)
        count++
      }
      if (statements.length > 0) await client.query(statements.join('\n;\n'))
      await client.query('COMMIT')
      // Statistics from the start: never-analyzed tables are planned as if they held some rows, and
      // a plan made then for the metering statements may stay in use as the ledger grows.
      if (options.analyze !== false) await client.query('ANALYZE').catch(() => undefined)
      return { applied: count, locked: true }
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined)
      throw unwritable(error, where)
    }
  } finally {
    // Also released when the session ends, should this fail.
    await client.query('SELECT pg_advisory_unlock($1, $2)', [...MIGRATION_LOCK]).catch(() => undefined)
  }
}
