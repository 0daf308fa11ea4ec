// `wsb db copy`: a whole SQLite database into an empty PostgreSQL one (issue 13,
// "moving up"). All or nothing: the target is written in one transaction, which
// first locks every wsb table against writers and checks they are empty, and
// commits only once every table's row count equals the source's. The source is
// read in one read snapshot, so a process writing the file meanwhile cannot
// make the copy mix two states.
//
// Rows are streamed (an open SQLite cursor per table, never a whole table in
// memory) into one `COPY … FROM STDIN` per table (pg-copy-streams), in text
// format, written as the server takes them, with the foreign keys set aside
// and a large table's indexes built after its rows (as pg_restore does); progress is told every BATCH_ROWS
// (or --batch-size) rows. Integers are read as BigInt (exact beyond 2^53) and
// sent as decimal text; JSON columns are copied as the very text SQLite holds.
// Each row of a table listed in creation order keeps its SQLite rowid in
// PostgreSQL's `seq` column (Db.creationOrder), and every identity sequence is
// set past the copied values (and past SQLite's AUTOINCREMENT high-water mark),
// so later inserts get new ids.
import type Database from 'better-sqlite3'
import type pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import { ExitCode, WsbError, invalid, isWsbError, refused } from '../errors.js'
import { redact } from '../redact.js'
import { type CopyTable, type CopyType, copyPlan } from './copy-plan.js'
import type { Db } from './db.js'
import { openPostgres } from './postgres/open.js'

export const BATCH_ROWS = 5000

export type CopyProgress = (table: string, rows: number, totalRows: number) => void

