// What `wsb db copy` copies, and in which order: every table of the schema
// (store/schema/), read from the drizzle tables so a new table or column is
// copied without being listed here. Tables come parents first (each foreign key
// points at a table already copied); a table that references itself
// (organizations.parent_id) is read parents first too (copy.ts).
import { getTableName, is, Table } from 'drizzle-orm'
import { getTableConfig, type SQLiteTable } from 'drizzle-orm/sqlite-core'
import * as sqliteTables from './schema/index.js'
import { pgTables } from './postgres/schema.js'

/** How a value is sent to PostgreSQL: the type of its unnest array. */
export type CopyType = 'bigint' | 'text' | 'boolean' | 'double precision'

export type CopyTable = {
  name: string
  columns: { name: string; type: CopyType }[]
  /** A single-column foreign key to the table itself: rows are copied parents first. */
  selfParent: { column: string; references: string } | null
}

const COPY_TYPES = new Set<string>(['bigint', 'text', 'boolean', 'double precision'])

function copyTable(table: SQLiteTable): CopyTable {
  const name = getTableName(table)
  const twin = Object.values(pgTables).find((candidate) => getTableName(candidate) === name)
  if (!twin) throw new Error(`internal: no PostgreSQL table for ${name}`)
  const pgColumns = new Map(Object.values(twin).filter((c): c is { name: string; getSQLType(): string } => typeof c === 'object' && c !== null && 'getSQLType' in c).map((c) => [c.name, c.getSQLType()]))
  const config = getTableConfig(table)
  const columns = config.columns.map((column) => {
    const type = pgColumns.get(column.name)
    if (!type || !COPY_TYPES.has(type)) throw new Error(`internal: ${name}.${column.name} has PostgreSQL type ${type}, which db copy does not know`)
    return { name: column.name, type: type as CopyType }
  })
  let selfParent: CopyTable['selfParent'] = null
  for (const fk of config.foreignKeys) {
    const ref = fk.reference()
    if (getTableName(ref.foreignTable) !== name) continue
    if (ref.columns.length !== 1 || ref.foreignColumns.length !== 1) throw new Error(`internal: ${name} references itself through several columns`)
    selfParent = { column: (ref.columns[0] as { name: string }).name, references: (ref.foreignColumns[0] as { name: string }).name }
  }
  return { name, columns, selfParent }
}

/** Every table of the schema, each after the tables its foreign keys point at (then by name, for a stable order). */
export function copyPlan(): CopyTable[] {
  const tables = (Object.values(sqliteTables) as unknown[]).filter((t): t is SQLiteTable => is(t, Table))
  const parents = new Map(
    tables.map((t) => [getTableName(t), new Set(getTableConfig(t).foreignKeys.map((fk) => getTableName(fk.reference().foreignTable)).filter((p) => p !== getTableName(t)))]),
  )
  const byName = new Map(tables.map((t) => [getTableName(t), t]))
  const ordered: CopyTable[] = []
  const done = new Set<string>()
  while (done.size < byName.size) {
    const ready = [...byName.keys()].filter((n) => !done.has(n) && [...(parents.get(n) ?? [])].every((p) => done.has(p))).sort()
    if (ready.length === 0) throw new Error('internal: the schema\'s foreign keys form a cycle between tables')
    for (const n of ready) {
      ordered.push(copyTable(byName.get(n) as SQLiteTable))
      done.add(n)
    }
  }
  return ordered
}
