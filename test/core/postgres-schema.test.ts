// The PostgreSQL schema is derived from the SQLite one (issue 13). Compared
// here as the two real databases hold them after their own migrations: a
// migrated SQLite file against a migrated PostgreSQL database, table by table.
import { getTableColumns, getTableName, is, sql } from 'drizzle-orm'
import { getTableConfig, PgDialect } from 'drizzle-orm/pg-core'
import { blob, getTableConfig as sqliteConfig, integer, SQLiteTable, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as sqliteSchema from '../../src/core/store/schema/index.js'
import * as pgSchema from '../../src/core/store/postgres/schema.js'
import { derivePostgresTables } from '../../src/core/store/postgres/derive.js'
import { openDb } from '../../src/core/store/open.js'
import { postgresDatabase } from '../helpers/postgres.js'
import { tempDbPath } from '../helpers/temp.js'

/** The mapping of issue 13, written out: drizzle's SQLite column kind → PostgreSQL type. */
const MAPPED: Record<string, string> = {
  SQLiteText: 'text',
  SQLiteTextJson: 'text',
  SQLiteInteger: 'bigint',
  SQLiteBoolean: 'boolean',
  SQLiteReal: 'double precision',
}

const sqliteTables = Object.entries(sqliteSchema).filter(([, v]) => is(v, SQLiteTable)) as [string, SQLiteTable][]

let client: pg.Client
let lite: ReturnType<typeof openDb>

beforeAll(async () => {
  client = new pg.Client({ connectionString: await postgresDatabase() })
  await client.connect()
  lite = openDb(tempDbPath())
})
afterAll(async () => {
  await client?.end()
  lite?.sqlite.close()
})

const q = async <T extends pg.QueryResultRow>(text: string, values: unknown[] = []) => (await client.query<T>(text, values)).rows

/** SQLite's text of an index or predicate, as PostgreSQL prints it back, both reduced to compare. */
const norm = (text: string) =>
  text
    .replace(/"\w+"\./g, '')
    .replace(/::text/g, '')
    .replace(/(\w+) = ANY \(ARRAY\[([^\]]*)\]\)/g, '$1 IN ($2)')
    .replace(/[`"()]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase()

const ACTIONS: Record<string, string> = { a: 'NO ACTION', r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' }

describe('PostgreSQL schema derived from the SQLite schema', () => {
  it('exports every SQLite table under the same name, and nothing else', () => {
    const sqliteNames = Object.keys(Object.fromEntries(sqliteTables)).sort()
    const pgNames = Object.keys(pgSchema).filter((k) => k !== 'pgTables').sort()
    expect(pgNames).toEqual(sqliteNames)
    expect(Object.keys(pgSchema.pgTables).sort()).toEqual(sqliteNames)
  })

  it('has the same tables, columns (types mapped), nullability, defaults and primary keys as SQLite', async () => {
    const liteTables = (lite.sqlite.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT IN ('__drizzle_migrations', 'wsb_tree_versions') ORDER BY name`).all() as { name: string }[]).map((t) => t.name)
    // Each engine's own, kept by its triggers outside the schema: the tree versions (sqlite/0017, postgres/0016); PostgreSQL's marker; the migrations.
    const pgTablesFound = (await q<{ t: string }>(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' AND table_name NOT IN ('__drizzle_migrations', 'wsb_meta', 'wsb_tree_versions') ORDER BY 1`)).map((r) => r.t)
    expect(pgTablesFound).toEqual(liteTables)
    expect(liteTables).toEqual(Object.values(pgSchema.pgTables).map((t) => getTableName(t)).sort())
    // Nothing imitates SQLite's rowid; the tables the core lists in creation order have an identity seq (Db.creationOrder).
    expect(await q(`SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'rowid'`)).toEqual([])
    const withSeq = (await q<{ t: string }>(
      `SELECT table_name AS t FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'seq' AND is_identity = 'YES' AND data_type = 'bigint' ORDER BY 1`,
    )).map((r) => r.t)
    expect(withSeq).toEqual(['api_keys', 'billing_accounts', 'coupons', 'invoices', 'organizations', 'payment_methods', 'prices', 'products', 'subscriptions', 'workspaces'])
    expect(await q(`SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public' AND p.proname LIKE '%group_concat%'`)).toEqual([])

    for (const [, table] of sqliteTables) {
      const name = sqliteConfig(table).name
      const kinds = Object.fromEntries(Object.values(getTableColumns(table)).map((c) => [c.name, c.columnType]))
      const liteCols = lite.sqlite.prepare(`PRAGMA table_info(${name})`).all() as { name: string; type: string; notnull: number; dflt_value: string | null; pk: number }[]
      // seq: the creation order of the rows, which SQLite keeps as the rowid.
      const pgCols = await q<{ column_name: string; data_type: string; is_nullable: string; column_default: string | null; is_identity: string }>(
        `SELECT column_name, data_type, is_nullable, column_default, is_identity FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 AND column_name <> 'seq' ORDER BY ordinal_position`,
        [name],
      )
      const singlePk = liteCols.filter((c) => c.pk > 0).length === 1
      const expected = liteCols.map((c) => ({
        name: c.name,
        type: MAPPED[kinds[c.name]] ?? `unmapped ${kinds[c.name]}`,
        // SQLite lets a non-integer primary key column hold NULL unless declared NOT NULL; drizzle declares it.
        notNull: c.notnull === 1 || c.pk > 0,
        default: c.dflt_value,
        // INTEGER PRIMARY KEY is SQLite's rowid: numbered by the database.
        identity: singlePk && c.pk === 1 && c.type.toUpperCase() === 'INTEGER',
      }))
      const actual = pgCols.map((c) => ({
        name: c.column_name,
        type: c.data_type,
        notNull: c.is_nullable === 'NO',
        // PostgreSQL shows a text default with its cast ('card'::text); SQLite shows 'card'.
        default: c.column_default?.replace(/::text$/, '') ?? null,
        identity: c.is_identity === 'YES',
      }))
      // By name: SQLite appends a column added later (ALTER TABLE … ADD), drizzle-kit's PostgreSQL CREATE lists the schema's order.
      const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name)
      expect({ table: name, columns: actual.sort(byName) }).toEqual({ table: name, columns: expected.sort(byName) })

      const litePk = liteCols.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name)
      const pgPk = await q<{ col: string }>(
        `SELECT a.attname AS col FROM pg_constraint k CROSS JOIN unnest(k.conkey) WITH ORDINALITY AS u(attnum, i)
         JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.attnum
         WHERE k.conrelid = $1::regclass AND k.contype = 'p' ORDER BY u.i`,
        [`public.${name}`],
      )
      expect({ table: name, pk: pgPk.map((r) => r.col) }).toEqual({ table: name, pk: litePk })
    }
  })

  it('has the same foreign keys with the same actions as SQLite', async () => {
    for (const [, table] of sqliteTables) {
      const name = sqliteConfig(table).name
      const rows = lite.sqlite.prepare(`PRAGMA foreign_key_list(${name})`).all() as { id: number; seq: number; table: string; from: string; to: string; on_update: string; on_delete: string }[]
      const liteFks = [...new Set(rows.map((r) => r.id))]
        .map((id) => {
          const parts = rows.filter((r) => r.id === id).sort((a, b) => a.seq - b.seq)
          const first = parts[0] as (typeof parts)[number]
          return { columns: parts.map((p) => p.from), references: first.table, to: parts.map((p) => p.to), onDelete: first.on_delete, onUpdate: first.on_update }
        })
        .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))
      const pgFks = (
        await q<{ columns: string[]; references: string; to: string[]; del: string; upd: string }>(
          `SELECT (SELECT array_agg(a.attname::text ORDER BY u.i) FROM unnest(k.conkey) WITH ORDINALITY u(n, i) JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n) AS columns,
                  k.confrelid::regclass::text AS references,
                  (SELECT array_agg(a.attname::text ORDER BY u.i) FROM unnest(k.confkey) WITH ORDINALITY u(n, i) JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.n) AS to,
                  k.confdeltype AS del, k.confupdtype AS upd
           FROM pg_constraint k WHERE k.conrelid = $1::regclass AND k.contype = 'f'`,
          [`public.${name}`],
        )
      )
        .map((k) => ({ columns: k.columns, references: k.references, to: k.to, onDelete: ACTIONS[k.del], onUpdate: ACTIONS[k.upd] }))
        .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))
      expect({ table: name, fks: pgFks }).toEqual({ table: name, fks: liteFks })
    }
    // At least the cascades and the composite and self references are there.
    expect(JSON.stringify(lite.sqlite.prepare(`PRAGMA foreign_key_list(org_limits)`).all())).toContain('products')
  })

  it('has the same indexes: unique or not, same columns and expressions (lower(name)), same partial predicates with booleans as true/false', async () => {
    let compared = 0
    for (const [, table] of sqliteTables) {
      const name = sqliteConfig(table).name
      const booleans = Object.values(getTableColumns(table)).filter((c) => c.columnType === 'SQLiteBoolean').map((c) => c.name)
      const liteIx = (lite.sqlite.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name`).all(name) as { name: string; sql: string }[]).map((ix) => {
        const m = /^CREATE (UNIQUE )?INDEX `[^`]+` ON `[^`]+` \((.*?)\)(?: WHERE (.*))?$/s.exec(ix.sql)
        if (!m) throw new Error(`unexpected SQLite index ${ix.sql}`)
        let where = m[3] === undefined ? null : norm(m[3])
        const on = norm(m[2] ?? '')
        // The mapping under test: SQLite stores booleans as 1/0.
        for (const b of booleans) where = where?.replace(new RegExp(`\\b${b} = 1\\b`, 'g'), `${b} = true`).replace(new RegExp(`\\b${b} = 0\\b`, 'g'), `${b} = false`) ?? null
        return { name: ix.name, unique: m[1] !== undefined, on: on.replace(/,\s*/g, ','), where }
      })
      const pgIx = (
        await q<{ name: string; unique: boolean; keys: string[]; where: string | null }>(
          `SELECT c.relname AS name, i.indisunique AS unique,
                  (SELECT array_agg(pg_get_indexdef(i.indexrelid, k, true) ORDER BY k) FROM generate_series(1, i.indnkeyatts) k) AS keys,
                  pg_get_expr(i.indpred, i.indrelid, true) AS where
           FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
           WHERE i.indrelid = $1::regclass AND NOT i.indisprimary ORDER BY c.relname`,
          [`public.${name}`],
        )
      ).map((ix) => ({ name: ix.name, unique: ix.unique, on: norm(ix.keys.join(',')), where: ix.where === null ? null : norm(ix.where) }))
      expect({ table: name, indexes: pgIx }).toEqual({ table: name, indexes: liteIx })
      compared += liteIx.length
    }
    expect(compared).toBe((lite.sqlite.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL`).get() as { n: number }).n)
    expect(compared).toBeGreaterThan(30)
    const [prices] = await q<{ def: string }>(`SELECT pg_get_indexdef('public.prices_active'::regclass) AS def`)
    expect(prices?.def).toContain('WHERE (active = true)')
  })
})

