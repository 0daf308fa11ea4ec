// What the PostgreSQL metering store (meter-store.ts) keeps of a workspace
// between batches, so that a batch's load (wsb_meter_load, migrations/postgres/
// 0017) answers only what the process does not hold yet:
//   - the orgs it has met, their names and parents, and the accounts serving the
//     top-level ones, while the workspace's tree version stays the same (every
//     change of an org or of an account's org bumps it), with what each
//     reference resolved to;
//   - the counter rows (usage_levels, pool_usage) as this process last read or
//     wrote them, and the transactions it wrote them in (`mine`): the load sends
//     back only the rows whose current version another transaction wrote, so a
//     row this process wrote last is taken from here. The invariant: every row
//     whose current version a transaction in `mine` wrote holds here the values
//     it wrote. Rows are written only by the metering stores, a rolled-back
//     transaction clears the whole cache (its writes were put here at persist),
//     and `mine` is cleared with the rows.
//   - capacity, limits, alerts and products as last read, to tell whether
//     anything a Meter caches changed since (then a new Meter is made).

export type OrgRow = { id: string; name: string; parent_id: string | null }
/** A counter row's values after its keys: level, subtree, roll_hour, peak, accepted, rejected ×3, sub_peak, sub_accepted, sub_rejected ×3, roll_limit, roll_capacity. */
export type CounterNumbers = (number | null)[]
/** A pool row's values after its keys: used, roll_hour, peak, accepted, rejected ×3, roll_capacity. */
export type PoolNumbers = (number | null)[]

/** Names folded as sameName compares them (core/names.ts); SQLite's A-Z-only folding is finer, so this finds a superset. */
export const fold = (text: string) => text.trim().toLowerCase()
/** SQLite's lower(): A-Z only, as the SQLite store compares names. */
export const asciiLower = (text: string) => (/[A-Z]/.test(text) ? text.replace(/[A-Z]/g, (c) => c.toLowerCase()) : text)
export const key = (a: string, b: string) => `${a}\u0000${b}`

const add = (target: Map<string, OrgRow[]>, name: string, row: OrgRow) => {
  const list = target.get(name)
  if (list) list.push(row)
  else target.set(name, [row])
}

/** The orgs met at one tree version, indexed as the Meter's lookups need them. */
export class Tree {
  readonly orgs: OrgRow[] = []
  readonly byId = new Map<string, OrgRow>()
  /** By folded name (candidates), by SQLite's lower() (the Meter's lookups), and each under its parent. */
  readonly byName = new Map<string, OrgRow[]>()
  readonly bySqliteName = new Map<string, OrgRow[]>()
  readonly byParentAndName = new Map<string, OrgRow[]>()
  readonly byParentAndFold = new Map<string, OrgRow[]>()
  /** The account serving each top-level org met (assigned mode). */
  readonly accounts = new Map<string, string>()
  /** What each reference resolved to: every org it could name. */
  readonly resolved = new Map<string, string[]>()

  constructor(readonly version: number) {}

  addOrg(id: string, name: string, parent: string | null): void {
    if (this.byId.has(id)) return
    const row: OrgRow = { id, name, parent_id: parent }
    this.orgs.push(row)
    this.byId.set(id, row)
    const lowered = asciiLower(row.name)
    const folded = fold(row.name)
    add(this.byName, folded, row)
    add(this.bySqliteName, lowered, row)
    add(this.byParentAndName, `${row.parent_id ?? ''}\u0000${lowered}`, row)
    add(this.byParentAndFold, `${row.parent_id ?? ''}\u0000${folded}`, row)
  }

  /** The org and its ancestors, the org first. */
  chain(orgId: string): string[] {
    const chain: string[] = []
    for (let row = this.byId.get(orgId); row; row = row.parent_id === null ? undefined : this.byId.get(row.parent_id)) chain.push(row.id)
    return chain
  }

  /**
   * Every org a reference could resolve to — by id, by name, or by a path "A/B"
   * walked from the top — compared folded (trimmed, lower-cased beyond ASCII):
   * a superset of the Meter's answer, which compares the same names more strictly.
   */
  candidates(ref: string): string[] {
    const byId = this.byId.get(ref)
    const found: string[] = byId ? [ref] : []
    const parts = ref.split('/')
    if (parts.length === 1) {
      for (const row of this.byName.get(fold(ref)) ?? []) if (row !== byId) found.push(row.id)
      return found
    }
    let walk = this.byParentAndFold.get(`\u0000${fold(parts[0] as string)}`) ?? []
    for (let i = 1; i < parts.length; i++) {
      const name = fold(parts[i] as string)
      walk = walk.flatMap((parent) => this.byParentAndFold.get(`${parent.id}\u0000${name}`) ?? [])
    }
    for (const row of walk) if (row !== byId) found.push(row.id)
    return found
  }
}

const sameNumbers = (a: readonly (number | null)[], b: readonly (number | null)[]): boolean => {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** A workspace's state as this process holds it. */
export class WorkspaceCache {
  tree: Tree | undefined
  /** Counter rows by key(org, product): null when known not to exist. */
  readonly counters = new Map<string, CounterNumbers | null>()
  readonly pools = new Map<string, PoolNumbers | null>()
  /** Per org, its limits as last read (JSON text of [product, limit] pairs). */
  readonly limits = new Map<string, string>()
  /** Per pool, its capacity rows as last read (JSON text). */
  readonly capacity = new Map<string, string>()
  alerts: string | undefined
  /** Whether each product asked for existed when last read. */
  readonly products = new Map<string, boolean>()
  /** Transactions of this process that wrote counter rows kept here (32-bit xids), and the full id of the oldest. */
  mine: number[] = []
  mineSince = 0

  /** Forgets the rows and the transactions that wrote them (always together: see the invariant above). */
  forgetRows(): void {
    this.counters.clear()
    this.pools.clear()
    this.mine = []
  }

  /** A counter row as loaded: true when it differs from what a Meter may hold of it. */
  counterLoaded(k: string, values: CounterNumbers): boolean {
    const held = this.counters.get(k)
    this.counters.set(k, values)
    return held !== undefined && (held === null || !sameNumbers(held, values))
  }

  poolLoaded(k: string, values: PoolNumbers): boolean {
    const held = this.pools.get(k)
    this.pools.set(k, values)
    return held !== undefined && (held === null || !sameNumbers(held, values))
  }

  /** A value read again (limits, capacity): true when it differs from what was last read. */
  static changed(map: Map<string, string>, k: string, text: string): boolean {
    const held = map.get(k)
    map.set(k, text)
    return held !== undefined && held !== text
  }

  /** The current transaction, to be counted as this process's own; an old list is dropped long before xids wrap. */
  noteTransaction(xid8: number): void {
    if (this.mine.length === 0 || xid8 - this.mineSince > 2 ** 30) {
      if (this.mine.length > 0) this.forgetRows()
      this.mineSince = xid8
    }
    const xid = xid8 % 2 ** 32
    if (this.mine.at(-1) !== xid) this.mine.push(xid)
    // The last ones are enough: a row written by an older one is only sent again.
    if (this.mine.length > MAX_MINE) this.mine.splice(0, this.mine.length - MAX_MINE)
  }

  /** Counter and pool rows held: the cache is dropped beyond a bound. */
  get size(): number {
    return this.counters.size + this.pools.size + (this.tree?.orgs.length ?? 0)
  }
}

const MAX_MINE = 200
