// The metering hot path's statements (R-USE-1..6). On SQLite they are prepared
// once per connection and run synchronously inside one write transaction per
// batch (store/db.ts `write`): while it holds the write lock nothing else can
// change the data, so the Meter (core/usage/meter.ts) caches what it reads and
// writes the counters once per batch. A PostgreSQL store implements this type
// with its own statements and row locks.
import type Database from 'better-sqlite3'

/** A read statement: `get` the first row, `all` of them. */
export type Query<P extends unknown[], R> = { get(...params: P): R | undefined; all(...params: P): R[] }
/** A write statement. */
export type Command<P extends unknown[]> = { run(...params: P): unknown }

type OrgRow = { id: string; name: string; parent_id: string | null }
type CapacityRow = { accountId: string; product: string; quantity: number }
export type ClaimedRow = {
  id: number
  org_id: string
  product: string
  kind: string
  value: number
  delta: number
  level_after: number
  headroom_after: number | null
  binding_kind: string | null
  binding_id: string | null
  at: number
}
export type LedgerValues = [
  workspaceId: string,
  orgId: string,
  product: string,
  kind: string,
  value: number,
  delta: number,
  outcome: string,
  reason: string | null,
  levelAfter: number,
  headroomAfter: number | null,
  bindingKind: string | null,
  bindingId: string | null,
  key: string | null,
  at: number,
]

/** A counter row with its current hour's rollup (schema/usage.ts). */
export type CounterRow = {
  level: number
  subtree: number
  roll_hour: number | null
  peak: number
  accepted: number
  rejected_capacity: number
  rejected_limit: number
  rejected_other: number
  sub_peak: number
  sub_accepted: number
  sub_rejected_capacity: number
  sub_rejected_limit: number
  sub_rejected_other: number
  roll_limit: number | null
  roll_capacity: number | null
}
export type PoolRow = {
  used: number
  roll_hour: number | null
  peak: number
  accepted: number
  rejected_capacity: number
  rejected_limit: number
  rejected_other: number
  roll_capacity: number | null
}
export type CounterValues = [
  orgId: string,
  workspaceId: string,
  product: string,
  level: number,
  subtree: number,
  rollHour: number | null,
  peak: number,
  accepted: number,
  rejectedCapacity: number,
  rejectedLimit: number,
  rejectedOther: number,
  subPeak: number,
  subAccepted: number,
  subRejectedCapacity: number,
  subRejectedLimit: number,
  subRejectedOther: number,
  rollLimit: number | null,
  rollCapacity: number | null,
]
export type PoolValues = [
  poolId: string,
  workspaceId: string,
  product: string,
  used: number,
  rollHour: number | null,
  peak: number,
  accepted: number,
  rejectedCapacity: number,
  rejectedLimit: number,
  rejectedOther: number,
  rollCapacity: number | null,
]
export const COUNTER_ROLL_COLUMNS =
  'roll_hour, peak, accepted, rejected_capacity, rejected_limit, rejected_other, sub_peak, sub_accepted, sub_rejected_capacity, sub_rejected_limit, sub_rejected_other, roll_limit, roll_capacity'
export const POOL_ROLL_COLUMNS = 'roll_hour, peak, accepted, rejected_capacity, rejected_limit, rejected_other, roll_capacity'

