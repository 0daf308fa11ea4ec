// The PostgreSQL tables, derived mechanically from the SQLite schema in
// ../schema/ (the one schema source, issue 13): same table, column, key and
// index names; types mapped one way each (see docs/development.md). Anything
// this cannot map throws when the module loads, naming the table and column,
// rather than guessing: a new SQLite feature must be taught here first.
import { Column, getTableColumns, is, SQL, StringChunk } from 'drizzle-orm'
import {
  bigint,
  boolean,
  customType,
  doublePrecision,
  foreignKey,
  getTableConfig as pgGetTableConfig,
  index,
  type PgColumnBuilderBase,
  pgTable,
  type PgTableWithColumns,
  primaryKey,
  text,
  unique,
  uniqueIndex,
} from 'drizzle-orm/pg-core'
import { getTableConfig, type SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core'

/** A derived table: columns under the same keys as the SQLite table's (typed loosely: built at run time). */
export type DerivedPgTable = PgTableWithColumns<any>

/**
 * JSON kept as the very text SQLite holds (JSON.stringify in, JSON.parse out,
 * as drizzle's SQLite text json mode does), so what wsb prints from it is
 * byte-identical on both engines; jsonb would reorder keys and drop duplicates.
 */
const jsonText = customType<{ data: unknown; driverData: string }>({
  dataType: () => 'text',
  toDriver: (value) => JSON.stringify(value),
  fromDriver: (value) => JSON.parse(value) as unknown,
})

const fail = (where: string, problem: string): never => {
  throw new Error(`cannot derive the PostgreSQL schema: ${where}: ${problem}`)
}

/** One SQLite column as a PostgreSQL column builder. */
function columnBuilder(tableName: string, column: SQLiteColumn): PgColumnBuilderBase {
  const where = `${tableName}.${column.name}`
  const config = column as SQLiteColumn & { enumValues?: string[]; length?: number }
  // Each pg-core builder has its own type; the chain below is the same for all.
  let builder: any
  let jsType: string
  switch (column.columnType) {
    case 'SQLiteText':
      if (config.length !== undefined) fail(where, `text(${config.length}) has a length, which has no mapping`)
      builder = config.enumValues ? text(column.name, { enum: config.enumValues as [string, ...string[]] }) : text(column.name)
      jsType = 'string'
      break
    case 'SQLiteTextJson':
      builder = jsonText(column.name)
      jsType = 'json'
      break
    case 'SQLiteInteger':
      // SQLite integers are 64-bit: ms timestamps and money exceed int4.
      builder = bigint(column.name, { mode: 'number' })
      // INTEGER PRIMARY KEY is SQLite's rowid, numbered by the database when absent.
      if (column.primary) builder = builder.generatedByDefaultAsIdentity()
      jsType = 'number'
      break
    case 'SQLiteBoolean':
      builder = boolean(column.name)
      jsType = 'boolean'
      break
    case 'SQLiteReal':
      builder = doublePrecision(column.name)
      jsType = 'number'
      break
    default:
      return fail(where, `SQLite column type ${column.columnType} (${column.getSQLType()}) has no mapping`)
  }
  if (column.generated) fail(where, 'generated columns have no mapping')
  if (column.primary) builder = builder.primaryKey()
  else if (column.notNull) builder = builder.notNull()
  if (column.isUnique) builder = builder.unique(column.uniqueName)
  if (column.default !== undefined) {
    if (is(column.default, SQL)) fail(where, 'an SQL default has no mapping')
    if (jsType !== 'json' && typeof column.default !== jsType) fail(where, `default ${JSON.stringify(column.default)} is not a ${jsType}`)
    builder = builder.default(column.default)
  }
  if (column.defaultFn) builder = builder.$defaultFn(column.defaultFn)
  if (column.onUpdateFn) builder = builder.$onUpdateFn(column.onUpdateFn)
  return builder as PgColumnBuilderBase
}

/** Words an index expression or predicate may hold; anything else may mean something else in PostgreSQL. */
const SQL_WORDS = new Set(['lower', 'upper', 'is', 'not', 'null', 'and', 'or', 'in', 'true', 'false'])

/** Checks a literal piece of an index expression or predicate, outside its quoted strings. */
function checkText(where: string, textPart: string): void {
  const bare = textPart.replace(/'(?:[^']|'')*'/g, "''")
  if (bare.split("'").length % 2 === 0) fail(where, `unbalanced quote in ${JSON.stringify(textPart)}`)
  for (const token of bare.match(/[A-Za-z_][A-Za-z_0-9]*|\d+|''|<>|!=|<=|>=|\S/g) ?? []) {
    if (/^(?:\d+|''|[(),=<>]|<>|!=|<=|>=)$/.test(token)) continue
    if (!SQL_WORDS.has(token.toLowerCase())) fail(where, `${JSON.stringify(token)} in ${JSON.stringify(textPart)} has no known PostgreSQL meaning here`)
  }
}

type Resolve = (column: SQLiteColumn) => unknown

/**
 * An index expression or predicate rewritten for PostgreSQL: the SQLite
 * table's columns replaced by the PostgreSQL table's, and a boolean column
 * compared with 1 or 0 (how SQLite stores booleans) compared with true or false.
 */
