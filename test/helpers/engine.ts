// What a test reads or arranges beside wsb, on the engine under test: a test's
// SQLite path is the file itself, or with WSB_TEST_ENGINE=postgres the database
// that engineDb (cli.ts) made for it. Synchronous where the CLI helpers are.
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { engineDb } from './cli.js'

export const onPostgres = process.env.WSB_TEST_ENGINE === 'postgres'
const isUrl = (db: string) => /^postgres(ql)?:\/\//.test(db)
const root = fileURLToPath(new URL('../..', import.meta.url))

// A child process runs the statements (pg is asynchronous only). `dump` is the
// hash of every table of the schema public, each table's rows as text in sorted order.
const CHILD = `const { Client, types } = require('pg')
types.setTypeParser(20, Number) // bigint as a number, as wsb reads it
const [url, mode, statements] = process.argv.slice(1)
const c = new Client({ connectionString: url })
;(async () => {
  await c.connect()
  const out = []
  if (mode === 'dump') {
    const tables = (await c.query("SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1")).rows
    for (const { t } of tables) {
      const name = '"' + t.replace(/"/g, '""') + '"'
      out.push([t, (await c.query('SELECT count(*)::int AS n, md5(coalesce(string_agg(r::text, E\\'\\\\n\\' ORDER BY r::text), \\'\\')) AS h FROM ' + name + ' r')).rows[0]])
    }
  } else for (const s of JSON.parse(statements)) out.push((await c.query(s)).rows)
  await c.end()
  process.stdout.write(JSON.stringify(out))
})().catch((e) => { console.error(e.message); process.exit(1) })`

function postgresSync(url: string, mode: 'dump' | 'run', statements: string[] = []): unknown[] {
  const out = spawnSync(process.execPath, ['-e', CHILD, url, mode, JSON.stringify(statements)], { cwd: root, encoding: 'utf8' })
  if (out.status !== 0) throw new Error(`PostgreSQL ${mode} failed: ${out.stderr}`)
  return JSON.parse(out.stdout) as unknown[]
}

/** Runs statements with a plain connection, as a bug or a hand edit would (SQLite: closing checkpoints the WAL into the file). */
export function engineExec(path: string, ...statements: string[]): void {
  const db = engineDb(path)
  if (isUrl(db)) {
    postgresSync(db, 'run', statements)
    return
  }
  const sqlite = new Database(db)
  for (const statement of statements) sqlite.exec(statement)
  sqlite.close()
}

/** Rows of one read-only query (SQL both engines read alike). */
export function engineAll<T>(path: string, sql: string): T[] {
  const db = engineDb(path)
  if (isUrl(db)) return postgresSync(db, 'run', [sql])[0] as T[]
  const sqlite = new Database(db, { readonly: true })
  try {
    return sqlite.prepare(sql).all() as T[]
  } finally {
    sqlite.close()
  }
}

/** Bytes the database takes: the file and its WAL, or PostgreSQL's pg_database_size. */
export function engineSize(path: string): number {
  const db = engineDb(path)
  if (isUrl(db)) return engineAll<{ n: number }>(path, 'SELECT pg_database_size(current_database()) AS n')[0]?.n ?? 0
  const size = (file: string) => (existsSync(file) ? statSync(file).size : 0)
  return size(db) + size(`${db}-wal`)
}

/**
 * The state of a database, equal before and after exactly when nothing was
 * written: on SQLite the bytes of the file and how many bytes of WAL lie next
 * to it (a WAL left empty by readers holds nothing; one with bytes holds
 * writes); on PostgreSQL every table's rows.
 */
/** Everything the database holds, as text to search (for secrets): SQLite's file and WAL bytes, or PostgreSQL's rows. */
export function engineDump(path: string): string {
  const db = engineDb(path)
  if (isUrl(db)) return JSON.stringify(postgresSync(db, 'dump'))
  return [db, `${db}-wal`].filter(existsSync).map((file) => readFileSync(file).toString('latin1')).join('')
}

export function engineState(path: string): { main: string | null; walBytes: number } {
  const db = engineDb(path)
  if (isUrl(db)) return { main: createHash('sha256').update(JSON.stringify(postgresSync(db, 'dump'))).digest('hex'), walBytes: 0 }
  return {
    main: existsSync(db) ? createHash('sha256').update(readFileSync(db)).digest('hex') : null,
    walBytes: existsSync(`${db}-wal`) ? statSync(`${db}-wal`).size : 0,
  }
}