export type CopiedTables = { copied: Record<string, number>; rows: number; target: string }

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`

/** A value of COPY's text format: backslash, tab, newline and carriage return escaped. */
const escaped = (value: string): string => (/[\\\t\n\r]/.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r')) : value)

/**
 * One SQLite value as a field of COPY's text format, for the column's type: \N for NULL.
 * Binary data (which wsb never writes) is undefined, for the caller to refuse naming the row.
 */
function copyField(value: unknown, type: CopyTable['columns'][number]['type']): string | undefined {
  if (value === null || value === undefined) return '\\N'
  if (typeof value === 'string') return escaped(value)
  if (typeof value === 'bigint') return type === 'boolean' ? (value === 0n ? 'f' : value === 1n ? 't' : String(value)) : String(value)
  if (Buffer.isBuffer(value)) return undefined
  if (type === 'boolean' && (value === 0 || value === 1)) return value === 1 ? 't' : 'f'
  // Anything else is sent as it is, for PostgreSQL to refuse with its own words.
  return escaped(String(value))
}

/** Rows of one source table, parents first when the table references itself. */
function sourceRows(sqlite: Database.Database, table: CopyTable): IterableIterator<unknown[]> {
  const columns = table.columns.map((c) => `t.${quote(c.name)}`).join(', ')
  const name = quote(table.name)
  let sql = `SELECT t.rowid, ${columns} FROM ${name} t ORDER BY t.rowid`
  if (table.selfParent) {
    const child = quote(table.selfParent.column)
    const parent = quote(table.selfParent.references)
    // Depth first from the roots; a row on a cycle (no root above it) comes last, for the target to refuse.
    sql = `WITH RECURSIVE depth(key, d) AS (
        SELECT ${parent}, 0 FROM ${name} WHERE ${child} IS NULL
        UNION ALL SELECT c.${parent}, depth.d + 1 FROM ${name} c JOIN depth ON c.${child} = depth.key)
      SELECT t.rowid, ${columns} FROM ${name} t LEFT JOIN (SELECT key, min(d) AS d FROM depth GROUP BY key) x ON x.key = t.${parent}
      ORDER BY coalesce(x.d, 9223372036854775807), t.rowid`
  }
  return sqlite.prepare(sql).safeIntegers(true).raw(true).iterate() as IterableIterator<unknown[]>
}

/** The table names among `tables` that hold at least one row. */
async function nonEmpty(client: pg.ClientBase, tables: CopyTable[]): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    tables.map((t) => `SELECT ${`'${t.name}'`} AS name WHERE EXISTS (SELECT 1 FROM ${quote(t.name)})`).join(' UNION ALL '),
  )
  return rows.map((r) => r.name).sort()
}

/** One table through COPY … FROM STDIN: the file's rows as text lines, written as fast as the server takes them. */
async function copyTableRows(client: pg.ClientBase, table: CopyTable, rows: Iterable<unknown[]>, ordered: boolean, every: number, counted: (n: number) => void): Promise<number> {
  const columns = [...(ordered ? ['seq'] : []), ...table.columns.map((c) => c.name)]
  const stream = client.query(copyFrom(`COPY ${quote(table.name)} (${columns.map(quote).join(', ')}) FROM STDIN`))
  const failed = new Promise<never>((_, reject) => stream.on('error', reject))
  failed.catch(() => undefined)
  let count = 0
  let chunk = ''
  const send = async () => {
    if (!stream.write(chunk)) await Promise.race([new Promise((resolve) => stream.once('drain', resolve)), failed])
    chunk = ''
  }
  try {
    const types = table.columns.map((c) => c.type)
    for (const row of rows) {
      let line = ordered ? `${String(row[0])}\t` : ''
      for (let c = 0; c < types.length; c++) {
        const field = copyField(row[c + 1], types[c] as CopyType)
        if (field === undefined)
          throw invalid(`${table.name}.${(table.columns[c] as CopyTable['columns'][number]).name} (rowid ${String(row[0])}) holds binary data, which wsb never writes; the file is not as wsb left it`, {}, 'DB_COPY_FAILED')
        line += c === 0 ? field : `\t${field}`
      }
      chunk += `${line}\n`
      count++
      if (chunk.length >= 1 << 16) await send()
      if (count % every === 0) counted(every)
    }
  } catch (error) {
    // A bad value or Ctrl-C (counted throws) mid-COPY: leave COPY mode (pg-copy-streams sends
    // CopyFail on destroy) and wait for the server's answer, or the connection stays in COPY
    // and the transaction's ROLLBACK waits behind it for ever.
    stream.destroy(error as Error)
    await failed.catch(() => undefined)
    await new Promise((resolve) => setImmediate(resolve))
    throw error
  }
  if (chunk) await send()
  await Promise.race([new Promise((resolve) => stream.end(resolve)), failed])
  if (count % every !== 0) counted(count % every)
  return count
}

type ForeignKey = { table: string; name: string; definition: string }

/**
 * The target's foreign keys, dropped for the copy inside its transaction and added back after it
 * (as pg_restore does): each is then checked in one pass over its table, where a key in place
 * checks every copied row on its own (10,000 orgs: 400 ms of 24,000 rows/s). A file whose rows
 * break one fails the copy at `addForeignKeys`, naming it, and the rollback restores the keys.
 */
async function dropForeignKeys(client: pg.ClientBase): Promise<ForeignKey[]> {
  const { rows } = await client.query<ForeignKey>(
    `SELECT c.conrelid::regclass::text AS "table", c.conname AS name, pg_get_constraintdef(c.oid) AS definition
     FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE c.contype = 'f' AND n.nspname = 'public' ORDER BY 1, 2`,
  )
  if (rows.length > 0) await client.query(rows.map((fk) => `ALTER TABLE ${fk.table} DROP CONSTRAINT ${quote(fk.name)}`).join('; '))
  return rows
}

async function addForeignKeys(client: pg.ClientBase, keys: ForeignKey[]): Promise<void> {
  if (keys.length > 0) await client.query(keys.map((fk) => `ALTER TABLE ${fk.table} ADD CONSTRAINT ${quote(fk.name)} ${fk.definition}`).join('; '))
}

/**
 * Rows of a table that references itself (an org's parent) whose chain of parents loops instead
 * of reaching a row without one. The keys pass them (every parent is there); checked row by row
 * in parents-first order they were refused, and a damaged file's loop still is, before the commit.
 */
async function rowsOnLoops(client: pg.ClientBase, table: CopyTable): Promise<number> {
  if (!table.selfParent) return 0
  const [name, child, parent] = [quote(table.name), quote(table.selfParent.column), quote(table.selfParent.references)]
  const { rows } = await client.query<{ n: string }>(
    `WITH RECURSIVE placed AS (SELECT ${parent} AS key FROM ${name} WHERE ${child} IS NULL
       UNION ALL SELECT t.${parent} FROM ${name} t JOIN placed p ON t.${child} = p.key)
     SELECT ((SELECT count(*) FROM ${name}) - (SELECT count(*) FROM placed))::text AS n`,
  )
  return Number(rows[0]?.n ?? 0)
}

/** The identity columns of every table of the target, by table (one catalog read, not one per table). */
async function identityColumns(client: pg.ClientBase): Promise<Map<string, string[]>> {
  const { rows } = await client.query<{ table_name: string; column_name: string }>(
    `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' AND is_identity = 'YES' ORDER BY table_name, column_name`,
  )
  const byTable = new Map<string, string[]>()
  for (const row of rows) byTable.set(row.table_name, [...(byTable.get(row.table_name) ?? []), row.column_name])
  return byTable
}