function translate(where: string, source: SQL, resolve: Resolve): SQL {
  const chunks: unknown[] = []
  const input = source.queryChunks
  for (let i = 0; i < input.length; i++) {
    const chunk = input[i]
    if (is(chunk, StringChunk)) {
      const value = chunk.value.join('')
      checkText(where, value)
      chunks.push(new StringChunk(value))
    } else if (is(chunk, SQL)) {
      chunks.push(translate(where, chunk, resolve))
    } else if (is(chunk, Column)) {
      const column = chunk as SQLiteColumn
      chunks.push(resolve(column))
      if (column.columnType !== 'SQLiteBoolean') continue
      const next = input[i + 1]
      const rest = is(next, StringChunk) ? next.value.join('') : ''
      const compared = /^\s*(=|<>|!=)\s*([01])(?![0-9])/.exec(rest)
      if (!compared) fail(where, `boolean column ${column.name} must be compared with = 1 or = 0 (SQLite's true and false), not ${JSON.stringify(rest)}`)
      const [, op, digit] = compared as RegExpExecArray
      const truth = (digit === '1') === (op === '=')
      const after = rest.slice((compared as RegExpExecArray)[0].length)
      checkText(where, after)
      chunks.push(new StringChunk(` = ${truth}${after}`))
      i++
    } else if (typeof chunk !== 'object' || chunk === null) {
      fail(where, `a bound value ${JSON.stringify(chunk)} has no mapping: write constants in the SQL text`)
    } else {
      fail(where, `an SQL part of kind ${(chunk as object)?.constructor?.name ?? typeof chunk} has no mapping (only columns and plain SQL text)`)
    }
  }
  return new SQL(chunks as SQL['queryChunks'])
}

/**
 * Every SQLite table among `schema`'s exports, derived, under the same export
 * names. Foreign keys and indexes are resolved lazily (drizzle builds them on
 * first use), so tables may reference each other in any order.
 */
export function derivePostgresTables<S extends Record<string, unknown>>(schema: S): { [K in keyof S as S[K] extends SQLiteTable ? K : never]: DerivedPgTable } {
  const derived = new Map<SQLiteTable, DerivedPgTable>()
  const out: Record<string, DerivedPgTable> = {}

  /** The PostgreSQL column standing for a SQLite one, in whichever table. */
  const pgColumnOf = (column: SQLiteColumn, where: string): unknown => {
    const table = derived.get(column.table as SQLiteTable)
    if (!table) return fail(where, `column ${column.name} belongs to table ${getTableConfig(column.table as SQLiteTable).name}, which is not in the schema`)
    const found = Object.values(getTableColumns(table) as Record<string, Column>).find((c) => c.name === column.name)
    return found ?? fail(where, `no column ${column.name}`)
  }

  for (const [exportName, value] of Object.entries(schema)) {
    if (!is(value, SQLiteTable)) continue
    const sqlite = value as SQLiteTable
    const config = getTableConfig(sqlite)
    const name = config.name
    if (config.checks.length > 0) fail(name, 'CHECK constraints have no mapping')
    const columns: Record<string, PgColumnBuilderBase> = {}
    for (const [key, column] of Object.entries(getTableColumns(sqlite))) columns[key] = columnBuilder(name, column as SQLiteColumn)

    const table = pgTable(name, columns, (self) => {
      const extras: unknown[] = []
      // Index columns must be the ones drizzle hands this callback (they carry index settings).
      const own = (column: SQLiteColumn, where: string): unknown => {
        if (column.table !== sqlite) return fail(where, `column ${column.name} is not a column of ${name}`)
        return Object.values(self as Record<string, Column>).find((c) => c.name === column.name) ?? fail(where, `no column ${column.name}`)
      }
      for (const pk of config.primaryKeys) {
        const cols = pk.columns.map((c) => pgColumnOf(c, `${name} primary key`))
        extras.push(primaryKey({ name: pk.getName(), columns: cols as never }))
      }
      for (const u of config.uniqueConstraints) {
        const cols = u.columns.map((c) => pgColumnOf(c, `${name} unique ${u.name}`))
        extras.push(unique(u.name).on(...(cols as [never, ...never[]])))
      }
      for (const fk of config.foreignKeys) {
        const ref = fk.reference()
        const fkName = fk.getName()
        const where = `${name} foreign key ${fkName}`
        let builder = foreignKey({
          name: fkName,
          columns: ref.columns.map((c) => pgColumnOf(c, where)) as never,
          foreignColumns: ref.foreignColumns.map((c) => pgColumnOf(c, where)) as never,
        })
        if (fk.onDelete) builder = builder.onDelete(fk.onDelete)
        if (fk.onUpdate) builder = builder.onUpdate(fk.onUpdate)
        extras.push(builder)
      }
      for (const ix of config.indexes) {
        const where = `${name} index ${ix.config.name}`
        const on = ix.config.columns.map((c) => (is(c, SQL) ? translate(where, c, (col) => own(col, where)) : own(c as SQLiteColumn, where)))
        let builder = (ix.config.unique ? uniqueIndex : index)(ix.config.name).on(...(on as [never, ...never[]]))
        if (ix.config.where) builder = builder.where(translate(where, ix.config.where, (col) => own(col, where)))
        extras.push(builder)
      }
      return extras as never
    })
    derived.set(sqlite, table as DerivedPgTable)
    out[exportName] = table as DerivedPgTable
  }
  // Building every table's constraints now: what cannot be mapped fails at load, not at first use.
  for (const table of Object.values(out)) pgTableConfig(table)
  return out as never
}

/** drizzle's description of a derived table (columns, keys, indexes). */
export const pgTableConfig = (table: DerivedPgTable) => pgGetTableConfig(table)
