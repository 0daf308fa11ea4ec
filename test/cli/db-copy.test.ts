// `wsb db copy --to URL` (issue 13, "moving up"): a whole SQLite file into an
// empty PostgreSQL database through the built CLI, checked against the real
// test server. Runs in the sqlite project only: it makes its own databases.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import pg from 'pg'
import { beforeAll, describe, expect, it } from 'vitest'
import { cleanEnv, WSB, wsb } from '../helpers/cli.js'
import { hasTmux, noTmux, Tmux } from '../helpers/tmux.js'
import { postgresDatabase, queryPostgres } from '../helpers/postgres.js'
import { tempDbPath, tempDir } from '../helpers/temp.js'
import { buildDemo } from '../helpers/demo.js'

/**
 * wsb's tables, as a new file holds them after migrating (not the copy's own list: a table the
 * copy left out must fail here), without SQLite's and drizzle's bookkeeping, nor the tree
 * versions each engine's triggers keep for itself (the target's count its own changes).
 */
const TABLES = (() => {
  const file = join(tempDir(), 'tables.sqlite')
  const made = wsb(['workspace', 'create', 'Tables', '--mode', 'single', '--json'], { db: file })
  if (made.code !== 0) throw new Error(made.stderr)
  const db = new Database(file, { readonly: true })
  try {
    return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT IN ('__drizzle_migrations', 'wsb_tree_versions') ORDER BY name").all() as { name: string }[]).map((r) => r.name)
  } finally {
    db.close()
  }
})()

/** The tables PostgreSQL keeps the creation order of, in a seq column (the file's rowid). */
const ORDERED = new Set(['api_keys', 'billing_accounts', 'coupons', 'invoices', 'organizations', 'payment_methods', 'prices', 'products', 'subscriptions', 'workspaces'])
const text = (row: Record<string, string | null>) => JSON.stringify(Object.entries(row).sort(([a], [b]) => a.localeCompare(b)))
const sorted = (rows: Record<string, string | null>[]) => rows.sort((a, b) => text(a).localeCompare(text(b)))

/** Every row of every table of the file, values as text (integers exact), the rowid as seq where PostgreSQL keeps it, in a stable order. */
function sqliteRows(file: string): Record<string, Record<string, string | null>[]> {
  const db = new Database(file, { readonly: true })
  try {
    const out: Record<string, Record<string, string | null>[]> = {}
    for (const table of TABLES) {
      const rows = db.prepare(`SELECT ${ORDERED.has(table) ? 'rowid AS "seq", ' : ''}* FROM "${table}" ORDER BY rowid`).safeIntegers(true).all() as Record<string, unknown>[]
      out[table] = sorted(rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === null ? null : String(v)]))))
    }
    return out
  } finally {
    db.close()
  }
}

/** The same read of the PostgreSQL copy: booleans as SQLite's 1/0, bigint as pg's exact text. */
async function postgresRows(url: string): Promise<Record<string, Record<string, string | null>[]>> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const out: Record<string, Record<string, string | null>[]> = {}
    for (const table of TABLES) {
      const { rows } = await client.query(`SELECT * FROM "${table}"`)
      out[table] = sorted(
        rows.map((row: Record<string, unknown>) =>
          Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === null ? null : typeof v === 'boolean' ? (v ? '1' : '0') : String(v)])),
        ),
      )
    }
    return out
  } finally {
    await client.end()
  }
}

const counts = async (url: string) =>
  Object.fromEntries(
    (await queryPostgres<{ name: string; n: string }>(url, TABLES.map((t) => `SELECT '${t}' AS name, count(*)::text AS n FROM "${t}"`).join(' UNION ALL '))).map((r) => [r.name, Number(r.n)]),
  )

const emptyCounts = Object.fromEntries(TABLES.map((t) => [t, 0]))

