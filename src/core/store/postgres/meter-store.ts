// The metering hot path on PostgreSQL. The Meter (core/usage/meter.ts) is
// synchronous, which keeps SQLite's prepared-statement path as it is; on
// PostgreSQL every query is a round trip, so this store works in three steps
// around it, inside one `write` transaction that runs READ COMMITTED (db.ts:
// a write whose first statement is this load):
//   load    — one call, wsb_meter_load (migrations/postgres/0017), takes the
//             workspace's metering lock and then either locks the counter rows
//             the batch's reports check (pools' rows, then the orgs' rows along
//             each reported org's chain, each in key order, so batches queue on
//             them instead of failing), or, for a bulk batch (more than
//             WITH_COMMIT reports: `usage import`), holds the lock exclusively
//             until it commits and locks no row; then reads capacity, limits,
//             alerts and claimed keys — after the locks, so they are current
//             while held — and reserves the batch's ledger ids. It answers only
//             what this process does not hold already (meter-cache.ts): orgs it
//             has not met at the current tree version, and counter rows whose
//             current version another transaction wrote;
//   report  — the Meter runs its statements against what is held (memory);
//   persist — a small batch's rows go as one call of wsb_meter_write, sent
//             with the COMMIT; a bulk batch's ledger and counter rows go first
//             through COPY, then one statement applies them. A counter row that did not exist at load is
//             inserted only if no other batch made it meanwhile; otherwise the
//             batch runs again. An idempotency key is claimed by the ledger's
//             unique index: a concurrent claim makes the later batch fail
//             (23505) and run again, and it then replays.
// The store's data version (what lets a Meter serve the next batch, as SQLite's
// data_version does) moves only when a load finds that something a Meter may
// hold changed: a counter row, a capacity, a limit, an alert, a product, the
// tree; or when a transaction rolls back.
import type { Db } from '../db.js'
import type { AlertFiredValues, AlertRow, ClaimedRow, CounterRow, CounterValues, MeterReport, MeterStore, OrgRollupValues, PoolRollupValues, PoolRow, PoolValues, RejectionBindingValues } from '../meter-store.js'
import { asciiLower, type CounterNumbers, fold, key, type OrgRow, type PoolNumbers, Tree, WorkspaceCache } from './meter-cache.js'
import { COUNTER_WRITES, counterLine, LEDGER_COLUMNS, ledgerLine, persistStatement, writeCall } from './meter-write.js'

type CapacityRow = { accountId: string; product: string; quantity: number }

type Loaded = {
  stale?: true
  v: number
  x: number
  orgs: [string, string, string | null][]
  accounts: [string, string][]
  products: string[]
  pools: [string, string, ...PoolNumbers][]
  counters: [string, string, ...CounterNumbers][]
  capacity: [string, string, number][]
  limits: [string, string, number][]
  alerts: [string, string, string, string, number, number][]
  claimed: [number, string, string, string, number, number, number, number | null, string | null, string | null, number, string][]
  first: number | null
}

/** Batches of up to this many reports lock their rows and send their write with the transaction's COMMIT; larger ones are bulk. */
const WITH_COMMIT = 100

const nonAscii = (text: string) => /[^\u0001-\u007f]/.test(text)

/** Another process claimed one of the batch's keys first (a unique violation): the batch runs again, and replays. */
export const claimedMeanwhile = (error: unknown): unknown => ((error as { code?: string }).code === '23505' ? Object.assign(error as object, { wsbRetry: true }) : error)

/** Beyond this many orgs and rows held for one workspace, or this many workspaces, what is held is dropped. */
const MAX_HELD = 400_000
const MAX_WORKSPACES = 64

