// The metering hot path on PostgreSQL. The Meter (core/usage/meter.ts) is
// synchronous, which keeps SQLite's prepared-statement path as it is; on
// PostgreSQL every query is a round trip, so this store works in three steps
// around it, inside one `write` transaction that runs READ COMMITTED (db.ts:
// a write whose first statement is this load):
//   load    — one call, wsb_meter_load (migrations/postgres/0013), takes the
//             workspace's metering lock shared, locks the counter rows the
//             batch's reports check (pools' rows, then the orgs' rows along each
//             reported org's chain, each in key order, so batches queue on them
//             instead of failing), then reads capacity, limits, alerts and
//             claimed keys — after the locks, so they are current while held —
//             and reserves the batch's ledger ids;
//   report  — the Meter runs its statements against what was loaded (memory);
//   persist — one statement writes the ledger rows and the changed counters.
//             A counter row that did not exist at load is inserted only if no
//             other batch made it meanwhile; otherwise the batch runs again.
//             An idempotency key is claimed by the ledger's unique index: a
//             concurrent claim makes the later batch fail (23505) and run
//             again, and it then replays.
// What the reports' references resolve to is kept between batches, per
// workspace, while its tree version (wsb_tree_versions, bumped by triggers on
// every change of an org or of an account's org) stays the same: a batch then
// sends the orgs it already knows instead of their names.
import type { Db } from '../db.js'
import {
  type AlertFiredValues,
  type AlertRow,
  type ClaimedRow,
  COUNTER_ROLL_COLUMNS,
  type CounterRow,
  type CounterValues,
  type MeterReport,
  type MeterStore,
  ORG_ROLLUP_MERGE,
  type OrgRollupValues,
  POOL_ROLL_COLUMNS,
  POOL_ROLLUP_MERGE,
  type PoolRollupValues,
  type PoolRow,
  type PoolValues,
  REJECTION_BINDING_MERGE,
  type RejectionBindingValues,
} from '../meter-store.js'

type OrgRow = { id: string; name: string; parent_id: string | null }
type CapacityRow = { accountId: string; product: string; quantity: number }

type Loaded = {
  stale?: true
  v: number
  orgs: [string, string, string | null][]
  accounts: [string, string][]
  products: string[]
  pools: [string, string, number, number | null, number, number, number, number, number, number | null][]
  counters: [string, string, number, number, number | null, number, number, number, number, number, number, number, number, number, number, number | null, number | null][]
  capacity: [string, string, number][]
  limits: [string, string, number][]
  alerts: [string, string, string, string, number, number][]
  claimed: [number, string, string, string, number, number, number, number | null, string | null, string | null, number, string][]
  first: number | null
}

const set = (columns: string, from: string) =>
  columns
    .split(',')
    .map((c) => `${c.trim()} = ${from}.${c.trim()}`)
    .join(', ')
const COUNTER_COLUMNS = `org_id, workspace_id, product, level, subtree, ${COUNTER_ROLL_COLUMNS}`
const COUNTER_TYPES = '?::text[], ?::text[], ?::text[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[]'
const POOL_COLUMNS = `pool_id, workspace_id, product, used, ${POOL_ROLL_COLUMNS}`
const POOL_TYPES = '?::text[], ?::text[], ?::text[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[]'

/**
 * The parts of the one statement that writes a batch: the ledger rows, the
 * counters (rows locked at load updated, new ones inserted unless another batch
 * made them first), the finished hours, rejection bindings and alerts. A part
 * is in the statement only when the batch has rows for it (a report typically
 * writes the ledger and updates counters), each with its arrays' columns; the
 * few shapes that occur are each prepared once.
 */
type Part = { name: string; columns: number; sql: string; counted?: true }
/** Counter rows locked at load, updated from unnest arrays by (owner, product); one row answered per row updated. */
const updateFrom = (table: string, owner: string, columns: string, types: string, all: string) => `UPDATE ${table} u SET ${set(columns, 'v')}
  FROM unnest(${types}) AS v(${all})
  WHERE u.${owner} = v.${owner} AND u.product = v.product
  RETURNING 1`
