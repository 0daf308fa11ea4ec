// Applying wsb's PostgreSQL migrations on connect (issue 13): to an empty
// database, by several processes at once under the advisory lock, and never to
// a database of a newer wsb or of another application.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { getTableName } from 'drizzle-orm'
import { readMigrationFiles } from 'drizzle-orm/migrator'
import { pgTables } from '../../src/core/store/postgres/schema.js'
import { describe, expect, it } from 'vitest'
import { openPostgres } from '../../src/core/store/postgres/open.js'
import { postgresMigrationsFolder } from '../../src/core/store/postgres/migrate.js'
import { postgresDatabase, queryPostgres } from '../helpers/postgres.js'

const migrations = readMigrationFiles({ migrationsFolder: postgresMigrationsFolder() })

const query = queryPostgres

/** Everything a refusal must leave as it was: every relation in every schema, and wsb's bookkeeping rows. */
async function snapshot(url: string): Promise<unknown> {
  const relations = await query<{ r: string }>(
    url,
    `SELECT n.nspname || '.' || c.relname || ':' || c.relkind::text AS r FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' ORDER BY 1`,
  )
  const names = relations.map((x) => x.r)
  const rows = async (table: string) => (names.includes(`public.${table}:r`) ? await query(url, `SELECT * FROM public.${table} ORDER BY 1`) : null)
  return { relations: names, migrations: await rows('__drizzle_migrations'), meta: await rows('wsb_meta') }
}

const refusal = async (url: string) => {
  try {
    await openPostgres(url)
  } catch (error) {
    return error as { code: string; exitCode: number; message: string }
  }
  throw new Error('opened')
}