/** The outcome of one statement: ok, a unique violation, or the mode trigger's refusal. */
const outcome = (error: unknown): string => {
  const e = error as { code?: string; message?: string }
  if (e.code === '23505' || e.code === 'SQLITE_CONSTRAINT_UNIQUE') return 'unique'
  if (e.message?.includes('MODE_IMMUTABLE')) return 'MODE_IMMUTABLE'
  throw error
}

const ledger = (ws: string, outcome: string, key: string | null) =>
  `INSERT INTO usage_ledger (workspace_id, org_id, product, kind, value, delta, outcome, level_after, key, at) VALUES ('${ws}', 'org_a', 'seats', 'delta', 1, 1, '${outcome}', 1, ${key === null ? 'NULL' : `'${key}'`}, 0)`
const price = (id: string, active: boolean) =>
  `INSERT INTO prices (id, workspace_id, product, currency, interval, scheme, unit_amount, active, created_at) VALUES ('${id}', 'ws1', 'seats', 'USD', 'month', 'per_unit', 1000, ${active}, 0)`
const org = (id: string, parent: string | null, name: string) =>
  `INSERT INTO organizations (id, workspace_id, parent_id, name, created_at) VALUES ('${id}', 'ws1', ${parent === null ? 'NULL' : `'${parent}'`}, '${name}', 0)`