const counterRowOf = (v: CounterNumbers): CounterRow => ({
  level: v[0] as number,
  subtree: v[1] as number,
  roll_hour: v[2] as number | null,
  peak: v[3] as number,
  accepted: v[4] as number,
  rejected_capacity: v[5] as number,
  rejected_limit: v[6] as number,
  rejected_other: v[7] as number,
  sub_peak: v[8] as number,
  sub_accepted: v[9] as number,
  sub_rejected_capacity: v[10] as number,
  sub_rejected_limit: v[11] as number,
  sub_rejected_other: v[12] as number,
  roll_limit: v[13] as number | null,
  roll_capacity: v[14] as number | null,
})
const poolRowOf = (v: PoolNumbers): PoolRow => ({
  used: v[0] as number,
  roll_hour: v[1] as number | null,
  peak: v[2] as number,
  accepted: v[3] as number,
  rejected_capacity: v[4] as number,
  rejected_limit: v[5] as number,
  rejected_other: v[6] as number,
  roll_capacity: v[7] as number | null,
})

/** A COPY … FROM STDIN under way (db.ts): lines in COPY's text format. */
export type CopyIn = {
  write(text: string): void
  /** Sends what is left and ends it; throws what the server refused. */
  finish(): Promise<void>
  /** Refuses it (CopyFail), so the transaction can roll back. */
  abort(): Promise<void>
}

/** What db.ts gives the store: the load's round trip, the small batch's write left for the COMMIT, and COPY. */
export type MeterConnection = {
  /** Sends wsb_meter_load's call as the transaction's first statement (db.ts opens it READ COMMITTED); its answer (JSON text). */
  load(json: string): Promise<string>
  /** Leaves a small batch's write to go with the COMMIT (or before the transaction's next statement). */
  writeWithCommit(sql: string, params: (string | number)[]): void
  /** Starts a COPY … FROM STDIN in the open transaction. */
  copyStart(sql: string): Promise<CopyIn>
}

/**
 * The PostgreSQL metering store of `db`, and `rolledBack`, which db.ts calls
 * when a write transaction rolls back (what it wrote and held is then dropped).
 */