describe('PostgreSQL migrations on connect', () => {
  it('applies every migration to an empty database with the wsb marker, then does nothing on the next connect', async () => {
    const url = await postgresDatabase({ empty: true })
    const first = await openPostgres(url)
    expect(first.migration).toEqual({ applied: migrations.length, locked: true })
    await first.close()
    const applied = await query<{ hash: string; created_at: string }>(url, 'SELECT hash, created_at FROM __drizzle_migrations ORDER BY id')
    expect(applied).toEqual(migrations.map((m) => ({ hash: m.hash, created_at: String(m.folderMillis) })))
    expect(await query(url, 'SELECT key, value FROM wsb_meta')).toEqual([{ key: 'application', value: 'wsb' }])
    const tables = await query<{ name: string }>(url, `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'`)
    // Every table of the schema, wsb_meta, __drizzle_migrations and metering's wsb_tree_versions: nothing more, nothing less.
    expect(tables.map((t) => t.name).sort()).toEqual([...Object.values(pgTables).map((t) => getTableName(t)), 'wsb_meta', '__drizzle_migrations', 'wsb_tree_versions'].sort())
    const before = await snapshot(url)
    const again = await openPostgres(url)
    expect(again.migration).toEqual({ applied: 0, locked: false })
    await again.close()
    expect(await snapshot(url)).toEqual(before)
  })

  it('gives test files a database cloned from a migrated template', async () => {
    const url = await postgresDatabase()
    const handle = await openPostgres(url)
    expect(handle.migration).toEqual({ applied: 0, locked: false })
    await handle.close()
  })

  it('R-USE-3: 4 processes connecting at once to one new empty database all succeed, and the schema is applied once', async () => {
    const url = await postgresDatabase({ empty: true })
    const child = fileURLToPath(new URL('../helpers/postgres-open-child.ts', import.meta.url))
    const procs = Array.from({ length: 4 }, () => spawn(process.execPath, ['--import', 'tsx', child, url], { stdio: ['pipe', 'pipe', 'inherit'] }))
    const lines = procs.map((p) => {
      let out = ''
      p.stdout.on('data', (d: Buffer) => (out += d.toString()))
      const ready = new Promise<void>((resolve, reject) => {
        const check = () => (out.startsWith('ready\n') ? resolve() : undefined)
        p.stdout.on('data', check)
        p.on('exit', () => reject(new Error(`child exited before ready: ${out}`)))
      })
      const done = new Promise<string>((resolve) => p.on('close', () => resolve(out)))
      return { ready, done }
    })
    await Promise.all(lines.map((l) => l.ready))
    for (const p of procs) p.stdin.write('go\n')
    const results = (await Promise.all(lines.map((l) => l.done))).map((out) => JSON.parse(out.split('\n')[1] as string) as { ok: boolean; applied: number; locked: boolean })
    expect(results.map((r) => r.ok)).toEqual([true, true, true, true])
    expect(results.map((r) => r.applied).sort()).toEqual([0, 0, 0, migrations.length])
    // The race was real: more than one process found the database new and waited for the lock.
    expect(results.filter((r) => r.locked).length).toBeGreaterThan(1)
    expect(await query(url, 'SELECT count(*)::int AS n FROM __drizzle_migrations')).toEqual([{ n: migrations.length }])
    expect(await query(url, 'SELECT count(*)::int AS n FROM wsb_meta')).toEqual([{ n: 1 }])
  })

  it('DB_SCHEMA_TOO_NEW: a database migrated by a newer wsb is refused (exit 2) and left untouched', async () => {
    const url = await postgresDatabase()
    await query(url, `CREATE TABLE newer_feature (x int); INSERT INTO __drizzle_migrations (hash, created_at) VALUES ('from-the-future', 4102444800000)`)
    const before = await snapshot(url)
    const error = await refusal(url)
    expect(error.code).toBe('DB_SCHEMA_TOO_NEW')
    expect(error.exitCode).toBe(2)
    expect(error.message).toMatch(/was written by a newer wsb \(schema 2100-01-01T00:00:00\.000Z, this wsb knows up to 20\d\d-.*\); upgrade wsb to use it/)
    const password = decodeURIComponent(new URL(url).password)
    expect(error.message).not.toContain(password)
    expect(error.message).toContain(':***@')
    expect(await snapshot(url)).toEqual(before)
  })

  it("DB_NOT_WSB: a database with another application's tables is refused (exit 2) and left untouched", async () => {
    const url = await postgresDatabase({ empty: true })
    await query(url, `CREATE TABLE customers (id serial PRIMARY KEY, name text); INSERT INTO customers (name) VALUES ('kept')`)
    const before = await snapshot(url)
    const error = await refusal(url)
    expect(error.code).toBe('DB_NOT_WSB')
    expect(error.exitCode).toBe(2)
    expect(error.message).toMatch(/is a PostgreSQL database of another application, not a wsb database: its schema public holds customers, customers_id_seq but no wsb marker \(table wsb_meta\)/)
    expect(await snapshot(url)).toEqual(before)
  })

  it('DB_NOT_WSB: another drizzle application (its own __drizzle_migrations) and a foreign wsb_meta are refused too', async () => {
    const drizzleApp = await postgresDatabase({ empty: true })
    await query(drizzleApp, 'CREATE TABLE __drizzle_migrations (id serial PRIMARY KEY, hash text NOT NULL, created_at bigint); CREATE TABLE wsb_meta (k text)')
    const before = await snapshot(drizzleApp)
    expect((await refusal(drizzleApp)).code).toBe('DB_NOT_WSB')
    expect(await snapshot(drizzleApp)).toEqual(before)
  })

  it('maps connection failures: a wrong password is DB_AUTH_FAILED, shown masked', async () => {
    const url = new URL(await postgresDatabase())
    url.password = 'not-the-password'
    const error = await refusal(url.toString())
    expect(error.code).toBe('DB_AUTH_FAILED')
    expect(error.message).not.toContain('not-the-password')
  })

  it('R-PR-2: the pool reads bigint as exact JS numbers (as SQLite integers are read) and refuses one beyond 2^53', async () => {
    const handle = await openPostgres(await postgresDatabase())
    try {
      const { rows } = await handle.pool.query('SELECT count(*) AS n, 1795910700461::bigint AS ms, (-9007199254740991)::bigint AS low')
      expect(rows).toEqual([{ n: 1, ms: 1795910700461, low: -9007199254740991 }])
      await expect(handle.pool.query('SELECT 9007199254740993::bigint AS x')).rejects.toThrow('bigint 9007199254740993 is beyond what wsb reads exactly')
    } finally {
      await handle.close()
    }
  })

  it('R-WS-1: the migrated database refuses a change of a workspace mode, as the SQLite trigger does', async () => {
    const url = await postgresDatabase()
    await query(url, `INSERT INTO workspaces (id, name, mode, clock_mode, created_at) VALUES ('ws1', 'One', 'pooled', 'test', 0)`)
    await expect(query(url, `UPDATE workspaces SET mode = 'single' WHERE id = 'ws1'`)).rejects.toThrow('MODE_IMMUTABLE: a workspace billing mode cannot change')
  })
})