const PARTS: Part[] = [
  {
    name: 'ledger',
    columns: 15,
    sql: `INSERT INTO usage_ledger (id, workspace_id, org_id, product, kind, value, delta, outcome, reason, level_after, headroom_after, binding_kind, binding_id, key, at)
  SELECT * FROM unnest(?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::bigint[], ?::text[], ?::text[], ?::bigint[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::bigint[])`,
  },
  {
    name: 'levels',
    columns: 18,
    counted: true,
    sql: updateFrom('usage_levels', 'org_id', `level, subtree, ${COUNTER_ROLL_COLUMNS}`, COUNTER_TYPES, COUNTER_COLUMNS),
  },
  { name: 'new_levels', columns: 18, counted: true, sql: `INSERT INTO usage_levels (${COUNTER_COLUMNS}) SELECT * FROM unnest(${COUNTER_TYPES}) ON CONFLICT DO NOTHING RETURNING 1` },
  {
    name: 'pools',
    columns: 11,
    counted: true,
    sql: updateFrom('pool_usage', 'pool_id', `used, ${POOL_ROLL_COLUMNS}`, POOL_TYPES, POOL_COLUMNS),
  },
  { name: 'new_pools', columns: 11, counted: true, sql: `INSERT INTO pool_usage (${POOL_COLUMNS}) SELECT * FROM unnest(${POOL_TYPES}) ON CONFLICT DO NOTHING RETURNING 1` },
  {
    name: 'org_rollups',
    columns: 18,
    sql: `INSERT INTO org_usage_rollups (org_id, product, hour, workspace_id, level, peak, accepted, rejected_capacity, rejected_limit, rejected_other,
    sub_level, sub_peak, sub_accepted, sub_rejected_capacity, sub_rejected_limit, sub_rejected_other, "limit", capacity)
  SELECT * FROM unnest(?::text[], ?::text[], ?::bigint[], ?::text[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[],
    ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[])
  ON CONFLICT (org_id, product, hour) DO UPDATE SET ${ORG_ROLLUP_MERGE}`,
  },
  {
    name: 'pool_rollups',
    columns: 11,
    sql: `INSERT INTO pool_usage_rollups (pool_id, product, hour, workspace_id, level, peak, accepted, rejected_capacity, rejected_limit, rejected_other, capacity)
  SELECT * FROM unnest(?::text[], ?::text[], ?::bigint[], ?::text[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[])
  ON CONFLICT (pool_id, product, hour) DO UPDATE SET ${POOL_ROLLUP_MERGE}`,
  },
  {
    name: 'rejection_bindings',
    columns: 7,
    sql: `INSERT INTO usage_rejection_bindings (org_id, product, hour, binding_kind, binding_id, workspace_id, rejected)
  SELECT * FROM unnest(?::text[], ?::text[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::bigint[])
  ON CONFLICT (org_id, product, hour, binding_kind, binding_id) DO UPDATE SET ${REJECTION_BINDING_MERGE}`,
  },
  { name: 'armed', columns: 2, sql: 'UPDATE usage_alerts a SET armed = u.armed FROM unnest(?::text[], ?::bigint[]) AS u(id, armed) WHERE a.id = u.id' },
  {
    name: 'fired',
    columns: 5,
    sql: `INSERT INTO notifications (workspace_id, at, kind, message, refs, dedupe_key)
  SELECT w, at, 'usage_alert', m, r, k FROM unnest(?::text[], ?::bigint[], ?::text[], ?::text[], ?::text[]) AS f(w, at, m, r, k)
  ON CONFLICT DO NOTHING`,
  },
  {
    name: 'alert_events',
    columns: 5,
    sql: `INSERT INTO events (workspace_id, at, kind, refs, data, recorded_at)
  SELECT w, at, 'alert.crossed', r, d, ra FROM unnest(?::text[], ?::bigint[], ?::text[], ?::text[], ?::bigint[]) AS e(w, at, r, d, ra)`,
  },
]

/**
 * A column as PostgreSQL's array literal, text elements always quoted: made
 * here in one pass, where pg's own conversion escapes every element twice.
 */