const literal = (text: string) => `'${text.replace(/'/g, "''")}'`

/**
 * Every identity column of the table (its seq and, on the ledger and such, its id) set past the
 * copied values: its setval, for one statement that sets them all.
 */
function sequenceSettings(sqlite: Database.Database, table: CopyTable, columns: string[]): string[] {
  if (columns.length === 0) return []
  const hasSequenceTable = sqlite.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'`).get() !== undefined
  // AUTOINCREMENT never reuses an id, even of a deleted row: its high-water mark is kept.
  const highWater = hasSequenceTable ? ((sqlite.prepare('SELECT seq FROM sqlite_sequence WHERE name = ?').safeIntegers(true).get(table.name) as { seq: bigint } | undefined)?.seq ?? 0n) : 0n
  return columns.map(
    (column) =>
      `setval(pg_get_serial_sequence(${literal(`public.${quote(table.name)}`)}, ${literal(column)}), greatest((SELECT coalesce(max(${quote(column)}), 0) FROM ${quote(table.name)}), ${String(column === 'seq' ? 0n : highWater)}::bigint) + 1, false)`,
  )
}

/** Tables of at least this many rows are copied without their indexes, which are then built in one pass each. */
export const BULK_ROWS = 5000

type Index = { table: string; drop: string; create: string }

/**
 * The indexes of `table` (its primary and unique keys too), dropped while its rows are copied
 * and built again after (as pg_restore does): one sort per index instead of a descent per row.
 * Only while the foreign keys are set aside (no key can depend on them); a row that breaks a
 * unique key then fails the copy when the key is built again, naming the table.
 */
async function dropIndexes(client: pg.ClientBase, table: string): Promise<Index[]> {
  const { rows } = await client.query<{ name: string; constraint: boolean; definition: string }>(
    `SELECT coalesce(c.conname, i.relname) AS name, c.oid IS NOT NULL AS "constraint",
       CASE WHEN c.oid IS NOT NULL THEN pg_get_constraintdef(c.oid) ELSE pg_get_indexdef(i.oid) END AS definition
     FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
     LEFT JOIN pg_constraint c ON c.conindid = i.oid AND c.conrelid = x.indrelid AND c.contype IN ('p', 'u', 'x')
     WHERE x.indrelid = $1::regclass ORDER BY 1`,
    [`public.${quote(table)}`],
  )
  const indexes = rows.map((r) => ({
    table,
    drop: r.constraint ? `ALTER TABLE public.${quote(table)} DROP CONSTRAINT ${quote(r.name)}` : `DROP INDEX public.${quote(r.name)}`,
    create: r.constraint ? `ALTER TABLE public.${quote(table)} ADD CONSTRAINT ${quote(r.name)} ${r.definition}` : r.definition,
  }))
  if (indexes.length > 0) await client.query(indexes.map((i) => i.drop).join('; '))
  return indexes
}

async function buildIndexes(client: pg.ClientBase, indexes: Index[]): Promise<void> {
  if (indexes.length > 0) await client.query(indexes.map((i) => i.create).join('; '))
}

/** A failure while writing the target, said as one line (the target is left as it was). */
function copyFailure(error: unknown, table: string, display: string): WsbError {
  if (isWsbError(error)) return error
  const message = redact(((error as Error)?.message ?? String(error)).replace(/\s+/g, ' ').trim())
  const code = (error as { code?: string })?.code
  return new WsbError('DB_COPY_FAILED', `copying table ${table} into ${display} failed (${message}); nothing was written to the target`, ExitCode.unexpected, {
    table,
    target: display,
    ...(code ? { cause: code } : {}),
  })
}

/**
 * Copies the SQLite database `source` into the PostgreSQL database at `targetUrl`
 * (migrated first when it is empty; refused when it is not wsb's, is newer, or
 * holds any wsb row). Returns the rows copied per table once committed and
 * analyzed; `afterCommit` (the caller's checks, on connections of their own)
 * runs while the target's tables are analyzed.
 */
