// The test server itself (issue 13): started once by vitest's globalSetup, one
// fresh database per call, real durability settings.
import { describe, expect, it } from 'vitest'
import { postgresDatabase, postgresServerUrl, queryPostgres } from './postgres.js'

const query = queryPostgres

describe('PostgreSQL test server', () => {
  it('gives each call its own empty database on one server', async () => {
    const [a, b] = await Promise.all([postgresDatabase({ empty: true }), postgresDatabase({ empty: true })])
    expect(a).not.toBe(b)
    expect(new URL(a).host).toBe(new URL(postgresServerUrl()).host)
    await query(a, 'CREATE TABLE only_in_a (x int)')
    const tables = (url: string) => query<{ n: string }>(url, "SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'public'")
    expect(await tables(a)).toEqual([{ n: '1' }])
    expect(await tables(b)).toEqual([{ n: '0' }])
    expect(await query(b, 'SELECT current_database() AS db')).toEqual([{ db: decodeURIComponent(new URL(b).pathname.slice(1)) }])
  })

  it('runs PostgreSQL 14 or newer with fsync and synchronous commit on, on loopback', async () => {
    const [row] = await query<{ v: string; fsync: string; sc: string }>(postgresServerUrl(), "SELECT current_setting('server_version_num') AS v, current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS sc")
    expect(Number(row?.v)).toBeGreaterThanOrEqual(140000)
    if (!process.env.WSB_TEST_POSTGRES_URL) {
      expect(row).toMatchObject({ fsync: 'on', sc: 'on' })
      expect(new URL(postgresServerUrl()).hostname).toBe('127.0.0.1')
    }
  })
})