/** Statement and the outcome written by hand; both engines must give exactly these. */
const CASES: [string, string][] = [
  [`INSERT INTO workspaces (id, name, mode, clock_mode, created_at) VALUES ('ws1', 'One', 'pooled', 'test', 0)`, 'ok'],
  [`INSERT INTO workspaces (id, name, mode, clock_mode, created_at) VALUES ('ws2', 'ONE', 'pooled', 'test', 0)`, 'unique'],
  // R-USE-4: an accepted report claims its key; rejected ones claim nothing; keys are per workspace.
  [ledger('ws1', 'accepted', 'k1'), 'ok'],
  [ledger('ws1', 'accepted', 'k1'), 'unique'],
  [ledger('ws1', 'rejected', 'k2'), 'ok'],
  [ledger('ws1', 'rejected', 'k2'), 'ok'],
  [ledger('ws1', 'accepted', 'k2'), 'ok'],
  [ledger('ws1', 'accepted', null), 'ok'],
  [ledger('ws1', 'accepted', null), 'ok'],
  [ledger('ws9', 'accepted', 'k1'), 'ok'],
  // prices_active: one active price per product, currency and interval (the boolean predicate).
  [price('p1', true), 'ok'],
  [price('p2', true), 'unique'],
  [price('p3', false), 'ok'],
  [price('p4', false), 'ok'],
  // R-ORG-1: sibling names unique ignoring case, among top-level orgs and under each parent.
  [org('o1', null, 'Acme'), 'ok'],
  [org('o2', null, 'acme'), 'unique'],
  [org('o3', 'o1', 'Team'), 'ok'],
  [org('o4', 'o1', 'TEAM'), 'unique'],
  [org('o5', 'o1', 'Acme'), 'ok'],
  // R-WS-1: the mode trigger, on both engines.
  [`UPDATE workspaces SET name = 'Uno' WHERE id = 'ws1'`, 'ok'],
  [`UPDATE workspaces SET mode = 'single' WHERE id = 'ws1'`, 'MODE_IMMUTABLE'],
]

