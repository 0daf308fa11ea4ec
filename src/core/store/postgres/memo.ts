// Reads kept for the rest of one PostgreSQL transaction (Db.memo, issue 24):
// a renewal replayed 19 times in one preview read the same price, product
// names, seller, tax rates and account each time, one round trip apiece.
// A kept value is dropped as soon as a statement of the transaction writes a
// table it was read from: every statement text sent is classified here once
// (a read; a write of one table, with the columns an UPDATE sets; or anything
// else, which drops everything). A DELETE from a table other rows reference
// (ON DELETE CASCADE) drops everything too, as does the transaction's end.
// Values are frozen: a caller changing one would change what later calls get.

/** What a statement text may change: nothing, one table (some columns, or all: undefined), or anything. */
type Effect = { kind: 'read' } | { kind: 'table'; table: string; columns: readonly string[] | undefined } | { kind: 'any' }

const IDENT = '"?([A-Za-z_][A-Za-z0-9_]*)"?'
const INSERT = new RegExp(`^\\s*insert\\s+into\\s+(?:"?public"?\\.)?${IDENT}`, 'i')
const UPDATE = new RegExp(`^\\s*update\\s+(?:"?public"?\\.)?${IDENT}\\s+set\\s+([\\s\\S]*?)(?:\\s+where\\s|\\s+returning\\s|\\s+from\\s|$)`, 'i')
const DELETE = new RegExp(`^\\s*delete\\s+from\\s+(?:"?public"?\\.)?${IDENT}`, 'i')
/** Each column an UPDATE's SET clause assigns (a spurious match only drops more). */
const ASSIGNED = /(?:^|,)\s*"?([A-Za-z_][A-Za-z0-9_]*)"?\s*=/g

function classify(sql: string, cascadeParents: ReadonlySet<string>): Effect {
  // Several statements, or a function of wsb's own (wsb_meter_load writes), may change anything.
  if (/;\s*\S/.test(sql) || /\bwsb_\w*\s*\(/i.test(sql)) return { kind: 'any' }
  if (/^\s*select\s/i.test(sql)) return { kind: 'read' }
  const insert = INSERT.exec(sql)
  if (insert) return { kind: 'table', table: insert[1] as string, columns: undefined }
  const update = UPDATE.exec(sql)
  if (update) {
    const set = update[2] as string
    // SET (a, b) = (…): the columns are not listed one by one.
    if (/^\s*\(/.test(set)) return { kind: 'table', table: update[1] as string, columns: undefined }
    return { kind: 'table', table: update[1] as string, columns: [...set.matchAll(ASSIGNED)].map((m) => m[1] as string) }
  }
  const deleted = DELETE.exec(sql)
  if (deleted && !cascadeParents.has(deleted[1] as string)) return { kind: 'table', table: deleted[1] as string, columns: undefined }
  return { kind: 'any' }
}

/** A memo's dependency: a table ("prices": any change of it), or one column of it ("workspaces.seller"). */
export type MemoTables = readonly string[]

export type TransactionMemo = {
  get<T>(key: string, tables: MemoTables, load: () => Promise<T>): Promise<T>
  set<T>(key: string, tables: MemoTables, value: T): void
  /** Called with each statement text sent (or left to go later) inside the transaction. */
  wrote(sql: string): void
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
  const drop = (effect: Effect) => {
    if (effect.kind === 'read') return
    generation++
    if (effect.kind === 'any') return kept.clear()
    for (const [key, entry] of kept) {
      const hit = entry.tables.some((dep) => {
        const dot = dep.indexOf('.')
        if (dot < 0) return dep === effect.table
        return dep.slice(0, dot) === effect.table && (effect.columns === undefined || effect.columns.includes(dep.slice(dot + 1)))
      })
      if (hit) kept.delete(key)
    }
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
    wrote(sql) {
      let effect = effects.get(sql)
      if (effect === undefined) {
        effect = classify(sql, cascadeParents())
        if (effects.size < 2000) effects.set(sql, effect)
      }
      drop(effect)
    },
    clear() {
      generation++
      kept.clear()
    },
  }
}
