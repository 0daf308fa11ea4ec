// Each test file gets its own PostgreSQL database: a copy of the run's template
// database on the run's server (postgres-global.ts). Databases are not dropped
// one by one: the server's whole cluster is removed after the run, and on an
// outside server (WSB_TEST_POSTGRES_URL) the run's databases are dropped at its end.
import pg from 'pg'
import { inject } from 'vitest'

let count = 0

/** A URL with the given database name in place of the server URL's. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url)
  u.pathname = `/${encodeURIComponent(database)}`
  return u.toString()
}

/** The superuser URL of the run's server (its `postgres` database). */
export const postgresServerUrl = (): string => inject('wsbPostgresUrl')

/**
 * A new database of this run, its URL (password included): a clone of the
 * template that wsb's migrations were applied to, or with `empty` a database
 * with nothing in it (for what wsb does to a new or foreign database), or with
 * `copyOf` (a URL of this run's server) a copy of that database, which no
 * session may be connected to.
 */
export async function postgresDatabase(options: { empty?: boolean; copyOf?: string } = {}): Promise<string> {
  const server = inject('wsbPostgresUrl')
  const name = `${inject('wsbPostgresPrefix')}_${process.pid}_${++count}_${Math.random().toString(36).slice(2, 8)}`
  const client = new pg.Client({ connectionString: server })
  await client.connect()
  try {
    // WAL_LOG (the default) copies a small template in ~50 ms; FILE_COPY would force a checkpoint each time.
    const template = options.copyOf ? decodeURIComponent(new URL(options.copyOf).pathname.slice(1)) : inject(options.empty ? 'wsbPostgresEmptyTemplate' : 'wsbPostgresTemplate')
    await client.query(`CREATE DATABASE ${name} TEMPLATE "${template.replaceAll('"', '""')}" STRATEGY WAL_LOG`)
  } finally {
    await client.end()
  }
  return withDatabase(server, name)
}

/** One query on its own connection: what a test reads or arranges beside wsb. */
export async function queryPostgres<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query<T>(text)).rows
  } finally {
    await client.end()
  }
}
