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

/**
 * bigint (int8, OID 20) read as a JS number, as better-sqlite3 reads SQLite's
 * integers: the schema maps every SQLite integer to bigint, and raw queries
 * (count(*), sum) then give numbers on both engines. A value a number cannot
 * hold exactly is an error, never a silently rounded amount.
 */
function parseInt8(text: string): number {
  const value = Number(text)
  if (!Number.isSafeInteger(value)) throw new Error(`bigint ${text} is beyond what wsb reads exactly (±${Number.MAX_SAFE_INTEGER})`)
  return value
}

const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === 20 && format !== 'binary' ? parseInt8 : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
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
    types,
    // A host that vanishes without closing the socket (power loss, a dropped
    // network) is then noticed by TCP keepalive, as libpq does by default,
    // instead of a command waiting on it forever.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    ...(url.params.application_name ? { application_name: url.params.application_name } : {}),
    ...(timeout && timeout > 0 ? { connectionTimeoutMillis: timeout * 1000 } : {}),
  }
}

/**
 * Connects to `text` (a postgres:// URL), checks and migrates its schema, and returns a pool on it.
 * `analyze: false` leaves a new schema's statistics to the caller (db copy analyzes once it is filled).
 */
export async function openPostgres(text: string, options: { max?: number; analyze?: boolean } = {}): Promise<PostgresHandle> {
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
    migration = await migratePostgres(client, url, { analyze: options.analyze ?? true })
  } catch (error) {
    client.release(true)
    await pool.end().catch(() => undefined)
    throw error
  }
  client.release()
  return { pool, url, migration, close: () => pool.end() }
}