/** The foreign keys of a PostgreSQL database, each as its definition. */
const keys = (url: string) => queryPostgres<{ name: string; definition: string }>(url, "SELECT conname AS name, pg_get_constraintdef(oid) AS definition FROM pg_constraint WHERE contype = 'f' ORDER BY 1")

/** Every index and key of a PostgreSQL database's tables (primary, unique and plain), each as its definition. */
const indexes = (url: string) =>
  queryPostgres<{ name: string; definition: string }>(url, "SELECT indexname AS name, indexdef AS definition FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1")

/** A file whose ledger holds `rows` accepted reports (enough for the copy to build its indexes after the rows), imported keyed k-1…. */
function bigLedger(rows: number): string {
  const file = tempDbPath()
  const cli = (...args: string[]) => wsb([...args, '--json'], { db: file })
  expect(cli('workspace', 'create', 'Big', '--mode', 'pooled').code).toBe(0)
  expect(cli('account', 'create', 'A', '--currency', 'USD').code).toBe(0)
  expect(cli('sub', 'add', 'A', '--item', `users=${rows}`).code).toBe(0)
  expect(cli('org', 'create', 'Ops').code).toBe(0)
  const lines = Array.from({ length: rows }, (_, i) => JSON.stringify({ org: 'Ops', product: 'users', delta: 1, key: `k-${i + 1}` })).join('\n')
  const imported = wsb(['usage', 'import', '-', '--json'], { db: file, input: `${lines}\n` })
  expect(imported.json().accepted, imported.stderr).toBe(rows)
  return file
}

