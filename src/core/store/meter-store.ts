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
type LedgerValues = [
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
  counter: Query<[string, string], { level: number; subtree: number }>
  poolUsed: Query<[string, string], { used: number }>
  /** Contributing quantities per account and product (R-POOL-1): of a workspace's pool, of one account's pool. */
  capacityOfWorkspace: Query<[string], CapacityRow>
  capacityOfAccount: Query<[string, string], CapacityRow>
  claimed: Query<[string, string], ClaimedRow>
  /** Appends one ledger row and returns its id. */
  appendLedger(...values: LedgerValues): number
  writeCounter: Command<[orgId: string, workspaceId: string, product: string, level: number, subtree: number]>
  writePool: Command<[poolId: string, workspaceId: string, product: string, used: number]>
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

export function sqliteMeterStore(sqlite: Database.Database): MeterStore {
  const ledger = sqlite.prepare<LedgerValues>(
    `INSERT INTO usage_ledger (workspace_id, org_id, product, kind, value, delta, outcome, reason, level_after, headroom_after, binding_kind, binding_id, key, at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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
    counter: sqlite.prepare<[string, string], { level: number; subtree: number }>('SELECT level, subtree FROM usage_levels WHERE org_id = ? AND product = ?'),
    poolUsed: sqlite.prepare<[string, string], { used: number }>('SELECT used FROM pool_usage WHERE pool_id = ? AND product = ?'),
    capacityOfWorkspace: sqlite.prepare<[string], CapacityRow>(`${CAPACITY} GROUP BY s.account_id, i.product`),
    capacityOfAccount: sqlite.prepare<[string, string], CapacityRow>(`${CAPACITY} AND s.account_id = ? GROUP BY s.account_id, i.product`),
    claimed: sqlite.prepare<[string, string], ClaimedRow>(
      `SELECT id, org_id, product, kind, value, delta, level_after, headroom_after, binding_kind, binding_id, at FROM usage_ledger
       WHERE workspace_id = ? AND key = ? AND outcome = 'accepted' AND key IS NOT NULL`,
    ),
    appendLedger: (...values) => Number(ledger.run(...values).lastInsertRowid),
    writeCounter: sqlite.prepare(
      `INSERT INTO usage_levels (org_id, workspace_id, product, level, subtree) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (org_id, product) DO UPDATE SET level = excluded.level, subtree = excluded.subtree`,
    ),
    writePool: sqlite.prepare(
      `INSERT INTO pool_usage (pool_id, workspace_id, product, used) VALUES (?, ?, ?, ?)
       ON CONFLICT (pool_id, product) DO UPDATE SET used = excluded.used`,
    ),
    dataVersion: () => sqlite.pragma('data_version', { simple: true }) as number,
  }
}
