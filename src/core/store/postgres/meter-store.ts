// The metering hot path on PostgreSQL. The Meter (core/usage/meter.ts) is
// synchronous, which keeps SQLite's prepared-statement path as fast as it was;
// on PostgreSQL every query is a round trip, so this store works in three
// steps around it, inside one `write` transaction:
//   load    — reads what the batch's reports can touch, and locks what they
//             check: the pools' counter rows, then the counter rows along each
//             reported org's ancestor chain, with SELECT … FOR UPDATE, each set
//             in one fixed order (pool id, product; org id, product), so two
//             batches queue on the same rows instead of deadlocking;
//   report  — the Meter runs its statements against what was loaded (memory);
//   persist — the ledger rows (ids drawn from the ledger's own sequence at load)
//             and the changed counters are written. An idempotency key is
//             claimed by the ledger's unique index in this same transaction: a
//             concurrent claim of the same key makes the later one wait, then
//             fail — as a serialization failure (40001: it read the key at load),
//             or as a unique violation (23505), marked retryable here — and the
//             write runs again and replays.
import type { Db } from '../db.js'
import {
  type AlertFiredValues,
  type AlertRow,
  type ClaimedRow,
  COUNTER_MERGE,
  COUNTER_ROLL_COLUMNS,
  type CounterRow,
  type CounterValues,
  type MeterReport,
  type MeterStore,
  ORG_ROLLUP_MERGE,
  type OrgRollupValues,
  POOL_MERGE,
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

const CONTRIBUTING = `('trialing', 'active', 'past_due')`

/**
 * What a batch reads but does not lock, as JSON in one row (bigint values are
 * plain numbers there). Of the org tree only what the reports can name: orgs
 * whose id is a reference, whose trimmed lower-cased name is a part of one, or
 * whose name is not ASCII (PostgreSQL's lower() may fold those otherwise than
 * JavaScript, so they are always candidates), and all their ancestors.
 */
const LOAD = `WITH RECURSIVE hit AS (
  SELECT id, name, parent_id, rowid FROM organizations o
  WHERE o.workspace_id = ? AND (o.id IN (SELECT unnest(?::text[])) OR lower(btrim(o.name)) IN (SELECT unnest(?::text[])) OR o.name ~ '[^\\x01-\\x7f]')
), chain AS (
  SELECT id, name, parent_id, rowid FROM hit
  UNION
  SELECT o.id, o.name, o.parent_id, o.rowid FROM organizations o JOIN chain c ON o.id = c.parent_id
)
SELECT
  (SELECT coalesce(json_agg(json_build_array(id, name, parent_id) ORDER BY rowid), '[]') FROM chain) AS orgs,
  (SELECT coalesce(json_agg(key), '[]') FROM products WHERE workspace_id = ? AND key = ANY(?)) AS products,
  (SELECT coalesce(json_agg(json_build_array(l.org_id, l.product, l."limit")), '[]') FROM org_limits l WHERE l.org_id IN (SELECT id FROM chain)) AS limits,
  (SELECT coalesce(json_agg(json_build_array(id, organization_id)), '[]')
     FROM billing_accounts WHERE workspace_id = ? AND organization_id IN (SELECT id FROM chain WHERE parent_id IS NULL)) AS accounts,
  (SELECT coalesce(json_agg(json_build_array(c.account_id, c.product, c.quantity) ORDER BY c.account_id, c.product), '[]') FROM (
     SELECT s.account_id, i.product, sum(i.quantity) AS quantity
     FROM subscription_items i JOIN subscriptions s ON s.id = i.subscription_id
     WHERE s.workspace_id = ? AND s.status IN ${CONTRIBUTING} GROUP BY s.account_id, i.product) c) AS capacity,
  (SELECT coalesce(json_agg(json_build_array(id, org_id, product, kind, value, delta, level_after, headroom_after, binding_kind, binding_id, at, key)), '[]')
     FROM usage_ledger WHERE workspace_id = ? AND key = ANY(?) AND outcome = 'accepted') AS claimed,
  (SELECT coalesce(json_agg(json_build_array(id, scope_kind, scope_id, product, percent, armed) ORDER BY scope_id, product, percent), '[]')
     FROM usage_alerts WHERE workspace_id = ? AND product = ANY(?)) AS alerts,
  (SELECT coalesce(json_agg(v ORDER BY v), '[]') FROM (SELECT nextval(pg_get_serial_sequence('usage_ledger', 'id')) AS v FROM generate_series(1, ?)) s) AS ids`

type LoadedState = {
  orgs: [string, string, string | null][]
  products: string[]
  limits: [string, string, number][]
  accounts: [string, string][]
  capacity: [string, string, number][]
  claimed: [number, string, string, string, number, number, number, number | null, string | null, string | null, number, string][]
  ids: number[]
  alerts: [string, string, string, string, number, number][]
}

const LOCK_POOLS = `SELECT pool_id, product, used, ${POOL_ROLL_COLUMNS} FROM pool_usage WHERE pool_id = ANY(?) AND product = ANY(?) ORDER BY pool_id, product FOR UPDATE`
const LOCK_COUNTERS = `SELECT org_id, product, level, subtree, ${COUNTER_ROLL_COLUMNS} FROM usage_levels
  WHERE org_id = ANY(?) AND product = ANY(?) ORDER BY org_id, product FOR UPDATE`

const PERSIST = `WITH ledger AS (
  INSERT INTO usage_ledger (id, workspace_id, org_id, product, kind, value, delta, outcome, reason, level_after, headroom_after, binding_kind, binding_id, key, at)
  SELECT * FROM unnest(?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::bigint[], ?::text[], ?::text[], ?::bigint[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::bigint[])
), levels AS (
  INSERT INTO usage_levels (org_id, workspace_id, product, level, subtree, ${COUNTER_ROLL_COLUMNS})
  SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[],
    ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[])
  ON CONFLICT (org_id, product) DO UPDATE SET ${COUNTER_MERGE}
), org_rollups AS (
  INSERT INTO org_usage_rollups (org_id, product, hour, workspace_id, level, peak, accepted, rejected_capacity, rejected_limit, rejected_other,
    sub_level, sub_peak, sub_accepted, sub_rejected_capacity, sub_rejected_limit, sub_rejected_other, "limit", capacity)
  SELECT * FROM unnest(?::text[], ?::text[], ?::bigint[], ?::text[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[],
    ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[])
  ON CONFLICT (org_id, product, hour) DO UPDATE SET ${ORG_ROLLUP_MERGE}
), pool_rollups AS (
  INSERT INTO pool_usage_rollups (pool_id, product, hour, workspace_id, level, peak, accepted, rejected_capacity, rejected_limit, rejected_other, capacity)
  SELECT * FROM unnest(?::text[], ?::text[], ?::bigint[], ?::text[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[])
  ON CONFLICT (pool_id, product, hour) DO UPDATE SET ${POOL_ROLLUP_MERGE}
), rejection_bindings AS (
  INSERT INTO usage_rejection_bindings (org_id, product, hour, binding_kind, binding_id, workspace_id, rejected)
  SELECT * FROM unnest(?::text[], ?::text[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::bigint[])
  ON CONFLICT (org_id, product, hour, binding_kind, binding_id) DO UPDATE SET ${REJECTION_BINDING_MERGE}
), armed AS (
  UPDATE usage_alerts a SET armed = u.armed FROM unnest(?::text[], ?::bigint[]) AS u(id, armed) WHERE a.id = u.id
), fired AS (
  INSERT INTO notifications (workspace_id, at, kind, message, refs, dedupe_key)
  SELECT w, at, 'usage_alert', m, r, k FROM unnest(?::text[], ?::bigint[], ?::text[], ?::text[], ?::text[]) AS f(w, at, m, r, k)
  ON CONFLICT DO NOTHING
), alert_events AS (
  INSERT INTO events (workspace_id, at, kind, refs, data, recorded_at)
  SELECT w, at, 'alert.crossed', r, d, ra FROM unnest(?::text[], ?::bigint[], ?::text[], ?::text[], ?::bigint[]) AS e(w, at, r, d, ra)
)
INSERT INTO pool_usage (pool_id, workspace_id, product, used, ${POOL_ROLL_COLUMNS})
SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[])
ON CONFLICT (pool_id, product) DO UPDATE SET ${POOL_MERGE}`

/** Names folded as sameName compares them (core/names.ts); SQLite's A-Z-only folding is finer, so this finds a superset. */
const fold = (text: string) => text.trim().toLowerCase()
/** SQLite's lower(): A-Z only, as the SQLite store compares names. */
const asciiLower = (text: string) => text.replace(/[A-Z]/g, (c) => c.toLowerCase())
const key = (a: string, b: string) => `${a}\u0000${b}`

export function postgresMeterStore(db: Db): MeterStore {
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
  let ids: number[] = []
  // Indexes of the loaded orgs: by folded name (candidates), by SQLite's lower() (the Meter's lookups), and under a parent.
  let byName = new Map<string, OrgRow[]>()
  let bySqliteName = new Map<string, OrgRow[]>()
  let byParentAndName = new Map<string, OrgRow[]>()
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
    if (byId) return [byId]
    const parts = ref.split('/')
    if (parts.length === 1) return byName.get(fold(ref)) ?? []
    let found = (byName.get(fold(parts[0] as string)) ?? []).filter((row) => row.parent_id === null)
    for (const part of parts.slice(1)) {
      const parents = new Set(found.map((row) => row.id))
      found = (byName.get(fold(part)) ?? []).filter((row) => row.parent_id !== null && parents.has(row.parent_id))
    }
    return found
  }

  return {
    async load(workspace, reports: readonly MeterReport[]) {
      const ws = workspace.id
      const wanted = [...new Set(reports.map((r) => r.product))]
      const keys = reports.flatMap((r) => (r.key === undefined ? [] : [r.key]))
      // One round trip for everything the batch reads but does not lock.
      const refs = [...new Set(reports.map((r) => r.org))]
      const parts = [...new Set(refs.flatMap((ref) => ref.split('/').map(fold)))]
      const state = (await db.get<LoadedState>(LOAD, ws, refs as never, parts as never, ws, wanted as never, ws, ws, ws, keys as never, ws, wanted as never, reports.length)) as LoadedState
      alerts = state.alerts.map(([id, scope_kind, scope_id, product, percent, armed]) => ({ id, scope_kind, scope_id, product, percent, armed }))
      orgs = state.orgs.map(([id, name, parent_id]) => ({ id, name, parent_id }))
      orgById = new Map(orgs.map((row) => [row.id, row]))
      byName = new Map()
      bySqliteName = new Map()
      byParentAndName = new Map()
      const add = (index: Map<string, OrgRow[]>, name: string, row: OrgRow) => {
        const list = index.get(name)
        if (list) list.push(row)
        else index.set(name, [row])
      }
      for (const row of orgs) {
        const lowered = asciiLower(row.name)
        add(byName, fold(row.name), row)
        add(bySqliteName, lowered, row)
        add(byParentAndName, `${row.parent_id ?? ''}\u0000${lowered}`, row)
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
      ids = state.ids
      // What the reports check, locked: pool counters first, then chain counters, each in key order.
      lockedOrgs = new Set()
      for (const ref of new Set(reports.map((r) => r.org))) for (const row of candidates(ref)) for (const id of chainOf(row.id)) lockedOrgs.add(id)
      const poolIds = new Set<string>()
      for (const orgId of lockedOrgs) {
        const top = chainOf(orgId).at(-1) as string
        const pool = workspace.mode === 'assigned' ? accounts.get(top) : ws
        if (pool !== undefined) poolIds.add(pool)
      }
      pools = new Map()
      if (poolIds.size > 0)
        for (const r of await db.all<PoolRow & { pool_id: string; product: string }>(LOCK_POOLS, [...poolIds] as never, wanted as never))
          pools.set(key(r.pool_id, r.product), r)
      counters = new Map()
      if (lockedOrgs.size > 0)
        for (const r of await db.all<CounterRow & { org_id: string; product: string }>(LOCK_COUNTERS, [...lockedOrgs] as never, wanted as never))
          counters.set(key(r.org_id, r.product), r)
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
      // One statement: the ledger rows, the changed chain counters and pool counters, each set as arrays (unnest).
      const columns = Array.from({ length: 15 }, (_, c) => ledger.map((row) => row[c]))
      const levels = [...levelWrites.values()]
      const poolRows = [...poolWrites.values()]
      const orgRollups = [...orgRollupWrites.values()]
      const poolRollups = [...poolRollupWrites.values()]
      const col = <T extends unknown[]>(rows: T[], n: number) => Array.from({ length: n }, (_, c) => rows.map((row) => row[c])) as never[]
      try {
        await db.run(
          PERSIST,
          ...(columns as never[]),
          ...col(levels, 18),
          // In the order of the statement's placeholders: the CTEs, then the pool counters' INSERT.
          ...col(orgRollups, 18),
          ...col(poolRollups, 11),
          ...col(bindingWrites, 7),
          [...armedWrites.keys()] as never,
          [...armedWrites.values()] as never,
          ...col(fired.map(([w, at, m, r, k]) => [w, at, m, r, k]), 5),
          ...col(fired.map(([w, at, , r, , d, ra]) => [w, at, r, d, ra]), 5),
          ...col(poolRows, 11),
        )
      } catch (error) {
        // Another process claimed one of these keys first: run the batch again, and it replays.
        if ((error as { code?: string }).code === '23505') Object.assign(error as object, { wsbRetry: true })
        throw error
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
      const id = ids.shift()
      if (id === undefined) throw new Error('internal: more ledger rows than reports were loaded for')
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
    // Read at load under SERIALIZABLE: two batches that both fire the same alert cannot both commit (one retries, and sees it fired).
    alerts: { get: () => alerts[0], all: () => alerts },
    writeAlertArmed: { run: (armed, id) => void armedWrites.set(id, armed) },
    alertFired: { run: (...values) => void fired.push(values) },
    // Each load is a new state: a Meter never carries its caches into the next transaction here.
    dataVersion: () => version,
  }
}