export async function copySqliteToPostgres(
  source: Db,
  targetUrl: string,
  options: { progress?: CopyProgress; batchRows?: number; afterCommit?: (copied: CopiedTables) => Promise<void> } = {},
): Promise<CopiedTables> {
  const progress = options.progress ?? (() => {})
  const batchRows = options.batchRows ?? BATCH_ROWS
  const sqlite = source.sqlite
  const plan = copyPlan()
  const handle = await openPostgres(targetUrl, { max: 1, analyze: false })
  const display = handle.url.display
  let client: pg.PoolClient | undefined
  try {
    try {
      client = await handle.pool.connect()
    } catch (error) {
      throw copyFailure(error, plan[0]?.name ?? '', display)
    }
    const target = client
    const copied = await source.read(
      async () => {
        const counts = new Map(plan.map((t) => [t.name, Number((sqlite.prepare(`SELECT count(*) FROM ${quote(t.name)}`).pluck().safeIntegers(true).get() as bigint))]))
        const totalRows = [...counts.values()].reduce((a, b) => a + b, 0)
        let table = plan[0]?.name ?? ''
        await target.query('BEGIN')
        try {
          // Writers wait; readers do not. Two copies into one database: the second finds the first's rows.
          await target.query(`LOCK TABLE ${plan.map((t) => quote(t.name)).join(', ')} IN EXCLUSIVE MODE`)
          const occupied = await nonEmpty(target, plan)
          if (occupied.length > 0)
            throw invalid(
              `${display} already holds wsb data (in ${occupied.slice(0, 5).join(', ')}${occupied.length > 5 ? ', …' : ''}); db copy writes only into an empty database: create a new one`,
              { target: display, tables: occupied },
              'DB_NOT_EMPTY',
            )
          const copied: Record<string, number> = {}
          // The tables the core lists in creation order: their rows keep the file's rowid as seq.
          const identities = await identityColumns(target)
          const ordered = new Set([...identities].filter(([, columns]) => columns.includes('seq')).map(([name]) => name))
          const foreignKeys = await dropForeignKeys(target)
          let done = 0
          const sequences: string[] = []
          for (const t of plan) {
            table = t.name
            const indexes = (counts.get(t.name) ?? 0) >= BULK_ROWS ? await dropIndexes(target, t.name) : []
            const cursor = sourceRows(sqlite, t)
            let rows: number
            try {
              rows = await copyTableRows(target, t, cursor, ordered.has(t.name), batchRows, (n) => {
                done += n
                progress(t.name, done, totalRows)
              })
            } finally {
              cursor.return?.()
            }
            await buildIndexes(target, indexes)
            sequences.push(...sequenceSettings(sqlite, t, identities.get(t.name) ?? []))
            copied[t.name] = rows
          }
          if (sequences.length > 0) await target.query(`SELECT ${sequences.join(', ')}`)
          await addForeignKeys(target, foreignKeys).catch((error: unknown) => {
            // A row without its parent: the error names the table that holds it.
            table = (error as { table?: string }).table ?? table
            throw error
          })
          for (const t of plan) {
            const looping = await rowsOnLoops(target, t)
            table = t.name
            if (looping > 0) throw new Error(`${looping} rows of ${t.name} have parents that loop back to them instead of reaching a top-level row`)
          }
          // The first check, before anything is committed: every table holds as many rows as the source's.
          const { rows: targetCounts } = await target.query<{ name: string; n: string }>(
            plan.map((t) => `SELECT '${t.name}' AS name, count(*)::text AS n FROM ${quote(t.name)}`).join(' UNION ALL '),
          )
          const differ = targetCounts.filter((r) => Number(r.n) !== counts.get(r.name))
          if (differ.length > 0)
            throw refused('COPY_CHECK_FAILED', `the copy's row counts differ from the source's (${differ.map((r) => `${r.name}: ${r.n} of ${counts.get(r.name)}`).join(', ')}); nothing was written to the target`, {
              check: 'rowCounts',
              tables: differ.map((r) => ({ table: r.name, source: counts.get(r.name), target: Number(r.n) })),
            })
          await target.query('COMMIT')
          return { copied, rows: totalRows, target: display }
        } catch (error) {
          await target.query('ROLLBACK').catch(() => undefined)
          throw copyFailure(error, table, display)
        }
      },
      { queryOnly: true },
    )
    // The copied tables' statistics now, not when autovacuum gets to them: the first commands are
    // planned on what the tables hold. The tables that hold many rows have their row counts
    // already (their indexes were built after the rows), for the caller's checks meanwhile.
    const analyzed = target.query('ANALYZE').then(
      () => undefined,
      () => undefined,
    )
    try {
      await options.afterCommit?.(copied)
    } finally {
      await analyzed
    }
    return copied
  } finally {
    client?.release()
    await handle.close().catch(() => undefined)
  }
}