describe('constraints behave on PostgreSQL as on SQLite', () => {
  it('R-USE-4 R-ORG-1 R-WS-1: the partial unique indexes (usage_ledger claimed keys, active prices), lower(name) indexes and the mode trigger give the same outcomes', async () => {
    const onSqlite = CASES.map(([statement]) => {
      try {
        lite.sqlite.exec(statement)
        return 'ok'
      } catch (error) {
        return outcome(error)
      }
    })
    const onPostgres: string[] = []
    for (const [statement] of CASES) {
      try {
        await client.query(statement)
        onPostgres.push('ok')
      } catch (error) {
        onPostgres.push(outcome(error))
      }
    }
    const expected = CASES.map(([, o]) => o)
    expect(onSqlite).toEqual(expected)
    expect(onPostgres).toEqual(expected)
    const [claimed] = await q<{ n: string }>(`SELECT count(*) AS n FROM usage_ledger WHERE outcome = 'accepted'`)
    expect(claimed?.n).toBe('5')
  })
})

describe('deriving refuses what it cannot map', () => {
  const derive = (table: unknown) => () => derivePostgresTables({ t: table })

  it('turns a boolean compared with 1 or 0 into true or false, in drizzle and in the SQL it renders', () => {
    const flags = sqliteTable('flags', { on: integer('on', { mode: 'boolean' }).notNull(), k: text('k') }, (t) => [
      uniqueIndex('flags_on').on(t.k).where(sql`${t.on} = 1`),
      uniqueIndex('flags_off').on(t.k).where(sql`${t.on} = 0 AND ${t.k} IS NOT NULL`),
      uniqueIndex('flags_not_off').on(t.k).where(sql`${t.on} <> 0`),
    ])
    const derived = derivePostgresTables({ flags }).flags
    const dialect = new PgDialect()
    const wheres = getTableConfig(derived).indexes.map((ix) => [ix.config.name, dialect.sqlToQuery(ix.config.where as never).sql])
    expect(wheres).toEqual([
      ['flags_on', '"flags"."on" = true'],
      ['flags_off', '"flags"."on" = false AND "flags"."k" IS NOT NULL'],
      ['flags_not_off', '"flags"."on" = true'],
    ])
  })

  it('throws naming the table and column for a column type with no mapping (blob)', () => {
    expect(derive(sqliteTable('files', { data: blob('data') }))).toThrow(/cannot derive the PostgreSQL schema: files\.data: SQLite column type SQLiteBlob\w* \(blob\) has no mapping/)
  })

  it('throws for a boolean used in a predicate other than = 1 / = 0', () => {
    const t = sqliteTable('f', { on: integer('on', { mode: 'boolean' }), k: text('k') }, (c) => [uniqueIndex('f_on').on(c.k).where(sql`${c.on} IS NULL`)])
    expect(derive(t)).toThrow(/f index f_on: boolean column on must be compared with = 1 or = 0/)
  })

  it('throws for an expression word it does not know (SQLite-only functions)', () => {
    const t = sqliteTable('g', { k: text('k') }, (c) => [uniqueIndex('g_k').on(sql`ifnull(${c.k}, '')`)])
    expect(derive(t)).toThrow(/g index g_k: "ifnull" .* has no known PostgreSQL meaning/)
  })

  it('throws for an SQL default and for a parameter inside an index', () => {
    expect(derive(sqliteTable('d', { at: integer('at').default(sql`(unixepoch())`) }))).toThrow(/d\.at: an SQL default has no mapping/)
    const t = sqliteTable('p', { k: text('k') }, (c) => [uniqueIndex('p_k').on(c.k).where(sql`${c.k} = ${'x'}`)])
    expect(derive(t)).toThrow(/p index p_k: a bound value "x" has no mapping/)
  })
})
