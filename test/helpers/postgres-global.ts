// vitest globalSetup: one PostgreSQL server for the whole run (or the server of
// WSB_TEST_POSTGRES_URL, starting nothing), and two template databases that
// test files clone (see postgres.ts): one migrated once by wsb's own migrator,
// and one left empty. Registered in vitest.config.ts.
import type { TestProject } from 'vitest/node'
import pg from 'pg'
import { randomBytes } from 'node:crypto'
import { startPostgres, type PostgresServer } from './postgres-server.js'
import { migratePostgres } from '../../src/core/store/postgres/migrate.js'

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the test server's `postgres` database. */
    wsbPostgresUrl: string
    /** The migrated database each test file's database is a copy of. */
    wsbPostgresTemplate: string
    /** An empty database, for tests of what wsb does to a new or foreign one. */
    wsbPostgresEmptyTemplate: string
    /** Prefix of every database this run creates (so an outside server can be cleaned). */
    wsbPostgresPrefix: string
  }
}

const admin = async <T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> => {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const outside = process.env.WSB_TEST_POSTGRES_URL
  let server: PostgresServer | undefined
  if (!outside) server = await startPostgres()
  const url = outside ?? (server as PostgresServer).url
  // One prefix per run: parallel runs against one outside server never meet.
  const prefix = `wsb_t${Date.now().toString(36)}${randomBytes(3).toString('hex')}`
  const template = `${prefix}_template`
  const empty = `${prefix}_empty`
  try {
    await admin(url, async (client) => {
      await client.query(`CREATE DATABASE ${template}`)
      await client.query(`CREATE DATABASE ${empty}`)
    })
    const u = new URL(url)
    u.pathname = `/${template}`
    await admin(u.toString(), (client) => migratePostgres(client, { display: template }))
  } catch (error) {
    await server?.stop()
    throw error
  }
  project.provide('wsbPostgresUrl', url)
  project.provide('wsbPostgresTemplate', template)
  project.provide('wsbPostgresEmptyTemplate', empty)
  project.provide('wsbPostgresPrefix', prefix)

  return async () => {
    if (server) {
      // The whole cluster goes: nothing to drop one by one.
      await server.stop()
      return
    }
    await admin(url, async (client) => {
      const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE starts_with(datname, $1) ORDER BY datname IN ($2, $3)', [`${prefix}_`, template, empty])
      for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`)
    })
  }
}