/** A finished hour's rollup row (schema/rollups.ts), moved out of a counter row: written whole. */
export type OrgRollupValues = [
  orgId: string,
  product: string,
  hour: number,
  workspaceId: string,
  level: number,
  peak: number,
  accepted: number,
  rejectedCapacity: number,
  rejectedLimit: number,
  rejectedOther: number,
  subLevel: number,
  subPeak: number,
  subAccepted: number,
  subRejectedCapacity: number,
  subRejectedLimit: number,
  subRejectedOther: number,
  limit: number | null,
  capacity: number | null,
]
export type PoolRollupValues = [
  poolId: string,
  product: string,
  hour: number,
  workspaceId: string,
  level: number,
  peak: number,
  accepted: number,
  rejectedCapacity: number,
  rejectedLimit: number,
  rejectedOther: number,
  capacity: number | null,
]
/** What bound rejected reports of an org and product in an hour, and how many (schema/rollups.ts): added to the row's count. */
export type RejectionBindingValues = [orgId: string, product: string, hour: number, bindingKind: string, bindingId: string, workspaceId: string, rejected: number]
export const REJECTION_BINDING_MERGE = 'rejected = usage_rejection_bindings.rejected + excluded.rejected'
export type AlertRow = { id: string; scope_kind: string; scope_id: string; product: string; percent: number; armed: number }
/** A fired alert: its notification and its event, written together. */
export type AlertFiredValues = [workspaceId: string, at: number, message: string, refs: string, dedupeKey: string, data: string, recordedAt: number]

/** What `load` needs of a report: which org, product and key it names. */
export type MeterReport = { org: string; product: string; key?: string }

export type MeterStore = {
  /**
   * PostgreSQL (postgres/meter-store.ts): reads and locks, at the start of a
   * batch's transaction, what its reports can touch; the queries below then
   * answer from memory. Absent on SQLite, whose statements run synchronously.
   */
  load?(workspace: { id: string; mode: string }, reports: readonly MeterReport[]): Promise<void>
  /** PostgreSQL: writes the batch's ledger rows and changed counters; call after the Meter's flush. */
  persist?(): Promise<void>
  orgById: Query<[string, string], OrgRow>
  orgsInWorkspace: Query<[string], OrgRow>
  orgsByName: Query<[string, string], OrgRow>
  topByName: Query<[string, string], OrgRow>
  childByName: Query<[string, string], OrgRow>
  accountOfOrg: Query<[string], { id: string }>
  product: Query<[string, string], { key: string }>
  limits: Query<[string], { product: string; limit: number }>
  counter: Query<[string, string], CounterRow>
  poolUsed: Query<[string, string], PoolRow>
  /** Contributing quantities per account and product (R-POOL-1): of a workspace's pool, of one account's pool. */
  capacityOfWorkspace: Query<[string], CapacityRow>
  capacityOfAccount: Query<[string, string], CapacityRow>
  claimed: Query<[string, string], ClaimedRow>
  /**
   * SQLite: the claims of many distinct keys in one statement (the Meter's prepare for a
   * batch), by key. Absent on PostgreSQL, whose load reads a batch's claims.
   */
  claimedIn?(workspaceId: string, keys: readonly string[]): Map<string, ClaimedRow>
  /** Appends one ledger row and returns its id. */
  appendLedger(...values: LedgerValues): number
  writeCounter: Command<CounterValues>
  /**
   * SQLite: updates only the columns that move within an hour of accepted reports, on a row the
   * Meter wrote whole in this hour; false when there is no such row (then it writes the whole row).
   * Absent on PostgreSQL, whose persist writes each changed counter row whole.
   */
  writeCounterLevels?(level: number, subtree: number, peak: number, accepted: number, subPeak: number, subAccepted: number, orgId: string, product: string): boolean
  writePool: Command<PoolValues>
  writeOrgRollup: Command<OrgRollupValues>
  writePoolRollup: Command<PoolRollupValues>
  /** Written only for rejected reports; at most one per key per transaction (the Meter aggregates). */
  writeRejectionBinding: Command<RejectionBindingValues>
  /** The workspace's usage alerts (schema/rollups.ts), with their armed state. */
  alerts: Query<[string], AlertRow>
  writeAlertArmed: Command<[armed: number, id: string]>
  alertFired: Command<AlertFiredValues>
  /**
   * A number that moves when another connection commits (SQLite's data_version):
   * a Meter's caches may serve the next transaction only while it stays the same.
   */
  dataVersion(): number
}