export function postgresMeterStore(db: Db, connection: MeterConnection): MeterStore & { rolledBack(): void; abandon(): Promise<void> } {
  const workspaces = new Map<string, WorkspaceCache>()
  let cache = new WorkspaceCache()
  let tree = new Tree(-1)
  let version = 0
  let bulk = false
  // This batch: its orgs (the counters it may read), products, capacity, limits and claimed keys.
  let batchOrgs = new Set<string>()
  let products = new Set<string>()
  let capacity: CapacityRow[] = []
  let limits = new Map<string, { product: string; limit: number }[]>()
  let claimed = new Map<string, ClaimedRow>()
  let alerts: AlertRow[] = []
  let nextId = 0
  let lastId = -1
  // This batch's writes: a bulk batch's ledger rows go out through COPY as they are made.
  let ledgerRows: unknown[][] = []
  let ledgerCopy: CopyIn | undefined
  let levelWrites = new Map<string, CounterValues>()
  let poolWrites = new Map<string, PoolValues>()
  let orgRollupWrites = new Map<string, OrgRollupValues>()
  let poolRollupWrites = new Map<string, PoolRollupValues>()
  let armedWrites = new Map<string, number>()
  let bindingWrites: RejectionBindingValues[] = []
  let fired: AlertFiredValues[] = []
  const clearWrites = () => {
    ledgerRows = []
    levelWrites = new Map()
    poolWrites = new Map()
    orgRollupWrites = new Map()
    poolRollupWrites = new Map()
    armedWrites = new Map()
    bindingWrites = []
    fired = []
  }

  const cacheOf = (workspaceId: string): WorkspaceCache => {
    let found = workspaces.get(workspaceId)
    if (found && found.size > MAX_HELD) {
      workspaces.delete(workspaceId)
      found = undefined
      version++
    }
    if (!found) {
      if (workspaces.size >= MAX_WORKSPACES) {
        workspaces.clear()
        version++
      }
      workspaces.set(workspaceId, (found = new WorkspaceCache()))
    }
    return found
  }

  /** The call's argument: the orgs known at the held tree version by id (with their chains), the other references by name. */
  const request = (workspace: { id: string; mode: string }, reports: readonly MeterReport[], held: Tree | undefined) => {
    const known = new Set<string>()
    const ids = new Set<string>()
    const names = new Set<string>()
    const folds = new Set<string>()
    const paths: string[][] = []
    const raw: string[] = []
    let scan = false
    const seen = new Set<string>()
    const productSet = new Set<string>()
    const keys: string[] = []
    for (const report of reports) {
      productSet.add(report.product)
      if (report.key !== undefined) keys.push(report.key)
      const ref = report.org
      if (seen.has(ref)) continue
      seen.add(ref)
      const candidates = held?.resolved.get(ref)
      if (candidates && held) {
        for (const id of candidates) {
          if (known.has(id)) continue
          for (const link of held.chain(id)) known.add(link)
        }
        continue
      }
      raw.push(ref)
      const parts = ref.split('/').map((part) => part.trim())
      // A path of ASCII names is walked on the server: it answers the one org it names, with its ancestors.
      if (parts.length > 1 && !nonAscii(ref)) {
        paths.push(parts)
        continue
      }
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
      v: held ? held.version : null,
      known: [...known],
      ids: [...ids],
      names: [...names],
      paths,
      scan,
      folds: [...folds],
      products: [...productSet],
      keys,
      n: reports.length,
      bulk: reports.length > WITH_COMMIT,
      mine: cache.mine,
    }
    return { raw, known, products: productSet, text: JSON.stringify(body) }
  }

  /** Takes in a load's answer; true when something a Meter may hold changed. */
  const take = (workspace: { id: string; mode: string }, state: Loaded, asked: Set<string>, known: Set<string>): boolean => {
    let changed = false
    for (const [id, name, parent] of state.orgs) tree.addOrg(id, name, parent)
    for (const [account, org] of state.accounts) tree.accounts.set(org, account)
    batchOrgs = known
    for (const [id] of state.orgs) batchOrgs.add(id)
    products = new Set(state.products)
    for (const product of asked) {
      if (cache.products.get(product) === true && !products.has(product)) changed = true
      cache.products.set(product, products.has(product))
    }
    for (const row of state.pools) if (cache.poolLoaded(key(row[0], row[1]), row.slice(2) as PoolNumbers)) changed = true
    for (const row of state.counters) if (cache.counterLoaded(key(row[0], row[1]), row.slice(2) as CounterNumbers)) changed = true
    capacity = state.capacity.map(([accountId, product, quantity]) => ({ accountId, product, quantity }))
    if (workspace.mode === 'assigned') {
      const byPool = new Map<string, [string, string, number][]>()
      for (const row of state.capacity) byPool.set(row[0], [...(byPool.get(row[0]) ?? []), row])
      const pools = new Set<string>()
      for (const org of batchOrgs) {
        const account = tree.accounts.get(tree.chain(org).at(-1) as string)
        if (account !== undefined) pools.add(account)
      }
      for (const pool of pools) if (WorkspaceCache.changed(cache.capacity, pool, JSON.stringify(byPool.get(pool) ?? []))) changed = true
    } else if (WorkspaceCache.changed(cache.capacity, workspace.id, JSON.stringify(state.capacity))) changed = true
    limits = new Map()
    for (const [orgId, product, limit] of state.limits) {
      let list = limits.get(orgId)
      if (!list) limits.set(orgId, (list = []))
      list.push({ product, limit })
    }
    for (const org of batchOrgs) {
      const list = limits.get(org)
      if (WorkspaceCache.changed(cache.limits, org, list ? JSON.stringify(list) : '')) changed = true
    }
    const alertsText = JSON.stringify(state.alerts)
    if (cache.alerts !== undefined && cache.alerts !== alertsText) changed = true
    cache.alerts = alertsText
    alerts = state.alerts.map(([id, scope_kind, scope_id, product, percent, armed]) => ({ id, scope_kind, scope_id, product, percent, armed }))
    claimed = new Map()
    for (const [id, org_id, product, kind, value, delta, level_after, headroom_after, binding_kind, binding_id, at, k] of state.claimed)
      claimed.set(k, { id, org_id, product, kind, value, delta, level_after, headroom_after, binding_kind, binding_id, at })
    cache.noteTransaction(state.x)
    return changed
  }

  const counterRow = (orgId: string, product: string): CounterRow | undefined => {
    if (!batchOrgs.has(orgId)) throw new Error(`internal: the counters of ${orgId} were not loaded for this batch`)
    const k = key(orgId, product)
    const held = cache.counters.get(k)
    if (held === undefined) {
      cache.counters.set(k, null)
      return undefined
    }
    return held === null ? undefined : counterRowOf(held)
  }
  const poolRow = (poolId: string, product: string): PoolRow | undefined => {
    const k = key(poolId, product)
    const held = cache.pools.get(k)
    if (held === undefined) {
      cache.pools.set(k, null)
      return undefined
    }
    return held === null ? undefined : poolRowOf(held)
  }
  /** Orgs whose name equals `name` as SQLite's lower() compares them (under `parent`, when given). */
  const named = (name: string): OrgRow[] => tree.bySqliteName.get(asciiLower(name)) ?? []
  const namedUnder = (parent: string | null, name: string): OrgRow[] => tree.byParentAndName.get(`${parent ?? ''}\u0000${asciiLower(name)}`) ?? []

  return {
    async load(workspace, reports: readonly MeterReport[]) {
      bulk = reports.length > WITH_COMMIT
      cache = cacheOf(workspace.id)
      let held = cache.tree
      let call = request(workspace, reports, held)
      let state = JSON.parse(await connection.load(call.text)) as Loaded
      if (state.stale) {
        // The tree changed since: drop what was held of it and name every reference.
        cache.tree = held = undefined
        cache.forgetRows()
        version++
        call = request(workspace, reports, undefined)
        state = JSON.parse(await connection.load(call.text)) as Loaded
      }
      if (cache.tree?.version !== state.v) {
        if (cache.tree !== undefined) version++
        cache.tree = new Tree(state.v)
      }
      tree = cache.tree
      if (take(workspace, state, call.products, call.known)) version++
      for (const ref of call.raw) tree.resolved.set(ref, tree.candidates(ref))
      nextId = state.first ?? 0
      lastId = nextId + reports.length - 1
      clearWrites()
      if (bulk) ledgerCopy = await connection.copyStart(`COPY usage_ledger (${LEDGER_COLUMNS}) FROM STDIN`)
    },
    async persist() {
      // Counter rows: each one that existed is updated, a new one inserted; a bulk batch sends them through COPY.
      const levels: CounterValues[] = []
      const newLevels: CounterValues[] = []
      let counterText = ''
      for (const [k, values] of levelWrites) {
        const fresh = !cache.counters.get(k)
        ;(fresh ? newLevels : levels).push(values)
        if (bulk) counterText += counterLine(values, fresh)
        cache.counters.set(k, values.slice(3) as CounterNumbers)
      }
      const pools: PoolValues[] = []
      const newPools: PoolValues[] = []
      for (const [k, values] of poolWrites) {
        ;(cache.pools.get(k) ? pools : newPools).push(values)
        cache.pools.set(k, values.slice(3) as PoolNumbers)
      }
      const parts = new Map<string, unknown[][]>([
        ['ledger', ledgerRows],
        [bulk ? 'copied_levels' : 'levels', levels],
        [bulk ? 'copied_new_levels' : 'new_levels', newLevels],
        ['pools', pools],
        ['new_pools', newPools],
        ['org_rollups', [...orgRollupWrites.values()]],
        ['pool_rollups', [...poolRollupWrites.values()]],
        ['rejection_bindings', bindingWrites],
        ['armed', [...armedWrites.entries()]],
        ['fired', fired.map(([w, at, m, r, k]) => [w, at, m, r, k])],
        ['alert_events', fired.map(([w, at, , r, , d, ra]) => [w, at, r, d, ra])],
      ])
      const statement = bulk ? persistStatement(parts) : writeCall(parts)
      const copy = ledgerCopy
      ledgerCopy = undefined
      clearWrites()
      try {
        await copy?.finish()
        if (counterText !== '') {
          const counters = await connection.copyStart(COUNTER_WRITES)
          counters.write(counterText)
          await counters.finish()
        }
        // A batch of invalid lines only: nothing to write.
        if (statement === undefined) return
        if (!bulk) connection.writeWithCommit(statement.sql, statement.params)
        else await db.run(statement.sql, ...(statement.params as never[]))
      } catch (error) {
        throw claimedMeanwhile(error)
      }
    },
    async abandon() {
      const copy = ledgerCopy
      ledgerCopy = undefined
      await copy?.abort()
    },
    rolledBack() {
      // What this transaction wrote was put in the cache at persist: none of it is in the database.
      workspaces.clear()
      cache = new WorkspaceCache()
      tree = new Tree(-1)
      version++
    },
    orgById: { get: (_ws, id) => tree.byId.get(id), all: (_ws, id) => (tree.byId.has(id) ? [tree.byId.get(id) as OrgRow] : []) },
    orgsInWorkspace: { get: () => tree.orgs[0], all: () => tree.orgs },
    // Through the folded-name index; then SQLite's comparison (A-Z only), as the SQLite store answers.
    orgsByName: {
      get: (_ws, name) => named(name)[0],
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
      get: (org) => (tree.accounts.has(org) ? { id: tree.accounts.get(org) as string } : undefined),
      all: (org) => (tree.accounts.has(org) ? [{ id: tree.accounts.get(org) as string }] : []),
    },
    product: { get: (_ws, k) => (products.has(k) ? { key: k } : undefined), all: (_ws, k) => (products.has(k) ? [{ key: k }] : []) },
    limits: { get: (org) => limits.get(org)?.[0], all: (org) => limits.get(org) ?? [] },
    counter: { get: (org, product) => counterRow(org, product), all: (org, product) => [counterRow(org, product)].flatMap((r) => (r ? [r] : [])) },
    poolUsed: { get: (pool, product) => poolRow(pool, product), all: (pool, product) => [poolRow(pool, product)].flatMap((r) => (r ? [r] : [])) },
    capacityOfWorkspace: { get: () => capacity[0], all: () => capacity },
    capacityOfAccount: {
      get: (_ws, account) => capacity.find((r) => r.accountId === account),
      all: (_ws, account) => capacity.filter((r) => r.accountId === account),
    },
    claimed: { get: (_ws, k) => claimed.get(k), all: (_ws, k) => (claimed.has(k) ? [claimed.get(k) as ClaimedRow] : []) },
    appendLedger(...values) {
      if (nextId > lastId) throw new Error('internal: more ledger rows than reports were loaded for')
      const id = nextId++
      if (ledgerCopy) ledgerCopy.write(ledgerLine(id, ...values))
      else ledgerRows.push([id, ...values])
      const [, orgId, product, kind, value, delta, outcome, , levelAfter, headroomAfter, bindingKind, bindingId, k, at] = values
      if (k !== null && outcome === 'accepted')
        claimed.set(k, { id, org_id: orgId, product, kind, value, delta, level_after: levelAfter, headroom_after: headroomAfter, binding_kind: bindingKind, binding_id: bindingId, at })
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
    writeAlertArmed: {
      run: (armed, id) => {
        armedWrites.set(id, armed)
        // What the database will hold once this commits (a Meter holds it too).
        const alert = alerts.find((a) => a.id === id)
        if (alert) alert.armed = armed
        cache.alerts = JSON.stringify(alerts.map((a) => [a.id, a.scope_kind, a.scope_id, a.product, a.percent, a.armed]))
      },
    },
    alertFired: { run: (...values) => void fired.push(values) },
    // Moves when something a Meter may hold changed (see the opening comment).
    dataVersion: () => version,
  }
}