describe('wsb db copy --to URL', () => {
  let demo: string
  beforeAll(async () => {
    demo = await buildDemo()
  }, 180_000)

  it('the demo database copied to an empty PostgreSQL database gives the same export, usage report, invoice list and events for every workspace; doctor and usage verify clean', async () => {
    const target = await postgresDatabase({ empty: true })
    const copy = wsb(['db', 'copy', '--to', target, '--json'], { db: demo })
    expect(copy.stderr).toBe('')
    expect(copy.code).toBe(0)
    const result = copy.json()
    const password = decodeURIComponent(new URL(target).password)
    expect(copy.stdout).not.toContain(password)
    expect(result.target).toBe(target.replace(`:${new URL(target).password}@`, ':***@'))
    expect(result.checks).toEqual({ rowCounts: 'ok', doctor: 'ok', usageVerify: 'ok' })
    const fileRows = sqliteRows(demo)
    expect(result.copied).toEqual(Object.fromEntries(TABLES.map((t) => [t, fileRows[t]?.length])))
    expect(result.rows).toBe(Object.values(fileRows).reduce((n, rows) => n + rows.length, 0))
    expect(result.copied.usage_ledger).toBeGreaterThan(0)
    expect(result.copied.payment_attempts).toBeGreaterThan(0)
    expect(result.copied.notifications).toBeGreaterThan(0)
    // Every value of every row, and the creation order where PostgreSQL keeps it, as the file holds them.
    expect(await postgresRows(target)).toEqual(fileRows)

    const workspaces = wsb(['workspace', 'list', '--json'], { db: demo }).json().workspaces as { id: string; name: string }[]
    expect(workspaces.map((w) => w.name).sort()).toEqual(['Acme Software', 'Franchise Co', 'Global Corp'])
    for (const { id } of workspaces) {
      for (const args of [['export', '--json'], ['usage', 'report', '--json'], ['usage', 'report', '--by', 'org', '--json'], ['invoice', 'list', '--json'], ['events', '--json'], ['notifications', '--json']]) {
        const onFile = wsb([...args, '-w', id], { db: demo })
        const onCopy = wsb([...args, '-w', id], { db: target })
        expect(onFile.code, `${args.join(' ')} on the file`).toBe(0)
        expect(onCopy.stdout, `${args.join(' ')} -w ${id}`).toBe(onFile.stdout)
        expect(onCopy.code).toBe(0)
      }
      const verify = wsb(['usage', 'verify', '-w', id, '--json'], { db: target })
      expect(verify.code).toBe(0)
      expect(verify.json().ok).toBe(true)
    }
    const doctor = wsb(['doctor', '--json'], { db: target })
    expect(doctor.code).toBe(0)
    expect(doctor.json().ok).toBe(true)
    // Sequences were set past the copied ids: new rows do not collide.
    const acme = workspaces.find((w) => w.name === 'Acme Software')?.id as string
    expect(wsb(['org', 'create', 'After the move', '-w', acme, '--json'], { db: target }).code).toBe(0)
    const events = (await queryPostgres<{ id: string }>(target, 'SELECT max(id)::text AS id FROM events'))[0]
    expect(Number(events?.id)).toBe(Math.max(...(fileRows.events ?? []).map((e) => Number(e.id))) + 1)
    const orgs = (await queryPostgres<{ seq: string }>(target, 'SELECT max(seq)::text AS seq FROM organizations'))[0]
    expect(Number(orgs?.seq)).toBe(Math.max(...(fileRows.organizations ?? []).map((o) => Number(o.seq))) + 1)
  }, 180_000)

  it('the human summary names the tables and the checks, the password masked', async () => {
    const target = await postgresDatabase()
    const copy = wsb(['db', 'copy', '--to', target], { db: demo })
    expect(copy.code).toBe(0)
    expect(copy.stderr).toBe('')
    expect(copy.stdout).toContain('usage_ledger')
    expect(copy.stdout).toContain('doctor clean')
    expect(copy.stdout).toContain(':***@')
    expect(copy.stdout).not.toContain(decodeURIComponent(new URL(target).password))
  }, 60_000)

  it('a target that already holds wsb data is refused (DB_NOT_EMPTY, exit 2) and left untouched', async () => {
    const target = await postgresDatabase()
    expect(wsb(['workspace', 'create', 'Already here', '--mode', 'pooled', '--json'], { db: target }).code).toBe(0)
    const before = await postgresRows(target)
    const copy = wsb(['db', 'copy', '--to', target, '--json'], { db: demo })
    expect(copy.code).toBe(2)
    expect(copy.json().error.code).toBe('DB_NOT_EMPTY')
    expect(copy.json().error.details.tables).toContain('workspaces')
    expect(copy.stdout).not.toContain(decodeURIComponent(new URL(target).password))
    expect(await postgresRows(target)).toEqual(before)
  }, 60_000)

  it("a database of another application is refused (DB_NOT_WSB, exit 2) and left untouched", async () => {
    const target = await postgresDatabase({ empty: true })
    await queryPostgres(target, "CREATE TABLE customers (id int PRIMARY KEY, name text); INSERT INTO customers VALUES (1, 'Ada')")
    const copy = wsb(['db', 'copy', '--to', target, '--json'], { db: demo })
    expect(copy.code).toBe(2)
    expect(copy.json().error.code).toBe('DB_NOT_WSB')
    const relations = await queryPostgres<{ relname: string }>(target, "SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE nspname = 'public' ORDER BY relname")
    expect(relations.map((r) => r.relname)).toEqual(['customers', 'customers_pkey'])
    expect(await queryPostgres(target, 'SELECT * FROM customers')).toEqual([{ id: 1, name: 'Ada' }])
  }, 60_000)

  it('a bad URL, an unreachable server, a wrong password and a missing database: their codes and exits, the password never shown', async () => {
    const server = new URL(await postgresDatabase())
    const secret = 'n0t-the-Passw0rd'
    const cases: [string, string, number][] = [
      [`postgresql://wsb:${secret}@localhost:99999/wsb`, 'INVALID_INPUT', 2],
      [`postgresql://wsb:${secret}@127.0.0.1:1/wsb`, 'DB_UNREACHABLE', 1],
      [`postgresql://${server.username}:${secret}@${server.host}${server.pathname}`, 'DB_AUTH_FAILED', 2],
      [`postgresql://${server.username}:${server.password}@${server.host}/no_such_database_here`, 'DB_NOT_FOUND', 3],
    ]
    for (const [url, code, exit] of cases) {
      for (const json of [true, false]) {
        const copy = wsb(['db', 'copy', '--to', url, ...(json ? ['--json'] : [])], { db: demo })
        expect(copy.code, url).toBe(exit)
        if (json) expect(copy.json().error.code).toBe(code)
        else expect(copy.stderr).toContain(`[${code}]`)
        for (const out of [copy.stdout, copy.stderr]) {
          expect(out).not.toContain(secret)
          expect(out).not.toContain(decodeURIComponent(server.password))
        }
      }
    }
  }, 60_000)

  it('--to must be a PostgreSQL URL, --db a SQLite file that exists (exit 2, 2, 3)', async () => {
    const target = await postgresDatabase({ empty: true })
    const toFile = wsb(['db', 'copy', '--to', join(tempDir(), 'x.sqlite'), '--json'], { db: demo })
    expect([toFile.code, toFile.json().error.code]).toEqual([2, 'INVALID_INPUT'])
    const fromServer = wsb(['db', 'copy', '--to', target, '--json'], { db: await postgresDatabase() })
    expect([fromServer.code, fromServer.json().error.code]).toEqual([2, 'INVALID_INPUT'])
    expect(fromServer.json().error.message).toContain('pg_dump')
    const missing = tempDbPath()
    const fromNothing = wsb(['db', 'copy', '--to', target, '--json'], { db: missing })
    expect([fromNothing.code, fromNothing.json().error.code]).toEqual([3, 'NOT_FOUND'])
    expect(await queryPostgres(target, "SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE nspname = 'public'")).toEqual([])
  }, 60_000)

  it('a row the target refuses, in the last table copied, leaves the target empty (DB_COPY_FAILED, exit 1); once fixed, the same target takes the copy', async () => {
    const file = tempDbPath()
    const cli = (...args: string[]) => wsb([...args, '--json'], { db: file })
    expect(cli('workspace', 'create', 'Broken', '--mode', 'pooled').code).toBe(0)
    expect(cli('account', 'create', 'A', '--currency', 'USD').code).toBe(0)
    expect(cli('sub', 'add', 'A', '--item', 'users=10', '--item', 'locations=3').code).toBe(0)
    expect(cli('org', 'create', 'HQ').code).toBe(0)
    expect(cli('usage', 'record', '--org', 'HQ', '--product', 'users', '--delta', '4').code).toBe(0)
    // subscription_items is the last table copied; PostgreSQL text cannot hold NUL, SQLite's can.
    const sqlite = new Database(file)
    const last = sqlite.prepare('SELECT rowid, price_id FROM subscription_items ORDER BY rowid DESC LIMIT 1').get() as { rowid: number; price_id: string }
    sqlite.prepare('UPDATE subscription_items SET price_id = ? WHERE rowid = ?').run(`${last.price_id}\u0000`, last.rowid)
    sqlite.close()

    const target = await postgresDatabase({ empty: true })
    const copy = wsb(['db', 'copy', '--to', target, '--json'], { db: file })
    expect(copy.code).toBe(1)
    expect(copy.json().error.code).toBe('DB_COPY_FAILED')
    expect(copy.json().error.details.table).toBe('subscription_items')
    expect(copy.json().error.message).toContain('nothing was written to the target')
    // Migrated (it was empty), and not one row: every earlier table's rows were rolled back with it.
    expect(await counts(target)).toEqual(emptyCounts)

    const fix = new Database(file)
    fix.prepare('UPDATE subscription_items SET price_id = ? WHERE rowid = ?').run(last.price_id, last.rowid)
    fix.close()
    const again = wsb(['db', 'copy', '--to', target, '--json'], { db: file })
    expect(again.code).toBe(0)
    expect(again.json().copied.usage_ledger).toBe(1)
    expect(await postgresRows(target)).toEqual(sqliteRows(file))
  }, 60_000)

  it('a row whose parent is not in the file (a usage counter of a deleted org) is refused, naming the table and the key; the target stays empty with every foreign key in place', async () => {
    const file = tempDbPath()
    expect(wsb(['apply', '-f', '-'], { db: file, input: 'version: 1\nworkspace: { name: Orphan, mode: single }\norganizations: [ { name: Ops } ]\n' }).code).toBe(0)
    const sqlite = new Database(file)
    sqlite.pragma('foreign_keys = OFF')
    sqlite.prepare("INSERT INTO usage_levels (org_id, workspace_id, product, level, subtree) SELECT 'org_gone', id, 'users', 1, 1 FROM workspaces").run()
    sqlite.close()

    const target = await postgresDatabase({ empty: true })
    const copy = wsb(['db', 'copy', '--to', target, '--json'], { db: file })
    expect(copy.code).toBe(1)
    expect(copy.json().error.code).toBe('DB_COPY_FAILED')
    expect(copy.json().error.details.table).toBe('usage_levels')
    expect(copy.json().error.message).toMatch(/violates foreign key constraint "usage_levels_org_id_organizations_id_fk".*nothing was written to the target/)
    expect(await counts(target)).toEqual(emptyCounts)
    // The keys the copy set aside while it wrote are the migrated database's, every one.
    const migrated = await keys(await postgresDatabase())
    expect(migrated.length).toBeGreaterThan(20)
    expect(await keys(target)).toEqual(migrated)
  }, 60_000)

  it('a large table is copied before its indexes are built: the copy holds every row and exactly the migrated indexes and keys', async () => {
    const file = bigLedger(12_000)
    const target = await postgresDatabase({ empty: true })
    const copy = wsb(['db', 'copy', '--to', target, '--json'], { db: file })
    expect(copy.code, copy.stderr).toBe(0)
    expect(copy.json().copied.usage_ledger).toBe(12_000)
    expect(await postgresRows(target)).toEqual(sqliteRows(file))
    const migrated = await postgresDatabase()
    expect(await indexes(target)).toEqual(await indexes(migrated))
    expect(await keys(target)).toEqual(await keys(migrated))
    // The unique key is in force again: a claimed key cannot be claimed twice.
    await expect(queryPostgres(target, "INSERT INTO usage_ledger (workspace_id, org_id, product, kind, value, delta, outcome, level_after, key, at) SELECT workspace_id, org_id, product, kind, value, delta, outcome, level_after, key, at FROM usage_ledger WHERE key = 'k-2'")).rejects.toThrow(/usage_ledger_claimed_key/)
  }, 60_000)

  it('a large table whose rows break a unique key (a key claimed twice) is refused when its index is built, naming the table; the target stays empty with every index in place', async () => {
    const file = bigLedger(12_000)
    const sqlite = new Database(file)
    sqlite.exec("DROP INDEX usage_ledger_claimed_key; UPDATE usage_ledger SET key = 'k-2' WHERE key = 'k-3'")
    sqlite.close()
    const target = await postgresDatabase({ empty: true })
    const copy = wsb(['db', 'copy', '--to', target, '--json'], { db: file })
    expect(copy.code).toBe(1)
    expect(copy.json().error).toMatchObject({ code: 'DB_COPY_FAILED', details: { table: 'usage_ledger' } })
    expect(copy.json().error.message).toMatch(/usage_ledger_claimed_key.*nothing was written to the target/)
    expect(await counts(target)).toEqual(emptyCounts)
    expect(await indexes(target)).toEqual(await indexes(await postgresDatabase()))
  }, 60_000)

  it('orgs whose parents loop (each the parent of the other) are refused before anything is committed (DB_COPY_FAILED, exit 1), the target left empty', async () => {
    const file = tempDbPath()
    expect(wsb(['apply', '-f', '-'], { db: file, input: 'version: 1\nworkspace: { name: Loop, mode: single }\norganizations: [ { name: Ops }, { name: A }, { name: B } ]\n' }).code).toBe(0)
    const sqlite = new Database(file)
    sqlite.pragma('foreign_keys = OFF')
    sqlite.prepare("UPDATE organizations SET parent_id = (SELECT id FROM organizations WHERE name = 'B') WHERE name = 'A'").run()
    sqlite.prepare("UPDATE organizations SET parent_id = (SELECT id FROM organizations WHERE name = 'A') WHERE name = 'B'").run()
    sqlite.close()

    const target = await postgresDatabase({ empty: true })
    const copy = wsb(['db', 'copy', '--to', target, '--json'], { db: file })
    expect(copy.code).toBe(1)
    expect(copy.json().error).toMatchObject({ code: 'DB_COPY_FAILED', details: { table: 'organizations' } })
    expect(copy.json().error.message).toMatch(/2 rows of organizations have parents that loop.*nothing was written to the target/)
    expect(await counts(target)).toEqual(emptyCounts)
  }, 60_000)

  it('non-ASCII names, large amounts, NULLs, booleans and an org moved under a later one round-trip exactly', async () => {
    const file = tempDbPath()
    const cli = (...args: string[]) => wsb([...args, '--json'], { db: file })
    expect(cli('workspace', 'create', 'Ünïcødé 日本 🚀', '--mode', 'assigned', '--test-clock', '--clock-start', '2026-01-01T00:00:00Z').code).toBe(0)
    expect(cli('org', 'create', 'Zürich — Ölstraße').code).toBe(0)
    expect(cli('org', 'create', '東京 支社', '--parent', 'Zürich — Ölstraße').code).toBe(0)
    expect(cli('account', 'create', 'Société Générale «Ωmega»', '--currency', 'EUR', '--org', 'Zürich — Ölstraße', '--email', 'pay@example.com').code).toBe(0)
    // Beyond 2^32 minor units: money is bigint on PostgreSQL.
    expect(cli('price', 'set', 'users', '--currency', 'EUR', '--interval', 'month', '--unit-amount', '450359962737').code).toBe(0)
    expect(cli('sub', 'add', 'Société Générale «Ωmega»', '--item', 'users=2', '--no-trial').code).toBe(0)
    const credit = cli('account', 'credit', 'Société Générale «Ωmega»', '--amount', '999999999999999', '--note', 'crédit ✓')
    expect(credit.code).toBe(0)
    expect(cli('usage', 'record', '--org', 'Zürich — Ölstraße/東京 支社', '--product', 'users', '--delta', '2', '--key', 'clé-1').code).toBe(0)
    expect(cli('clock', 'advance', '--by', '1mo').code).toBe(0)
    // An org moved under one made after it: its parent's row comes later in the file, yet is copied first.
    expect(cli('org', 'create', 'Älter').code).toBe(0)
    expect(cli('org', 'create', 'Neuer').code).toBe(0)
    expect(cli('org', 'update', 'Älter', '--parent', 'Neuer').code).toBe(0)

    const target = await postgresDatabase({ empty: true })
    // One row per INSERT: each foreign key is checked row by row, as across the batches of a large file.
    const copy = wsb(['db', 'copy', '--to', target, '--batch-size', '1', '--json'], { db: file })
    expect(copy.stderr).toBe('')
    expect(copy.code).toBe(0)
    const fileRows = sqliteRows(file)
    expect(await postgresRows(target)).toEqual(fileRows)
    expect(fileRows.billing_accounts?.[0]?.name).toBe('Société Générale «Ωmega»')
    expect(fileRows.prices?.some((p) => p.unit_amount === '450359962737')).toBe(true)
    const invoices = (await queryPostgres<{ subtotal: string }>(target, 'SELECT subtotal::text FROM invoices'))
    // Two users at 450,359,962,737 = 900,719,925,474 minor units.
    expect(invoices.map((i) => i.subtotal)).toContain('900719925474')
    // The foreign keys set aside for the copy are all back, as the migrations made them.
    expect(await keys(target)).toEqual(await keys(await postgresDatabase()))
    for (const args of [['export', '--json'], ['account', 'show', 'Société Générale «Ωmega»', '--json'], ['invoice', 'list', '--json'], ['org', 'list', '--json'], ['events', '--json']]) {
      expect(wsb(args, { db: target }).stdout, args.join(' ')).toBe(wsb(args, { db: file }).stdout)
    }
  }, 60_000)
})