/** The statuses that feed a pool (R-SUB-2), as SQL. */
const CONTRIBUTING = `('trialing', 'active', 'past_due')`
const CAPACITY = `SELECT s.account_id AS "accountId", i.product, sum(i.quantity) AS quantity
  FROM subscription_items i JOIN subscriptions s ON s.id = i.subscription_id
  WHERE s.workspace_id = ? AND s.status IN ${CONTRIBUTING}`

/** Upserts that replace a row's values with the ones written (the Meter holds the whole row). */
const replaceAll = (columns: string) =>
  columns
    .split(',')
    .map((c) => c.trim())
    .map((c) => `${c} = excluded.${c}`)
    .join(', ')
export const COUNTER_MERGE = replaceAll(`level, subtree, ${COUNTER_ROLL_COLUMNS}`)
export const POOL_MERGE = replaceAll(`used, ${POOL_ROLL_COLUMNS}`)
export const ORG_ROLLUP_MERGE = replaceAll(
  'level, peak, accepted, rejected_capacity, rejected_limit, rejected_other, sub_level, sub_peak, sub_accepted, sub_rejected_capacity, sub_rejected_limit, sub_rejected_other, "limit", capacity',
)
export const POOL_ROLLUP_MERGE = replaceAll('level, peak, accepted, rejected_capacity, rejected_limit, rejected_other, capacity')

