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
import type { ClaimedRow, MeterReport, MeterStore } from '../meter-store.js'
import { sameName } from '../../names.js'

type OrgRow = { id: string; name: string; parent_id: string | null }
type CapacityRow = { accountId: string; product: string; quantity: number }

const CONTRIBUTING = `('trialing', 'active', 'past_due')`
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
  let counters = new Map<string, { level: number; subtree: number }>()
  let pools = new Map<string, { used: number }>()
  let lockedOrgs = new Set<string>()
  let ids: number[] = []
  let ledger: unknown[][] = []
  let writes = new Map<string, () => Promise<unknown>>()
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
  /** Every org a reference could resolve to (by id, or by the name of its last path part): a superset of the Meter's answer. */
  const candidates = (ref: string): OrgRow[] => {
    const byId = orgById.get(ref)
    if (byId) return [byId]
    const last = (ref.split('/').at(-1) ?? ref).trim()
    return orgs.filter((row) => sameName(row.name, last) || asciiLower(row.name) === asciiLower(last))
  }

  return {
    async load(workspace, reports: readonly MeterReport[]) {
      const ws = workspace.id
      orgs = await db.all<OrgRow>('SELECT id, name, parent_id FROM organizations WHERE workspace_id = ? ORDER BY rowid', ws)
      orgById = new Map(orgs.map((row) => [row.id, row]))
      const wanted = [...new Set(reports.map((r) => r.product))]
      products = new Set(
        (await db.all<{ key: string }>(`SELECT key FROM products WHERE workspace_id = ? AND key = ANY(?)`, ws, wanted as never)).map((r) => r.key),
      )
      limits = new Map()
      for (const row of await db.all<{ org_id: string; product: string; limit: number }>(
        'SELECT l.org_id, l.product, l."limit" FROM org_limits l JOIN organizations o ON o.id = l.org_id WHERE o.workspace_id = ?',
        ws,
      )) {
        let list = limits.get(row.org_id)
        if (!list) limits.set(row.org_id, (list = []))
        list.push({ product: row.product, limit: row.limit })
      }
      accounts = new Map(
        (await db.all<{ id: string; org: string }>('SELECT id, organization_id AS org FROM billing_accounts WHERE workspace_id = ? AND organization_id IS NOT NULL', ws)).map(
          (r) => [r.org, r.id],
        ),
      )
      capacity = await db.all<CapacityRow>(
        `SELECT s.account_id AS "accountId", i.product, CAST(sum(i.quantity) AS bigint) AS quantity
         FROM subscription_items i JOIN subscriptions s ON s.id = i.subscription_id
         WHERE s.workspace_id = ? AND s.status IN ${CONTRIBUTING} GROUP BY s.account_id, i.product ORDER BY s.account_id, i.product`,
        ws,
      )
      const keys = reports.flatMap((r) => (r.key === undefined ? [] : [r.key]))
      claimed = new Map(
        keys.length === 0
          ? []
          : (
              await db.all<ClaimedRow & { key: string }>(
                `SELECT id, org_id, product, kind, value, delta, level_after, headroom_after, binding_kind, binding_id, at, key FROM usage_ledger
                 WHERE workspace_id = ? AND key = ANY(?) AND outcome = 'accepted'`,
                ws,
                keys as never,
              )
            ).map((row) => [row.key, row]),
      )
      // What the reports check, locked: pool counters first, then chain counters, each in key order.
      lockedOrgs = new Set(reports.flatMap((r) => candidates(r.org).flatMap((row) => chainOf(row.id))))
      const poolIds = new Set<string>()
      for (const orgId of lockedOrgs) {
        const top = chainOf(orgId).at(-1) as string
        const pool = workspace.mode === 'assigned' ? accounts.get(top) : ws
        if (pool !== undefined) poolIds.add(pool)
      }
      pools = new Map(
        (
          await db.all<{ pool_id: string; product: string; used: number }>(
            'SELECT pool_id, product, used FROM pool_usage WHERE pool_id = ANY(?) AND product = ANY(?) ORDER BY pool_id, product FOR UPDATE',
            [...poolIds] as never,
            wanted as never,
          )
        ).map((r) => [key(r.pool_id, r.product), { used: r.used }]),
      )
      counters = new Map(
        (
          await db.all<{ org_id: string; product: string; level: number; subtree: number }>(
            'SELECT org_id, product, level, subtree FROM usage_levels WHERE org_id = ANY(?) AND product = ANY(?) ORDER BY org_id, product FOR UPDATE',
            [...lockedOrgs] as never,
            wanted as never,
          )
        ).map((r) => [key(r.org_id, r.product), { level: r.level, subtree: r.subtree }]),
      )
      ids = (
        await db.all<{ id: number }>(`SELECT nextval(pg_get_serial_sequence('usage_ledger', 'id')) AS id FROM generate_series(1, ?) ORDER BY 1`, reports.length)
      ).map((r) => Number(r.id))
      ledger = []
      writes = new Map()
      version++
    },
    async persist() {
      const CHUNK = 1000
      try {
        for (let start = 0; start < ledger.length; start += CHUNK) {
          const rows = ledger.slice(start, start + CHUNK)
          const values = rows.map(() => `(${Array(15).fill('?').join(', ')})`).join(', ')
          await db.run(
            `INSERT INTO usage_ledger (id, workspace_id, org_id, product, kind, value, delta, outcome, reason, level_after, headroom_after, binding_kind, binding_id, key, at) VALUES ${values}`,
            ...(rows.flat() as never[]),
          )
        }
      } catch (error) {
        // Another process claimed one of these keys first: run the batch again, and it replays.
        if ((error as { code?: string }).code === '23505') Object.assign(error as object, { wsbRetry: true })
        throw error
      }
      for (const write of writes.values()) await write()
      ledger = []
      writes = new Map()
    },
    orgById: { get: (_ws, id) => orgById.get(id), all: (_ws, id) => (orgById.has(id) ? [orgById.get(id) as OrgRow] : []) },
    orgsInWorkspace: { get: () => orgs[0], all: () => orgs },
    orgsByName: {
      get: (_ws, name) => orgs.find((r) => asciiLower(r.name) === asciiLower(name)),
      all: (_ws, name) => orgs.filter((r) => asciiLower(r.name) === asciiLower(name)).slice(0, 2),
    },
    topByName: {
      get: (_ws, name) => orgs.find((r) => r.parent_id === null && asciiLower(r.name) === asciiLower(name)),
      all: (_ws, name) => orgs.filter((r) => r.parent_id === null && asciiLower(r.name) === asciiLower(name)),
    },
    childByName: {
      get: (parent, name) => orgs.find((r) => r.parent_id === parent && asciiLower(r.name) === asciiLower(name)),
      all: (parent, name) => orgs.filter((r) => r.parent_id === parent && asciiLower(r.name) === asciiLower(name)),
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
    writeCounter: {
      run(orgId, workspaceId, product, level, subtree) {
        counters.set(key(orgId, product), { level, subtree })
        writes.set(`l${key(orgId, product)}`, () =>
          db.run(
            `INSERT INTO usage_levels (org_id, workspace_id, product, level, subtree) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (org_id, product) DO UPDATE SET level = excluded.level, subtree = excluded.subtree`,
            orgId,
            workspaceId,
            product,
            level,
            subtree,
          ),
        )
      },
    },
    writePool: {
      run(poolId, workspaceId, product, used) {
        pools.set(key(poolId, product), { used })
        writes.set(`p${key(poolId, product)}`, () =>
          db.run(
            `INSERT INTO pool_usage (pool_id, workspace_id, product, used) VALUES (?, ?, ?, ?)
             ON CONFLICT (pool_id, product) DO UPDATE SET used = excluded.used`,
            poolId,
            workspaceId,
            product,
            used,
          ),
        )
      },
    },
    // Each load is a new state: a Meter never carries its caches into the next transaction here.
    dataVersion: () => version,
  }
}