/** A file with `rows` usage ledger rows (written raw: how they were metered does not matter to a copy), so a copy takes seconds. */
function bigFile(rows: number): string {
  const file = tempDbPath()
  expect(wsb(['apply', '-f', '-'], { db: file, input: 'version: 1\nworkspace: { name: Big, mode: single }\norganizations: [ { name: Ops } ]\n' }).code).toBe(0)
  const db = new Database(file)
  db.prepare(
    `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ? - 1)
     INSERT INTO usage_ledger (workspace_id, org_id, product, kind, value, delta, outcome, reason, level_after, headroom_after, binding_kind, binding_id, key, at)
     SELECT o.workspace_id, o.id, 'users', 'delta', 1, 1, 'rejected', 'NO_BILLING_ACCOUNT', 0, NULL, NULL, NULL, 'k' || i, o.created_at FROM n, organizations o`,
  ).run(rows)
  db.close()
  return file
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Waits until wsb has migrated the target (its first step): the copy's transaction is next. */
async function migrated(url: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const rows = await queryPostgres<{ n: string }>(url, "SELECT count(*)::text AS n FROM pg_tables WHERE tablename = '__drizzle_migrations'")
    if (rows[0]?.n === '1') return
    await sleep(100)
  }
  throw new Error('db copy did not migrate the target within 30 s')
}

