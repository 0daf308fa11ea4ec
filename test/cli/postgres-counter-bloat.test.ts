// Issue 24: the counter rows metering rewrites on every report stay the size of what they hold on
// PostgreSQL (migration 0019: half of each page kept free, so a row's new version is written on its
// own page and the old ones are pruned in place). With full pages every batch of an import wrote
// its counters' new versions at the end of the table, which grew until autovacuum ran (off here,
// in this database, as between two of its runs) and every `usage report --by org` read the whole of it.
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { wsb } from '../helpers/cli.js'
import { postgresDatabase } from '../helpers/postgres.js'

const ORGS = 500
const BATCH = 1000

const sizeOf = async (client: pg.Client, table: string): Promise<number> => Number((await client.query<{ n: string }>('SELECT pg_relation_size($1)::text AS n', [table])).rows[0]?.n)

describe('PostgreSQL counter tables under a long import (issue 24)', () => {
  it('R-USE-6 15 batches rewriting the same 500 counters leave usage_levels within 3× its size after the first (13× with full pages)', async () => {
    const url = await postgresDatabase()
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
      // No autovacuum in this database: neither a vacuum of the counters nor an analyze of another
      // table, whose snapshot would hold back the pruning the test is about.
      for (const { name } of (await client.query<{ name: string }>("SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'")).rows)
        await client.query(`ALTER TABLE "${name}" SET (autovacuum_enabled = false)`)
      const orgs = Array.from({ length: ORGS }, (_, i) => `  - { name: team-${i} }`).join('\n')
      const setup = `version: 1\nworkspace: { name: Bloat, mode: pooled }\norganizations:\n${orgs}\naccounts: [ { name: A, currency: USD, subscriptions: [ { label: main, trial: false, items: { users: 1000000 } } ] } ]\n`
      expect(wsb(['apply', '-f', '-', '--json'], { db: url, input: setup }).code).toBe(0)
      const batch = (n: number) => Array.from({ length: BATCH }, (_, i) => JSON.stringify({ org: `team-${i % ORGS}`, product: 'users', delta: 1, key: `b${n}-${i}` })).join('\n')
      const run = (input: string) => wsb(['usage', 'import', '-', '--json', '--batch-size', String(BATCH)], { db: url, input })
      expect(run(batch(0)).code).toBe(0)
      const first = await sizeOf(client, 'usage_levels')
      const rest = Array.from({ length: 14 }, (_, n) => batch(n + 1)).join('\n')
      const imported = run(rest)
      expect(imported.code).toBe(0)
      expect(imported.json().accepted).toBe(14 * BATCH)
      expect(await sizeOf(client, 'usage_levels')).toBeLessThanOrEqual(3 * first)
      // Every report counted once: 15 per org.
      const levels = (await client.query<{ level: string }>("SELECT DISTINCT level::text FROM usage_levels WHERE product = 'users'")).rows.map((r) => r.level)
      expect(levels).toEqual(['30'])
    } finally {
      await client.end()
    }
  }, 120_000)
})
