// Opening a PostgreSQL database for wsb (issue 13): parse the URL, connect
// (driver errors mapped to DB_UNREACHABLE / DB_AUTH_FAILED / DB_NOT_FOUND /
// DB_CONNECT_FAILED), refuse what is not ours or too new, migrate, and hand
// back a pool. Free of the domain core: the store builds on top of it.
import pg from 'pg'
import { parsePostgresUrl, postgresConnectError, type PostgresUrl } from '../postgres-url.js'
import { type MigrationOutcome, migratePostgres } from './migrate.js'

export type PostgresHandle = {
  pool: pg.Pool
  url: PostgresUrl
  /** What opening did to the schema. */
  migration: MigrationOutcome
  /** Ends every connection of the pool. */
  close: () => Promise<void>
}

/**
 * TLS as libpq's sslmode asks, as far as pg can: pg cannot fall back from TLS to
 * plain, so allow and prefer connect without TLS; verify-ca checks the chain but
 * not the host name.
 */
function ssl(url: PostgresUrl): pg.PoolConfig['ssl'] {
  switch (url.sslmode) {
    case 'require':
      return { rejectUnauthorized: false }
    case 'verify-ca':
      return { rejectUnauthorized: true, checkServerIdentity: () => undefined }
    case 'verify-full':
      return { rejectUnauthorized: true }
    default:
      return false
  }
}

/** pg's settings for a parsed URL. */
export function poolConfig(url: PostgresUrl, max = 10): pg.PoolConfig {
  const timeout = url.params.connect_timeout === undefined ? undefined : Number(url.params.connect_timeout)
  return {
    host: url.host,
    port: url.port,
    user: url.user,
    password: url.password,
    database: url.database,
    ssl: ssl(url),
    max,
    ...(url.params.application_name ? { application_name: url.params.application_name } : {}),
    ...(timeout && timeout > 0 ? { connectionTimeoutMillis: timeout * 1000 } : {}),
  }
}

/** Connects to `text` (a postgres:// URL), checks and migrates its schema, and returns a pool on it. */
export async function openPostgres(text: string, options: { max?: number } = {}): Promise<PostgresHandle> {
  const url = parsePostgresUrl(text)
  const pool = new pg.Pool(poolConfig(url, options.max))
  // An idle connection the server drops must not crash the process: the next query on it fails instead.
  pool.on('error', () => undefined)
  let client: pg.PoolClient
  try {
    client = await pool.connect()
  } catch (error) {
    await pool.end().catch(() => undefined)
    throw postgresConnectError(error, url)
  }
  let migration: MigrationOutcome
  try {
    migration = await migratePostgres(client, url)
  } catch (error) {
    client.release(true)
    await pool.end().catch(() => undefined)
    throw error
  }
  client.release()
  return { pool, url, migration, close: () => pool.end() }
}
