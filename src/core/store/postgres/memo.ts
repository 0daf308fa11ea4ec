// Reads kept for the rest of one PostgreSQL transaction (Db.memo, issue 24):
// a renewal replayed 19 times in one preview read the same price, product
// names, seller, tax rates, account and subscription each time, one round trip
// apiece. A kept value is dropped as soon as a statement of the transaction
// may have changed what it read: every statement text sent is classified here
// once (a read; a write of one table, with the columns an UPDATE sets, the one
// key an UPDATE or DELETE is limited to, the values a one-row INSERT gives; or
// anything else, which drops everything). A DELETE from a table other rows
// reference (ON DELETE CASCADE) drops everything too, as does the
// transaction's end. Values are frozen: a caller changing one would change
// what later calls get.

/** A statement's text, classified: what it may change, its values named by their $n. */
type Effect =
  | { kind: 'read' }
  | { kind: 'any' }
  | {
      kind: 'table'
      table: string
      /** The columns an UPDATE sets; undefined: whole rows (INSERT, DELETE, or not known). */
      columns: readonly string[] | undefined
      /** An UPDATE or DELETE limited to `column = $param` alone. */
      key?: { column: string; param: number }
      /** A one-row INSERT: each column given as a $param. */
      inserted?: ReadonlyMap<string, number>
    }

/** A write as it happened: its table, and what limits it (values resolved). */
type Write = Extract<Effect, { kind: 'table' }> & { keyValue?: string; insertedValues?: ReadonlyMap<string, string> }

const NAME = '"?([A-Za-z_][A-Za-z0-9_]*)"?'
const TABLE = `(?:"?public"?\\.)?${NAME}`
const INSERT = new RegExp(`^\\s*insert\\s+into\\s+${TABLE}\\s*(?:\\(([^()]*)\\)\\s*values\\s*\\(([^()]*)\\)\\s*(on\\s+conflict\\s+do\\s+nothing\\s*)?(?:returning\\s[\\s\\S]*)?$)?`, 'i')
const UPDATE = new RegExp(`^\\s*update\\s+${TABLE}\\s+set\\s+([\\s\\S]*?)(?:\\s+where\\s+([\\s\\S]*?))?(?:\\s+returning\\s[\\s\\S]*)?$`, 'i')
const DELETE = new RegExp(`^\\s*delete\\s+from\\s+${TABLE}(?:\\s+where\\s+([\\s\\S]*?))?(?:\\s+returning\\s[\\s\\S]*)?$`, 'i')
/** A WHERE of one equality: ("t"."id" = $3), id = $1. */
const ONE_KEY = new RegExp(`^\\(?\\s*(?:${NAME}\\.)?${NAME}\\s*=\\s*\\$([0-9]+)\\s*\\)?$`)
/** Each column an UPDATE's SET clause assigns (a spurious match only drops more). */
const ASSIGNED = /(?:^|,)\s*"?([A-Za-z_][A-Za-z0-9_]*)"?\s*=/g

const keyOf = (where: string | undefined): { column: string; param: number } | undefined => {
  const m = where === undefined ? null : ONE_KEY.exec(where.trim())
  return m ? { column: m[2] as string, param: Number(m[3]) } : undefined
}