export function sqliteMeterStore(sqlite: Database.Database): MeterStore {
  const ledger = sqlite.prepare<LedgerValues>(
    `INSERT INTO usage_ledger (workspace_id, org_id, product, kind, value, delta, outcome, reason, level_after, headroom_after, binding_kind, binding_id, key, at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
  const notification = sqlite.prepare<[string, number, string, string, string]>(
    `INSERT INTO notifications (workspace_id, at, kind, message, refs, dedupe_key) VALUES (?, ?, 'usage_alert', ?, ?, ?) ON CONFLICT DO NOTHING`,
  )
  const event = sqlite.prepare<[string, number, string, string, number]>(
    `INSERT INTO events (workspace_id, at, kind, refs, data, recorded_at) VALUES (?, ?, 'alert.crossed', ?, ?, ?)`,
  )
  const setAll = (columns: string) =>
    columns
      .split(',')
      .map((c) => `${c.trim()} = ?`)
      .join(', ')
  const updateCounter = sqlite.prepare(`UPDATE usage_levels SET ${setAll(`level, subtree, ${COUNTER_ROLL_COLUMNS}`)} WHERE org_id = ? AND product = ?`)
  const insertCounter = sqlite.prepare<CounterValues, { rowid: number }>(
    `INSERT INTO usage_levels (org_id, workspace_id, product, level, subtree, ${COUNTER_ROLL_COLUMNS})
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (org_id, product) DO UPDATE SET ${COUNTER_MERGE} RETURNING rowid`,
  )
  // By rowid when known (the row read or inserted here), which skips the descent of the primary
  // key's index; the key is checked too, so a rowid reused after a deletion only makes it miss.
  const updateLevels = sqlite.prepare<[number, number, number, number, number, number, number, string, string]>(
    'UPDATE usage_levels SET level = ?, subtree = ?, peak = ?, accepted = ?, sub_peak = ?, sub_accepted = ? WHERE rowid = ? AND org_id = ? AND product = ?',
  )
  const counterRow = sqlite.prepare<[string, string], CounterRow & { rowid: number }>(
    `SELECT rowid, level, subtree, ${COUNTER_ROLL_COLUMNS} FROM usage_levels WHERE org_id = ? AND product = ?`,
  )
  // Prepared on first use: a single usage record never needs it.
  let claimedIn: Database.Statement<[string, string], ClaimedRow & { key: string }> | undefined
  /** Counter rowids by org and product, as this connection last read or inserted them. */
  const rowids = new Map<string, Map<string, number>>()
  const noteRowid = (orgId: string, product: string, rowid: number) => {
    let byProduct = rowids.get(orgId)
    if (byProduct === undefined) rowids.set(orgId, (byProduct = new Map()))
    byProduct.set(product, rowid)
  }
  const updatePool = sqlite.prepare(`UPDATE pool_usage SET ${setAll(`used, ${POOL_ROLL_COLUMNS}`)} WHERE pool_id = ? AND product = ?`)
  const insertPool = sqlite.prepare<PoolValues>(
    `INSERT INTO pool_usage (pool_id, workspace_id, product, used, ${POOL_ROLL_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (pool_id, product) DO UPDATE SET ${POOL_MERGE}`,
  )
  return {
    orgById: sqlite.prepare<[string, string], OrgRow>('SELECT id, name, parent_id FROM organizations WHERE workspace_id = ? AND id = ?'),
    orgsInWorkspace: sqlite.prepare<[string], OrgRow>('SELECT id, name, parent_id FROM organizations WHERE workspace_id = ?'),
    orgsByName: sqlite.prepare<[string, string], OrgRow>(
      'SELECT id, name, parent_id FROM organizations WHERE workspace_id = ? AND lower(name) = lower(?) LIMIT 2',
    ),
    // Shaped to use the partial unique indexes on sibling names.
    topByName: sqlite.prepare<[string, string], OrgRow>(
      'SELECT id, name, parent_id FROM organizations WHERE workspace_id = ? AND lower(name) = lower(?) AND parent_id IS NULL',
    ),
    childByName: sqlite.prepare<[string, string], OrgRow>(
      'SELECT id, name, parent_id FROM organizations WHERE parent_id = ? AND lower(name) = lower(?) AND parent_id IS NOT NULL',
    ),
    accountOfOrg: sqlite.prepare<[string], { id: string }>('SELECT id FROM billing_accounts WHERE organization_id = ?'),
    product: sqlite.prepare<[string, string], { key: string }>('SELECT key FROM products WHERE workspace_id = ? AND key = ?'),
    limits: sqlite.prepare<[string], { product: string; limit: number }>('SELECT product, "limit" FROM org_limits WHERE org_id = ?'),
    counter: {
      get: (orgId, product) => {
        const row = counterRow.get(orgId, product)
        if (row) noteRowid(orgId, product, row.rowid)
        return row
      },
      all: (orgId, product) => counterRow.all(orgId, product),
    },
    poolUsed: sqlite.prepare<[string, string], PoolRow>(`SELECT used, ${POOL_ROLL_COLUMNS} FROM pool_usage WHERE pool_id = ? AND product = ?`),
    capacityOfWorkspace: sqlite.prepare<[string], CapacityRow>(`${CAPACITY} GROUP BY s.account_id, i.product`),
    capacityOfAccount: sqlite.prepare<[string, string], CapacityRow>(`${CAPACITY} AND s.account_id = ? GROUP BY s.account_id, i.product`),
    claimed: sqlite.prepare<[string, string], ClaimedRow>(
      `SELECT id, org_id, product, kind, value, delta, level_after, headroom_after, binding_kind, binding_id, at FROM usage_ledger
       WHERE workspace_id = ? AND key = ? AND outcome = 'accepted' AND key IS NOT NULL`,
    ),
    claimedIn: (workspaceId, keys) => {
      // The keys (distinct) as the outer loop, each one probe of the claimed-key index: faster than
      // `key IN (SELECT value FROM json_each(?))`, which first copies them into a temporary index.
      claimedIn ??= sqlite.prepare<[string, string], ClaimedRow & { key: string }>(
        `SELECT u.id, u.org_id, u.product, u.kind, u.value, u.delta, u.level_after, u.headroom_after, u.binding_kind, u.binding_id, u.at, u.key
         FROM json_each(?) AS k CROSS JOIN usage_ledger AS u
         WHERE u.workspace_id = ? AND u.key = k.value AND u.outcome = 'accepted' AND u.key IS NOT NULL`,
      )
      return new Map(claimedIn.all(JSON.stringify(keys), workspaceId).map(({ key, ...row }) => [key, row]))
    },
    appendLedger: (...values) => Number(ledger.run(...values).lastInsertRowid),
    // An existing counter row is updated in place; only a new one takes the upsert. SQLite's
    // upsert tries the insert first, and with the hour's columns that costs ~45% more per row
    // than the plain UPDATE by primary key (measured): the counter write is the batch's largest.
    // A row this connection has not read or written (its rowid unknown) is new as a rule (the
    // Meter reads a counter before writing it): it goes to the upsert without the UPDATE's miss.
    writeCounter: {
      run: (orgId, workspaceId, product, level, subtree, hour, peak, a, rc, rl, ro, subPeak, sa, src, srl, sro, limit, capacity) => {
        const known = rowids.get(orgId)?.has(product) === true
        if (known && updateCounter.run(level, subtree, hour, peak, a, rc, rl, ro, subPeak, sa, src, srl, sro, limit, capacity, orgId, product).changes > 0) return
        const written = insertCounter.get(orgId, workspaceId, product, level, subtree, hour, peak, a, rc, rl, ro, subPeak, sa, src, srl, sro, limit, capacity)
        noteRowid(orgId, product, Number((written as { rowid: number }).rowid))
      },
    },
    writeCounterLevels: (level, subtree, peak, accepted, subPeak, subAccepted, orgId, product) => {
      const rowid = rowids.get(orgId)?.get(product)
      return rowid !== undefined && updateLevels.run(level, subtree, peak, accepted, subPeak, subAccepted, rowid, orgId, product).changes > 0
    },
    writePool: {
      run: (poolId, workspaceId, product, used, hour, peak, a, rc, rl, ro, capacity) => {
        if (updatePool.run(used, hour, peak, a, rc, rl, ro, capacity, poolId, product).changes === 0)
          insertPool.run(poolId, workspaceId, product, used, hour, peak, a, rc, rl, ro, capacity)
      },
    },
    writeOrgRollup: sqlite.prepare<OrgRollupValues>(
      `INSERT INTO org_usage_rollups (org_id, product, hour, workspace_id, level, peak, accepted, rejected_capacity, rejected_limit, rejected_other,
         sub_level, sub_peak, sub_accepted, sub_rejected_capacity, sub_rejected_limit, sub_rejected_other, "limit", capacity)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (org_id, product, hour) DO UPDATE SET ${ORG_ROLLUP_MERGE}`,
    ),
    writePoolRollup: sqlite.prepare<PoolRollupValues>(
      `INSERT INTO pool_usage_rollups (pool_id, product, hour, workspace_id, level, peak, accepted, rejected_capacity, rejected_limit, rejected_other, capacity)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (pool_id, product, hour) DO UPDATE SET ${POOL_ROLLUP_MERGE}`,
    ),
    writeRejectionBinding: sqlite.prepare<RejectionBindingValues>(
      `INSERT INTO usage_rejection_bindings (org_id, product, hour, binding_kind, binding_id, workspace_id, rejected) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (org_id, product, hour, binding_kind, binding_id) DO UPDATE SET ${REJECTION_BINDING_MERGE}`,
    ),
    alerts: sqlite.prepare<[string], AlertRow>('SELECT id, scope_kind, scope_id, product, percent, armed FROM usage_alerts WHERE workspace_id = ? ORDER BY scope_id, product, percent'),
    writeAlertArmed: sqlite.prepare('UPDATE usage_alerts SET armed = ? WHERE id = ?'),
    alertFired: {
      run: (workspaceId, at, message, refs, dedupeKey, data, recordedAt) => {
        notification.run(workspaceId, at, message, refs, dedupeKey)
        event.run(workspaceId, at, refs, data, recordedAt)
      },
    },
    dataVersion: () => sqlite.pragma('data_version', { simple: true }) as number,
  }
}