describe('Ctrl-C during db copy (issue 25)', () => {
  it('SIGINT: {error} INTERRUPTED with --json, exit 130, nothing written to the target (its copy rolled back)', async () => {
    const file = bigFile(100_000)
    const target = await postgresDatabase({ empty: true })
    const child = spawn(process.execPath, [WSB, 'db', 'copy', '--to', target, '--batch-size', '50', '--json'], { env: cleanEnv({ WSB_DB: file }), stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    await migrated(target)
    child.kill('SIGINT')
    expect(await exited).toBe(130)
    expect(stderr).toBe('')
    const error = JSON.parse(stdout).error
    expect(error).toMatchObject({ code: 'INTERRUPTED', details: { committed: false } })
    expect(error.message).toContain('nothing was written to the target')
    expect(await counts(target)).toEqual(emptyCounts)
  }, 120_000)

  it.runIf(hasTmux)(`Ctrl-C typed into a real terminal (tmux): the interruption said, exit 130, line wrap back on${noTmux}`, async () => {
    const file = bigFile(100_000)
    const target = await postgresDatabase({ empty: true })
    const tmux = new Tmux()
    try {
      const pane = tmux.start([process.execPath, WSB, 'db', 'copy', '--to', target, '--batch-size', '50'], { WSB_DB: file })
      // The progress bar turns line wrap off while it is shown.
      for (let i = 0; i < 300 && tmux.format(pane, '#{wrap_flag}') !== '0'; i++) await sleep(100)
      expect(tmux.format(pane, '#{wrap_flag}')).toBe('0')
      await migrated(target)
      tmux.sendKeys(pane, 'C-c')
      expect(await tmux.exited(pane)).toBe(130)
      const screen = tmux.capture(pane, true).join('\n')
      expect(screen).toContain('interrupted while copying table')
      expect(screen).toContain('[INTERRUPTED]')
      expect(tmux.format(pane, '#{wrap_flag}')).toBe('1')
      expect(await counts(target)).toEqual(emptyCounts)
    } finally {
      tmux.kill()
    }
  }, 120_000)
})