/** `sql` uses $n placeholders. */
function classify(sql: string, cascadeParents: ReadonlySet<string>): Effect {
  // Several statements, or a function of wsb's own (wsb_meter_load writes), may change anything.
  if (/;\s*\S/.test(sql) || /\bwsb_\w*\s*\(/i.test(sql)) return { kind: 'any' }
  if (/^\s*select\s/i.test(sql)) return { kind: 'read' }
  const insert = INSERT.exec(sql)
  if (insert) {
    const table = insert[1] as string
    const names = insert[2]?.split(',').map((c) => c.trim().replace(/^"|"$/g, ''))
    const values = insert[3]?.split(',').map((v) => v.trim())
    if (!names || !values || names.length !== values.length || insert[3]?.includes("'")) return { kind: 'table', table, columns: undefined }
    const inserted = new Map<string, number>()
    names.forEach((name, i) => {
      const param = /^\$([0-9]+)$/.exec(values[i] as string)
      if (param) inserted.set(name, Number(param[1]))
    })
    return { kind: 'table', table, columns: undefined, inserted }
  }
  const update = UPDATE.exec(sql)
  if (update) {
    const table = update[1] as string
    const set = update[2] as string
    // SET (a, b) = (…), or a subquery (whose WHERE would cut the clause short): the columns are not known.
    if (/^\s*\(/.test(set) || /\bselect\b/i.test(set)) return { kind: 'table', table, columns: undefined }
    return { kind: 'table', table, columns: [...set.matchAll(ASSIGNED)].map((m) => m[1] as string), key: keyOf(update[3]) }
  }
  const deleted = DELETE.exec(sql)
  if (deleted && !cascadeParents.has(deleted[1] as string)) return { kind: 'table', table: deleted[1] as string, columns: undefined, key: keyOf(deleted[2]) }
  return { kind: 'any' }
}

/** Whether `write` may change what a memo that names `dep` read. */
function touches(dep: string, write: Write): boolean {
  const hash = dep.indexOf('#')
  const dot = dep.indexOf('.')
  const table = dep.slice(0, hash >= 0 ? hash : dot >= 0 ? dot : dep.length)
  if (table !== write.table) return false
  // A table's column: changed by an UPDATE that sets it, or by any INSERT or DELETE.
  if (hash < 0 && dot >= 0) return write.columns === undefined || write.columns.includes(dep.slice(dot + 1))
  if (hash < 0) return true
  // The rows where column = value: spared only by a write that is sure to be about other rows.
  const eq = dep.indexOf('=', hash)
  const column = dep.slice(hash + 1, eq)
  const value = dep.slice(eq + 1)
  if (write.insertedValues) {
    const given = write.insertedValues.get(column)
    return given === undefined || given === value
  }
  if (write.key?.column === column && write.keyValue !== undefined)
    return write.keyValue === value || (write.columns !== undefined && write.columns.includes(column))
  return true
}

/**
 * A memo's dependencies: a table ("prices": any write of it), one column of it
 * ("workspaces.seller"), or its rows where one column has one value
 * ("subscriptions#id=sub_1", "invoices#account_id=acct_1").
 */
export type MemoTables = readonly string[]

export type TransactionMemo = {
  get<T>(key: string, tables: MemoTables, load: () => Promise<T>): Promise<T>
  set<T>(key: string, tables: MemoTables, value: T): void
  /** Called with each statement sent or left to go later (its text with $n placeholders, and its values). */
  wrote(sql: string, params: readonly unknown[]): void
  clear(): void
}

const freeze = <T>(value: T): T => {
  if (Array.isArray(value)) for (const row of value) Object.freeze(row)
  return Object.freeze(value)
}

/** `cascadeParents`: the tables a foreign key points at (a delete from one may change others), asked on first need. */
export function transactionMemo(cascadeParents: () => ReadonlySet<string>): TransactionMemo {
  const effects = new Map<string, Effect>()
  const kept = new Map<string, { tables: MemoTables; value: unknown }>()
  // Bumped by every drop: a load that a write overtook is not kept.
  let generation = 0
  const drop = (effect: Effect, params: readonly unknown[]) => {
    if (effect.kind === 'read') return
    generation++
    if (effect.kind === 'any') return kept.clear()
    const value = (param: number) => (params[param - 1] === undefined || params[param - 1] === null ? undefined : String(params[param - 1]))
    const write: Write = { ...effect }
    if (effect.key) write.keyValue = value(effect.key.param)
    if (effect.inserted) {
      const given = new Map<string, string>()
      for (const [column, param] of effect.inserted) {
        const v = value(param)
        if (v !== undefined) given.set(column, v)
      }
      write.insertedValues = given
    }
    for (const [key, entry] of kept) if (entry.tables.some((dep) => touches(dep, write))) kept.delete(key)
  }
  return {
    async get<T>(key: string, tables: MemoTables, load: () => Promise<T>): Promise<T> {
      const entry = kept.get(key)
      if (entry) return entry.value as T
      const before = generation
      const value = freeze(await load())
      if (generation === before) kept.set(key, { tables, value })
      return value
    },
    set(key, tables, value) {
      kept.set(key, { tables, value: freeze(value) })
    },
    wrote(sql, params) {
      let effect = effects.get(sql)
      if (effect === undefined) {
        effect = classify(sql, cascadeParents())
        if (effects.size < 2000) effects.set(sql, effect)
      }
      drop(effect, params)
    },
    clear() {
      generation++
      kept.clear()
    },
  }
}