function arrayLiteral(values: unknown[]): string {
  let out = '{'
  for (let i = 0; i < values.length; i++) {
    const value = values[i]
    if (i > 0) out += ','
    if (value === null || value === undefined) out += 'NULL'
    else if (typeof value === 'number') out += String(value)
    else {
      const text = String(value)
      out += /["\\]/.test(text) ? `"${text.replace(/["\\]/g, '\\$&')}"` : `"${text}"`
    }
  }
  return `${out}}`
}

/**
 * The statement for the parts that have rows, and its parameters: it fails as a
 * serialization failure (wsb_meter_retry) unless it wrote every counter row.
 */
function persistStatement(rows: Map<string, unknown[][]>): { sql: string; params: (string | number)[] } {
  const used = PARTS.filter((part) => (rows.get(part.name)?.length ?? 0) > 0)
  const counted = used.filter((part) => part.counted).map((part) => `(SELECT count(*) FROM ${part.name})`)
  const expected = used.filter((part) => part.counted).reduce((sum, part) => sum + (rows.get(part.name)?.length ?? 0), 0)
  const sql = `WITH ${used.map((part) => `${part.name} AS (\n  ${part.sql}\n)`).join(', ')}
SELECT CASE WHEN ${counted.length ? counted.join(' + ') : '0'} = ?::bigint THEN 0 ELSE wsb_meter_retry('a counter row this batch found missing was made by another batch meanwhile') END AS retried`
  const params = used.flatMap((part) => {
    const list = rows.get(part.name) as unknown[][]
    return Array.from({ length: part.columns }, (_, c) => arrayLiteral(list.map((row) => row[c])))
  })
  return { sql, params: [...params, expected] }
}

/** Batches of up to this many reports send their write with the transaction's COMMIT, in one round trip. */
const WITH_COMMIT = 100

/** Names folded as sameName compares them (core/names.ts); SQLite's A-Z-only folding is finer, so this finds a superset. */
const fold = (text: string) => text.trim().toLowerCase()
/** SQLite's lower(): A-Z only, as the SQLite store compares names. */
const asciiLower = (text: string) => text.replace(/[A-Z]/g, (c) => c.toLowerCase())
const nonAscii = (text: string) => /[^\u0001-\u007f]/.test(text)
const key = (a: string, b: string) => `${a}\u0000${b}`

/** Another process claimed one of the batch's keys first (a unique violation): the batch runs again, and replays. */
export const claimedMeanwhile = (error: unknown): unknown => ((error as { code?: string }).code === '23505' ? Object.assign(error as object, { wsbRetry: true }) : error)

/** What a workspace's references resolved to at one tree version: the candidate orgs of each reference. */
type Resolved = { version: number; refs: Map<string, string[]> }
const MAX_RESOLVED = 200_000

/**
 * The PostgreSQL metering store of `db`. `loadQuery` sends wsb_meter_load's
 * call as the transaction's first statement (db.ts opens it READ COMMITTED);
 * `writeWithCommit` leaves a small batch's write to be sent with the COMMIT
 * (or before the transaction's next statement, if it has one).
 */
export function postgresMeterStore(db: Db, loadQuery: (sql: string) => Promise<unknown>, writeWithCommit: (sql: string, params: (string | number)[]) => void): MeterStore {
  let orgs: OrgRow[] = []
  let orgById = new Map<string, OrgRow>()
  let products = new Set<string>()
  let limits = new Map<string, { product: string; limit: number }[]>()
  let accounts = new Map<string, string>()
  let capacity: CapacityRow[] = []
  let claimed = new Map<string, ClaimedRow>()
  let counters = new Map<string, CounterRow>()
  let pools = new Map<string, PoolRow>()
  let lockedOrgs = new Set<string>()
  let nextId = 0
  let lastId = -1
  // Indexes of the loaded orgs: by folded name (candidates), by SQLite's lower() (the Meter's lookups), and under a parent.
  let byName = new Map<string, OrgRow[]>()
  let bySqliteName = new Map<string, OrgRow[]>()
  let byParentAndName = new Map<string, OrgRow[]>()
  let byParentAndFold = new Map<string, OrgRow[]>()
  let ledger: unknown[][] = []
  let levelWrites = new Map<string, CounterValues>()
  let poolWrites = new Map<string, PoolValues>()
  let orgRollupWrites = new Map<string, OrgRollupValues>()
  let poolRollupWrites = new Map<string, PoolRollupValues>()
  let armedWrites = new Map<string, number>()
  let bindingWrites: RejectionBindingValues[] = []
  let fired: AlertFiredValues[] = []
  let alerts: AlertRow[] = []
  let version = 0
  const resolved = new Map<string, Resolved>()

  const counterRow = (orgId: string, product: string) => {
    if (!lockedOrgs.has(orgId)) throw new Error(`internal: the counters of ${orgId} were not loaded for this batch`)
    return counters.get(key(orgId, product))
  }
  const chainOf = (orgId: string): string[] => {
    const chain: string[] = []
    for (let row = orgById.get(orgId); row; row = row.parent_id === null ? undefined : orgById.get(row.parent_id)) chain.push(row.id)
    return chain
  }
  /** Orgs whose name equals `name` as SQLite's lower() compares them (under `parent`, when given), in creation order. */
  const named = (name: string): OrgRow[] => bySqliteName.get(asciiLower(name)) ?? []
  const namedUnder = (parent: string | null, name: string): OrgRow[] => byParentAndName.get(`${parent ?? ''}\u0000${asciiLower(name)}`) ?? []
  /**
   * Every org a reference could resolve to — by id, by name, or by a path "A/B"
   * walked from the top — compared folded (trimmed, lower-cased beyond ASCII):
   * a superset of the Meter's answer, which compares the same names more strictly.
   */
  const candidates = (ref: string): OrgRow[] => {
    const byId = orgById.get(ref)
    const found: OrgRow[] = byId ? [byId] : []
    const parts = ref.split('/')
    if (parts.length === 1) return [...found, ...(byName.get(fold(ref)) ?? []).filter((row) => row !== byId)]
    let walk = byParentAndFold.get(`\u0000${fold(parts[0] as string)}`) ?? []
    for (const part of parts.slice(1)) {
      const name = fold(part)
      walk = walk.flatMap((parent) => byParentAndFold.get(`${parent.id}\u0000${name}`) ?? [])
    }
    return [...found, ...walk.filter((row) => row !== byId)]
  }

  /** The call's argument: known orgs by id when this process resolved their references at the current version, names otherwise. */
  const request = (workspace: { id: string; mode: string }, reports: readonly MeterReport[], useCache: boolean) => {
    const cache = useCache ? resolved.get(workspace.id) : undefined
    let cached = false
    const ids = new Set<string>()
    const names = new Set<string>()
    const folds = new Set<string>()
    const raw: string[] = []
    let scan = false
    for (const ref of new Set(reports.map((r) => r.org))) {
      const known = cache?.refs.get(ref)
      if (known) {
        for (const id of known) ids.add(id)
        cached = true
        continue
      }
      raw.push(ref)
      ids.add(ref)
      for (const part of ref.split('/')) {
        const name = part.trim()
        names.add(asciiLower(name))
        if (nonAscii(name)) {
          scan = true
          folds.add(fold(name))
        }
      }
    }
    const body = {
      ws: workspace.id,
      mode: workspace.mode,
      v: cached && cache ? cache.version : null,
      ids: [...ids],
      names: [...names],
      scan,
      folds: [...folds],
      products: [...new Set(reports.map((r) => r.product))],
      keys: [...new Set(reports.flatMap((r) => (r.key === undefined ? [] : [r.key])))],
      n: reports.length,
    }
    return { raw, text: JSON.stringify(body) }
  }

  const index = (state: Loaded) => {
    orgs = state.orgs.map(([id, name, parent_id]) => ({ id, name, parent_id }))
    orgById = new Map(orgs.map((row) => [row.id, row]))
    byName = new Map()
    bySqliteName = new Map()
    byParentAndName = new Map()
    byParentAndFold = new Map()
    const add = (target: Map<string, OrgRow[]>, name: string, row: OrgRow) => {
      const list = target.get(name)
      if (list) list.push(row)
      else target.set(name, [row])
    }
    for (const row of orgs) {
      const lowered = asciiLower(row.name)
      add(byName, fold(row.name), row)
      add(bySqliteName, lowered, row)
      add(byParentAndName, `${row.parent_id ?? ''}\u0000${lowered}`, row)
      add(byParentAndFold, `${row.parent_id ?? ''}\u0000${fold(row.name)}`, row)
    }
    products = new Set(state.products)
    limits = new Map()
    for (const [orgId, product, limit] of state.limits) {
      let list = limits.get(orgId)
      if (!list) limits.set(orgId, (list = []))
      list.push({ product, limit })
    }
    accounts = new Map(state.accounts.map(([id, org]) => [org, id]))
    capacity = state.capacity.map(([accountId, product, quantity]) => ({ accountId, product, quantity }))
    claimed = new Map(
      state.claimed.map(([id, org_id, product, kind, value, delta, level_after, headroom_after, binding_kind, binding_id, at, k]) => [
        k,
        { id, org_id, product, kind, value, delta, level_after, headroom_after, binding_kind, binding_id, at },
      ]),
    )
    alerts = state.alerts.map(([id, scope_kind, scope_id, product, percent, armed]) => ({ id, scope_kind, scope_id, product, percent, armed }))
    pools = new Map(
      state.pools.map(([poolId, product, used, roll_hour, peak, accepted, rejected_capacity, rejected_limit, rejected_other, roll_capacity]) => [
        key(poolId, product),
        { used, roll_hour, peak, accepted, rejected_capacity, rejected_limit, rejected_other, roll_capacity },
      ]),
    )
    counters = new Map(
      state.counters.map(([orgId, product, level, subtree, roll_hour, peak, accepted, rc, rl, ro, sub_peak, sa, src, srl, sro, roll_limit, roll_capacity]) => [
        key(orgId, product),
        { level, subtree, roll_hour, peak, accepted, rejected_capacity: rc, rejected_limit: rl, rejected_other: ro, sub_peak, sub_accepted: sa,
          sub_rejected_capacity: src, sub_rejected_limit: srl, sub_rejected_other: sro, roll_limit, roll_capacity },
      ]),
    )
    lockedOrgs = new Set(orgById.keys())
  }

  return {
    async load(workspace, reports: readonly MeterReport[]) {
      let call = request(workspace, reports, true)
      let state = (await loadQuery(call.text)) as Loaded
      if (state.stale) {
        // The tree changed since these references were resolved: name them all.
        call = request(workspace, reports, false)
        state = (await loadQuery(call.text)) as Loaded
      }
      index(state)
      nextId = state.first ?? 0
      lastId = nextId + reports.length - 1
      let known = resolved.get(workspace.id)
      if (known?.version !== state.v) resolved.set(workspace.id, (known = { version: state.v, refs: new Map() }))
      // Bounded: a long stream naming ever new references must not grow the process without end.
      if (known.refs.size + call.raw.length > MAX_RESOLVED) known.refs.clear()
      for (const ref of call.raw) known.refs.set(ref, candidates(ref).map((row) => row.id))
      ledger = []
      levelWrites = new Map()
      poolWrites = new Map()
      orgRollupWrites = new Map()
      poolRollupWrites = new Map()
      armedWrites = new Map()
      bindingWrites = []
      fired = []
      version++
    },
    async persist() {
      const levels = [...levelWrites.entries()]
      const poolRows = [...poolWrites.entries()]
      const parts = new Map<string, unknown[][]>([
        ['ledger', ledger],
        ['levels', levels.filter(([k]) => counters.has(k)).map(([, v]) => v)],
        ['new_levels', levels.filter(([k]) => !counters.has(k)).map(([, v]) => v)],
        ['pools', poolRows.filter(([k]) => pools.has(k)).map(([, v]) => v)],
        ['new_pools', poolRows.filter(([k]) => !pools.has(k)).map(([, v]) => v)],
        ['org_rollups', [...orgRollupWrites.values()]],
        ['pool_rollups', [...poolRollupWrites.values()]],
        ['rejection_bindings', bindingWrites],
        ['armed', [...armedWrites.entries()]],
        ['fired', fired.map(([w, at, m, r, k]) => [w, at, m, r, k])],
        ['alert_events', fired.map(([w, at, , r, , d, ra]) => [w, at, r, d, ra])],
      ])
      const { sql, params } = persistStatement(parts)
      // A batch of invalid lines only: nothing to write.
      if (ledger.length === 0 && levels.length === 0 && poolRows.length === 0) return
      if (ledger.length <= WITH_COMMIT) writeWithCommit(sql, params)
      else
        try {
          await db.run(sql, ...(params as never[]))
        } catch (error) {
          throw claimedMeanwhile(error)
        }
      ledger = []
      levelWrites = new Map()
      poolWrites = new Map()
      orgRollupWrites = new Map()
      poolRollupWrites = new Map()
      armedWrites = new Map()
      bindingWrites = []
      fired = []
    },
    orgById: { get: (_ws, id) => orgById.get(id), all: (_ws, id) => (orgById.has(id) ? [orgById.get(id) as OrgRow] : []) },
    orgsInWorkspace: { get: () => orgs[0], all: () => orgs },
    // Through the folded-name index; then SQLite's comparison (A-Z only), as the SQLite store answers.
    orgsByName: {
      get: (_ws, name) => named(name).find(() => true),
      all: (_ws, name) => named(name).slice(0, 2),
    },
    topByName: {
      get: (_ws, name) => namedUnder(null, name)[0],
      all: (_ws, name) => namedUnder(null, name),
    },
    childByName: {
      get: (parent, name) => namedUnder(parent, name)[0],
      all: (parent, name) => namedUnder(parent, name),
    },
    accountOfOrg: {
      get: (org) => (accounts.has(org) ? { id: accounts.get(org) as string } : undefined),
      all: (org) => (accounts.has(org) ? [{ id: accounts.get(org) as string }] : []),
    },
    product: { get: (_ws, k) => (products.has(k) ? { key: k } : undefined), all: (_ws, k) => (products.has(k) ? [{ key: k }] : []) },
    limits: { get: (org) => limits.get(org)?.[0], all: (org) => limits.get(org) ?? [] },
    counter: { get: (org, product) => counterRow(org, product), all: (org, product) => [counterRow(org, product)].flatMap((r) => (r ? [r] : [])) },
    poolUsed: { get: (pool, product) => pools.get(key(pool, product)), all: (pool, product) => [pools.get(key(pool, product))].flatMap((r) => (r ? [r] : [])) },
    capacityOfWorkspace: { get: () => capacity[0], all: () => capacity },
    capacityOfAccount: {
      get: (_ws, account) => capacity.find((r) => r.accountId === account),
      all: (_ws, account) => capacity.filter((r) => r.accountId === account),
    },
    claimed: { get: (_ws, k) => claimed.get(k), all: (_ws, k) => (claimed.has(k) ? [claimed.get(k) as ClaimedRow] : []) },
    appendLedger(...values) {
      if (nextId > lastId) throw new Error('internal: more ledger rows than reports were loaded for')
      const id = nextId++
      ledger.push([id, ...values])
      const [, , product, , , , outcome, , , , , , k] = values
      if (k !== null && outcome === 'accepted') claimed.set(k, { id, org_id: values[1], product, kind: values[3], value: values[4], delta: values[5], level_after: values[8], headroom_after: values[9], binding_kind: values[10], binding_id: values[11], at: values[13] })
      return id
    },
    // Within a batch the Meter holds these rows; they are written once, at persist.
    writeCounter: { run: (...values) => void levelWrites.set(key(values[0], values[2]), values) },
    writePool: { run: (...values) => void poolWrites.set(key(values[0], values[2]), values) },
    // Within a batch one row per key (the Meter aggregates): the upsert may not touch a row twice.
    writeOrgRollup: { run: (...values) => void orgRollupWrites.set(`${values[0]}\u0000${values[1]}\u0000${values[2]}`, values) },
    writePoolRollup: { run: (...values) => void poolRollupWrites.set(`${values[0]}\u0000${values[1]}\u0000${values[2]}`, values) },
    writeRejectionBinding: { run: (...values) => void bindingWrites.push(values) },
    // Read at load, after the pool's and the chain's rows were locked: a batch that fires an alert holds the rows it watches.
    alerts: { get: () => alerts[0], all: () => alerts },
    writeAlertArmed: { run: (armed, id) => void armedWrites.set(id, armed) },
    alertFired: { run: (...values) => void fired.push(values) },
    // Each load is a new state: a Meter never carries its caches into the next transaction here.
    dataVersion: () => version,
  }
}
