// The metering decision (R-ORG-3, R-USE-1..5), run inside BEGIN IMMEDIATE
// transactions. While a transaction holds the write lock nothing else can change
// the data, so a Meter caches orgs, limits, capacities and counters, and writes
// the counters once at flush. Every report still appends its own ledger row at
// once. A Meter may serve the next transaction only if no other connection has
// committed in between (the store's data version unchanged; see `stillValid`).
// Hot path: the store's prepared statements only (store/meter-store.ts), synchronous.
import { iso } from '../clock.js'
import type { Ctx } from '../context.js'
import { asciiOnly, sameName } from '../names.js'
import { boundReference } from '../reference.js'
import { capacityFromRows } from '../pools/pools.js'
import type { ClaimedRow, MeterStore, OrgRollupValues, PoolRollupValues, RejectionBindingValues } from '../store/meter-store.js'
import type { Binding, UsageDecision, UsageReportInput } from './decision.js'
import { effectiveHeadroom } from './headroom.js'

type OrgNode = {
  id: string
  name: string
  path: string
  /** The org first, its top-level ancestor last. */
  chain: string[]
  /** The pool it draws from; null in assigned mode when its top-level org has no account. */
  poolId: string | null
  /** Per product, the counters a report touches (see `slot`). */
  slots?: Map<string, Slot>
}

/**
 * What a report by an org on a product touches, resolved once per Meter so the
 * hot path walks arrays instead of looking counters up by key at each step:
 * the counters of the chain (the org first) and the pool's.
 */
type Slot = { chain: Counter[]; pool: PoolCounter | null; alerts?: SlotAlerts; /** The pool's capacity for the product, once asked for. */ capacity?: number }
/** The alerts a slot's reports check: on its pool, and on limits along its chain (with the counter they watch). */
type SlotAlerts = { pool: Alert[] | undefined; poolName: () => string; limits: { alerts: Alert[]; counter: Counter; limit: number; name: () => string }[] }

type Counter = {
  orgId: string
  product: string
  level: number
  subtree: number
  dirty: boolean
  roll?: OrgRoll
  /** The org's own limit for the product (undefined: none); limits cannot change while a Meter is valid. */
  limit: number | undefined
  /** Its pool's capacity for the product (null: no pool), once asked for (at flush). */
  capacity?: number | null
  /**
   * The stored row matches this counter but for level, subtree, peaks and accepted counts:
   * written whole by this Meter since its hour began and its last rejection was counted.
   */
  synced: boolean
}
type PoolCounter = { poolId: string; product: string; used: number; dirty: boolean; roll?: PoolRoll }
/**
 * The current hour's rollup of a counter (schema/rollups.ts), stored in the
 * counter's own row: peaks and report counts in the hour so far.
 */
type Counts = { accepted: number; capacity: number; limit: number; other: number }
type OrgRoll = { hour: number; peak: number; subPeak: number; own: Counts; sub: Counts; limit: number | null; capacity: number | null }
type PoolRoll = { hour: number; peak: number; counts: Counts; capacity: number | null }
type Alert = { id: string; scopeKind: string; scopeId: string; product: string; percent: number; armed: number }

const HOUR = 3_600_000
const zero = (): Counts => ({ accepted: 0, capacity: 0, limit: 0, other: 0 })
const ZERO: Counts = zero()
/** Counts a report into a rollup: accepted (reason null) or rejected, by reason. */
function count(counts: Counts, reason: string | null): void {
  if (reason === null) counts.accepted++
  else if (reason === 'CAPACITY_EXCEEDED') counts.capacity++
  else if (reason === 'LIMIT_EXCEEDED') counts.limit++
  else counts.other++
}

class Rejection extends Error {
  constructor(
    readonly reason: string,
    message: string,
    /** What bound it, for CAPACITY_EXCEEDED and LIMIT_EXCEEDED. */
    readonly binding?: Binding,
  ) {
    super(message)
  }
}

/**
 * Keys read in one statement before a batch (prepare): printable ASCII, which
 * passes through JSON to SQLite's json_each unchanged; any other key is looked
 * up on its own, as before.
 */
const PREFETCHED_KEY = /^[\u0020-\u007e]+$/

/**
 * What a batch knows about its keys' claims (R-USE-4): which keys were read, their claims before it,
 * and its own so far of the keys it gives more than once (only those are asked for again).
 */
type Claims = { keys: Set<string>; repeated: Set<string>; read: Map<string, ClaimedRow>; accepted: Map<string, ClaimedRow> }

export class Meter {
  private readonly sql: MeterStore
  private readonly orgs = new Map<string, OrgNode>()
  private readonly rows = new Map<string, { id: string; name: string; parent_id: string | null }>()
  private readonly parts = new Map<string, { id: string; name: string; parent_id: string | null }>()
  private readonly products = new Set<string>()
  private readonly limitsByOrg = new Map<string, Map<string, number>>()
  private readonly capacities = new Map<string, Map<string, number>>()
  private readonly counters = new Map<string, Map<string, Counter>>()
  private readonly poolUsed = new Map<string, Map<string, PoolCounter>>()
  /** Counters changed since the last flush. */
  private dirty: (Counter | PoolCounter)[] = []
  /** Finished hours moved out of the counter rows since the last flush. */
  private archived: { org: OrgRollupValues[]; pool: PoolRollupValues[] } = { org: [], pool: [] }
  /** What bound the rejections since the last flush, counted by org, product, hour and binding. */
  private bindings = new Map<string, RejectionBindingValues>()
  /** The workspace's alerts by scope and product; loaded once per Meter. */
  private alertsByScope: Map<string, Alert[]> | undefined
  /** Set by prepare for the batch being decided; flush drops it. */
  private claims: Claims | undefined
  private hour = 0
  private hourFor = Number.NaN
  private nowIso = ''
  private nowIsoFor = Number.NaN

  private dataVersion: number

  constructor(private ctx: Ctx) {
    this.sql = ctx.db.meterStore()
    this.dataVersion = this.sql.dataVersion()
  }

  /**
   * Whether this Meter's caches still hold for a new transaction: true when no
   * other connection committed since it was made (our own commits do not move
   * data_version). Call at the start of the new transaction, with its context.
   */
  stillValid(ctx: Ctx): boolean {
    const version = this.sql.dataVersion()
    if (version !== this.dataVersion || ctx.workspace.id !== this.ctx.workspace.id) return false
    this.ctx = ctx
    return true
  }

  /**
   * Before deciding a batch, inside its transaction (usage import): the keys'
   * claims (accepted reports with the same key, R-USE-4) are read in one
   * statement instead of one each, and the keys the batch accepts are kept as
   * it goes, so a key given twice in the batch replays as before. Flush ends it.
   * A no-op where the store has no such read (PostgreSQL's load reads claims).
   */
  prepare(reports: readonly { key?: string }[]): void {
    const claimedIn = this.sql.claimedIn
    if (claimedIn === undefined) return
    const keys = new Set<string>()
    const repeated = new Set<string>()
    for (const report of reports) {
      const key = report.key
      if (key === undefined || !PREFETCHED_KEY.test(key)) continue
      if (keys.has(key)) repeated.add(key)
      else keys.add(key)
    }
    this.claims = keys.size === 0 ? undefined : { keys, repeated, read: claimedIn(this.ctx.workspace.id, [...keys]), accepted: new Map() }
  }

  /** Decides one report and appends it to the ledger. Call inside the transaction. */
  report(input: UsageReportInput): UsageDecision {
    const kind = input.set !== undefined ? 'set' : 'delta'
    const requested = (input.set ?? input.delta ?? 0) as number
    let org: OrgNode | undefined
    let level = 0
    let delta = kind === 'delta' ? requested : 0
    try {
      org = this.resolveOrg(input.org)
      this.requireProduct(input.product)
      // The org's counter, from its slot once the slot is made (the same object).
      level = (org.slots?.get(input.product)?.chain[0] ?? this.counter(org.id, input.product)).level
      if (input.key !== undefined) {
        const replay = this.replay(input, org, kind, requested)
        if (replay) return replay
      }
      delta = kind === 'set' ? requested - level : requested
      if (level + delta < 0)
        throw new Rejection('BELOW_ZERO', `"${org.path}" uses ${level} ${input.product}; it cannot release ${-delta}`)
      const slot = this.slot(org, input.product)
      const before = delta > 0 ? this.headroomOf(org, slot, input.product) : undefined
      if (before !== undefined && delta > before.headroom) throw this.exceeded(org, input.product, delta, before.headroom, before.binding)
      this.meter(slot, input.product, delta, null)
      // An increase moved the pool's use and every subtree on the chain by delta: the same bound binds, delta lower.
      const after = before !== undefined ? { headroom: before.headroom - delta, binding: before.binding } : this.headroomOrNull(org, input.product)
      const id = this.append(org.id, input, kind, requested, delta, 'accepted', null, level + delta, after)
      if (delta !== 0) this.checkAlerts(org, slot, id)
      return this.decision(id, true, false, org.id, input, kind, requested, delta, level + delta, after, null, null)
    } catch (error) {
      if (!(error instanceof Rejection)) throw error
      const known = org !== undefined && this.products.has(input.product)
      const after = known ? this.headroomOrNull(org as OrgNode, input.product) : { headroom: null, binding: null }
      // An unknown reference is ledgered as given, up to a bound: a 1 MB name must not grow the file by 1 MB.
      const orgId = org?.id ?? boundReference(input.org)
      const product = this.products.has(input.product) ? input.product : boundReference(input.product)
      const stored = product === input.product ? input : { ...input, product }
      if (known) this.meter(this.slot(org as OrgNode, input.product), input.product, 0, error.reason)
      if (error.binding) this.noteBinding((org as OrgNode).id, input.product, error.binding)
      const id = this.append(orgId, stored, kind, requested, delta, 'rejected', error.reason, level, after)
      return this.decision(id, false, false, orgId, stored, kind, requested, delta, level, after, error.reason, error.message)
    }
  }

  /** Writes the finished hours and the changed counters; call once, just before the transaction commits. */
  flush(): void {
    this.claims = undefined
    const workspaceId = this.ctx.workspace.id
    for (const values of this.archived.org) this.sql.writeOrgRollup.run(...values)
    for (const values of this.archived.pool) this.sql.writePoolRollup.run(...values)
    this.archived = { org: [], pool: [] }
    for (const values of this.bindings.values()) this.sql.writeRejectionBinding.run(...values)
    this.bindings.clear()
    for (const counter of this.dirty) {
      if ('orgId' in counter) {
        const r = counter.roll
        // Within an hour of accepted reports only these columns move: the narrow update (SQLite) skips
        // binding and encoding the rest; the row, written whole since, holds the same values there.
        if (counter.synced && r && this.sql.writeCounterLevels?.(counter.level, counter.subtree, r.peak, r.own.accepted, r.subPeak, r.sub.accepted, counter.orgId, counter.product)) {
          counter.dirty = false
          continue
        }
        // The limit and capacity as of the hour's latest report (they cannot change within a
        // transaction): what the hour keeps when a later hour's report moves it out.
        if (r) {
          r.limit = counter.limit ?? null
          if (counter.capacity === undefined) counter.capacity = this.orgCapacity(counter.orgId, counter.product)
          r.capacity = counter.capacity
        }
        const own = r?.own ?? ZERO
        const sub = r?.sub ?? ZERO
        this.sql.writeCounter.run(counter.orgId, workspaceId, counter.product, counter.level, counter.subtree, r?.hour ?? null, r?.peak ?? 0,
          own.accepted, own.capacity, own.limit, own.other, r?.subPeak ?? 0, sub.accepted, sub.capacity, sub.limit, sub.other,
          r?.limit ?? null, r?.capacity ?? null)
        counter.synced = true
      } else {
        const r = counter.roll
        if (r) r.capacity = this.capacity(counter.poolId).get(counter.product) ?? 0
        const c = r?.counts ?? ZERO
        this.sql.writePool.run(counter.poolId, workspaceId, counter.product, counter.used, r?.hour ?? null, r?.peak ?? 0, c.accepted, c.capacity, c.limit, c.other,
          r?.capacity ?? null)
      }
      counter.dirty = false
    }
    this.dirty = []
  }

  /**
   * Applies `delta` (0 for a rejection, counted by its reason) to the org's
   * counters, its ancestors' and its pool's, and keeps their hour's rollups
   * (issue 17) in the same pass: a report in a later hour first moves the
   * counter's finished hour to the rollup tables, with the levels it ended at.
   */
  private meter(slot: Slot, product: string, delta: number, reason: string | null): void {
    const hour = this.hourNow()
    const chain = slot.chain
    for (let index = 0; index < chain.length; index++) {
      const counter = chain[index] as Counter
      let r = counter.roll
      if (r === undefined || r.hour !== hour) r = this.newOrgHour(counter, product, hour)
      if (index === 0) {
        counter.level += delta
        if (counter.level > r.peak) r.peak = counter.level
        if (reason === null) r.own.accepted++
        else count(r.own, reason)
      }
      counter.subtree += delta
      if (counter.subtree > r.subPeak) r.subPeak = counter.subtree
      if (reason === null) r.sub.accepted++
      else {
        count(r.sub, reason)
        counter.synced = false
      }
      if (!counter.dirty) this.markDirty(counter)
    }
    const pool = slot.pool
    if (pool === null) return
    let r = pool.roll
    if (r === undefined || r.hour !== hour) {
      // The level before this report: where the finished hour ended and the new one starts (its first peak).
      if (r !== undefined) {
        const c = r.counts
        this.archived.pool.push([pool.poolId, product, r.hour, this.ctx.workspace.id, pool.used, r.peak, c.accepted, c.capacity, c.limit, c.other, r.capacity])
      }
      r = pool.roll = { hour, peak: pool.used, counts: zero(), capacity: null }
    }
    pool.used += delta
    if (pool.used > r.peak) r.peak = pool.used
    if (reason === null) r.counts.accepted++
    else count(r.counts, reason)
    if (!pool.dirty) this.markDirty(pool)
  }

  /** Starts a counter's new hour at its levels before this report, moving the finished hour out. */
  private newOrgHour(counter: Counter, product: string, hour: number): OrgRoll {
    const r = counter.roll
    if (r !== undefined) {
      const { own, sub } = r
      this.archived.org.push([counter.orgId, product, r.hour, this.ctx.workspace.id, counter.level, r.peak, own.accepted, own.capacity, own.limit, own.other,
        counter.subtree, r.subPeak, sub.accepted, sub.capacity, sub.limit, sub.other, r.limit, r.capacity])
    }
    const roll: OrgRoll = { hour, peak: counter.level, subPeak: counter.subtree, own: zero(), sub: zero(), limit: null, capacity: null }
    counter.roll = roll
    counter.synced = false
    return roll
  }

  private hourNow(): number {
    if (this.hourFor !== this.ctx.now) {
      this.hour = Math.floor(this.ctx.now / HOUR) * HOUR
      this.hourFor = this.ctx.now
    }
    return this.hour
  }

  /** Counts a rejection against what bound it (issue 17: `usage report --rejections` names it per past rejection). */
  private noteBinding(orgId: string, product: string, binding: Binding): void {
    const hour = this.hourNow()
    const bindingId = binding.kind === 'pool' ? binding.poolId : binding.orgId
    const key = `${orgId}\u0000${product}\u0000${hour}\u0000${binding.kind}\u0000${bindingId}`
    const values = this.bindings.get(key)
    if (values) values[6]++
    else this.bindings.set(key, [orgId, product, hour, binding.kind, bindingId, this.ctx.workspace.id, 1])
  }

  /** The capacity of an org's pool for a product, null when it has none. */
  private orgCapacity(orgId: string, product: string): number | null {
    const poolId = this.node(orgId).poolId
    return poolId === null ? null : (this.capacity(poolId).get(product) ?? 0)
  }

  /**
   * Usage alerts (issue 17): after an accepted change, each threshold on the
   * pool or on a limit along the chain fires once when usage reaches it, and
   * is re-armed when usage falls back below it. Written in this transaction.
   */
  private checkAlerts(org: OrgNode, slot: Slot, reportId: number): void {
    if (this.alertsByScope === undefined) {
      this.alertsByScope = new Map()
      for (const row of this.sql.alerts.all(this.ctx.workspace.id)) {
        const k = `${row.scope_id}\u0000${row.product}`
        const list = this.alertsByScope.get(k) ?? []
        list.push({ id: row.id, scopeKind: row.scope_kind, scopeId: row.scope_id, product: row.product, percent: row.percent, armed: row.armed })
        this.alertsByScope.set(k, list)
      }
    }
    if (this.alertsByScope.size === 0) return
    let watched = slot.alerts
    if (watched === undefined) {
      const byScope = this.alertsByScope
      const limits: SlotAlerts['limits'] = []
      for (const counter of slot.chain) {
        const alerts = byScope.get(`${counter.orgId}\u0000${counter.product}`)
        if (alerts && counter.limit !== undefined) limits.push({ alerts, counter, limit: counter.limit, name: () => `the limit of "${this.node(counter.orgId).path}"` })
      }
      const pool = slot.pool === null ? undefined : byScope.get(`${slot.pool.poolId}\u0000${slot.pool.product}`)
      watched = slot.alerts = { pool, poolName: () => this.poolName(org), limits }
    }
    if (watched.pool && slot.pool !== null) {
      const { poolId, product } = slot.pool
      this.evaluate(watched.pool, slot.pool.used, this.capacity(poolId).get(product) ?? 0, org, reportId, watched.poolName)
    }
    for (const { alerts, counter, limit, name } of watched.limits) this.evaluate(alerts, counter.subtree, limit, org, reportId, name)
  }

  private evaluate(alerts: Alert[], used: number, of: number, org: OrgNode, reportId: number, what: () => string): void {
    for (const alert of alerts) {
      const above = used > 0 && used * 100 >= alert.percent * of
      if (above && alert.armed === 1) {
        alert.armed = 0
        this.sql.writeAlertArmed.run(0, alert.id)
        const message = `${alert.product} reached ${alert.percent}% of ${what()}: ${used} of ${of} (report rpt_${reportId} by "${org.path}")`
        const refs = { alertId: alert.id, [alert.scopeKind === 'pool' ? 'poolId' : 'orgId']: alert.scopeId, product: alert.product, reportId: `rpt_${reportId}` }
        const data = { message, percent: alert.percent, used, of, scope: alert.scopeKind, reportOrgId: org.id }
        this.sql.alertFired.run(this.ctx.workspace.id, this.ctx.now, message, JSON.stringify(refs), `usage_alert:${alert.id}:${reportId}`, JSON.stringify(data), Date.now())
      } else if (!above && alert.armed === 0) {
        alert.armed = 1
        this.sql.writeAlertArmed.run(1, alert.id)
      }
    }
  }

  private decision(
    id: number,
    accepted: boolean,
    replayed: boolean,
    orgId: string,
    input: UsageReportInput,
    kind: 'delta' | 'set',
    requested: number,
    delta: number,
    level: number,
    after: { headroom: number | null; binding: Binding | null },
    reason: string | null,
    message: string | null,
    at = this.ctx.now,
  ): UsageDecision {
    return {
      accepted,
      replayed,
      reportId: `rpt_${id}`,
      orgId,
      product: input.product,
      kind,
      requested,
      delta,
      level,
      headroom: after.headroom,
      reason,
      message,
      binding: after.binding,
      key: input.key ?? null,
      at: at === this.ctx.now ? this.isoNow() : iso(at),
    }
  }

  private isoNow(): string {
    if (this.nowIsoFor !== this.ctx.now) {
      this.nowIso = iso(this.ctx.now)
      this.nowIsoFor = this.ctx.now
    }
    return this.nowIso
  }

  private append(
    orgId: string,
    input: UsageReportInput,
    kind: 'delta' | 'set',
    requested: number,
    delta: number,
    outcome: 'accepted' | 'rejected' | 'replayed',
    reason: string | null,
    levelAfter: number,
    after: { headroom: number | null; binding: Binding | null },
  ): number {
    const binding = after.binding
    const bindingKind = binding?.kind ?? null
    const bindingId = binding === null ? null : binding.kind === 'pool' ? binding.poolId : binding.orgId
    const id = this.sql.appendLedger(
      this.ctx.workspace.id,
      orgId,
      input.product,
      kind,
      requested,
      delta,
      outcome,
      reason,
      levelAfter,
      after.headroom,
      bindingKind,
      bindingId,
      input.key ?? null,
      this.ctx.now,
    )
    // The row as the claim statement would read it back (replay), for a key the batch gives again.
    if (outcome === 'accepted' && input.key !== undefined && this.claims !== undefined && this.claims.repeated.has(input.key))
      this.claims.accepted.set(input.key, {
        id,
        org_id: orgId,
        product: input.product,
        kind,
        value: requested,
        delta,
        level_after: levelAfter,
        headroom_after: after.headroom,
        binding_kind: bindingKind,
        binding_id: bindingId,
        at: this.ctx.now,
      })
    return id
  }

  /** The accepted report that claimed `key` (R-USE-4), if any. */
  private claimOf(key: string): ClaimedRow | undefined {
    const claims = this.claims
    if (claims === undefined || !claims.keys.has(key)) return this.sql.claimed.get(this.ctx.workspace.id, key)
    return claims.accepted.get(key) ?? claims.read.get(key)
  }

  /** R-USE-4: an accepted key replays with the same payload, conflicts with another. */
  private replay(input: UsageReportInput, org: OrgNode, kind: 'delta' | 'set', requested: number): UsageDecision | undefined {
    const original = this.claimOf(input.key as string)
    if (!original) return undefined
    if (original.org_id !== org.id || original.product !== input.product || original.kind !== kind || original.value !== requested)
      throw new Rejection(
        'IDEMPOTENCY_CONFLICT',
        `key "${input.key}" was already used for a different report (${original.kind} ${original.value} ${original.product} on ${original.org_id}); use a new key`,
      )
    const binding: Binding | null =
      original.binding_kind === 'pool'
        ? { kind: 'pool', poolId: original.binding_id ?? '' }
        : original.binding_kind === 'limit'
          ? { kind: 'limit', orgId: original.binding_id ?? '', limit: this.limits(original.binding_id ?? '').get(input.product) ?? 0 }
          : null
    const after = { headroom: original.headroom_after, binding }
    this.append(org.id, input, kind, requested, 0, 'replayed', null, original.level_after, after)
    return this.decision(original.id, true, true, org.id, input, kind, requested, original.delta, original.level_after, after, null, null, original.at)
  }

  private slot(org: OrgNode, product: string): Slot {
    if (org.slots === undefined) org.slots = new Map()
    let slot = org.slots.get(product)
    if (slot === undefined) {
      slot = { chain: org.chain.map((orgId) => this.counter(orgId, product)), pool: org.poolId === null ? null : this.pool(org.poolId, product) }
      org.slots.set(product, slot)
    }
    return slot
  }

  /** R-ORG-3, over the cached counters. */
  private headroom(org: OrgNode, product: string): { headroom: number; binding: Binding } {
    return this.headroomOf(org, this.slot(org, product), product)
  }

  /** The same with the org's slot for the product at hand (capacities cannot change while a Meter is valid). */
  private headroomOf(org: OrgNode, slot: Slot, product: string): { headroom: number; binding: Binding } {
    if (org.poolId === null || slot.pool === null)
      throw new Rejection('NO_BILLING_ACCOUNT', `"${org.path}" has no pool: its top-level organization has no billing account assigned`)
    slot.capacity ??= this.capacity(org.poolId).get(product) ?? 0
    // The chain's counters carry their org's limit and subtree: they are the links themselves.
    return effectiveHeadroom(org.poolId, slot.capacity - slot.pool.used, slot.chain)
  }

  /** A pool as people know it (the id is in the details): the workspace's by its name, an account's by the top-level org it serves. */
  private poolName(org: OrgNode): string {
    return this.ctx.workspace.mode === 'assigned'
      ? `the pool serving "${this.node(org.chain.at(-1) as string).name}"`
      : `the pool of "${this.ctx.workspace.name}"`
  }

  private headroomOrNull(org: OrgNode, product: string): { headroom: number | null; binding: Binding | null } {
    if (org.poolId === null) return { headroom: null, binding: null }
    return this.headroom(org, product)
  }

  private exceeded(org: OrgNode, product: string, delta: number, headroom: number, binding: Binding): Rejection {
    if (binding.kind === 'pool')
      return new Rejection(
        'CAPACITY_EXCEEDED',
        `${this.poolName(org)} has ${headroom} ${product} available; "${org.path}" asked for ${delta} more`,
        binding,
      )
    const limited = this.node(binding.orgId)
    return new Rejection(
      'LIMIT_EXCEEDED',
      `the limit of ${binding.limit} ${product} on "${limited.path}" leaves ${headroom} for "${org.path}", which asked for ${delta} more`,
      binding,
    )
  }

  private markDirty(counter: Counter | PoolCounter): void {
    if (counter.dirty) return
    counter.dirty = true
    this.dirty.push(counter)
  }

  private counter(orgId: string, product: string): Counter {
    let byProduct = this.counters.get(orgId)
    if (!byProduct) this.counters.set(orgId, (byProduct = new Map()))
    let counter = byProduct.get(product)
    if (!counter) {
      const row = this.sql.counter.get(orgId, product)
      counter = { orgId, product, level: row?.level ?? 0, subtree: row?.subtree ?? 0, dirty: false, limit: this.limits(orgId).get(product), synced: false }
      if (row?.roll_hour != null)
        counter.roll = {
          hour: Number(row.roll_hour),
          peak: row.peak,
          subPeak: row.sub_peak,
          own: { accepted: row.accepted, capacity: row.rejected_capacity, limit: row.rejected_limit, other: row.rejected_other },
          sub: { accepted: row.sub_accepted, capacity: row.sub_rejected_capacity, limit: row.sub_rejected_limit, other: row.sub_rejected_other },
          limit: row.roll_limit == null ? null : Number(row.roll_limit),
          capacity: row.roll_capacity == null ? null : Number(row.roll_capacity),
        }
      byProduct.set(product, counter)
    }
    return counter
  }

  private pool(poolId: string, product: string): PoolCounter {
    let byProduct = this.poolUsed.get(poolId)
    if (!byProduct) this.poolUsed.set(poolId, (byProduct = new Map()))
    let pool = byProduct.get(product)
    if (!pool) {
      const row = this.sql.poolUsed.get(poolId, product)
      pool = { poolId, product, used: row?.used ?? 0, dirty: false }
      if (row?.roll_hour != null)
        pool.roll = {
          hour: Number(row.roll_hour),
          peak: row.peak,
          counts: { accepted: row.accepted, capacity: row.rejected_capacity, limit: row.rejected_limit, other: row.rejected_other },
          capacity: row.roll_capacity == null ? null : Number(row.roll_capacity),
        }
      byProduct.set(product, pool)
    }
    return pool
  }

  private capacity(poolId: string): Map<string, number> {
    let capacity = this.capacities.get(poolId)
    if (!capacity) {
      const assigned = this.ctx.workspace.mode === 'assigned'
      const rows = assigned ? this.sql.capacityOfAccount.all(this.ctx.workspace.id, poolId) : this.sql.capacityOfWorkspace.all(this.ctx.workspace.id)
      capacity = new Map([...capacityFromRows(rows)].map(([product, c]) => [product, c.capacity]))
      this.capacities.set(poolId, capacity)
    }
    return capacity
  }

  private limits(orgId: string): Map<string, number> {
    let limits = this.limitsByOrg.get(orgId)
    if (!limits) {
      limits = new Map(this.sql.limits.all(orgId).map((row) => [row.product, row.limit]))
      this.limitsByOrg.set(orgId, limits)
    }
    return limits
  }

  private requireProduct(product: string): void {
    if (this.products.has(product)) return
    if (!this.sql.product.get(this.ctx.workspace.id, product)) throw new Rejection('NOT_FOUND', `product "${boundReference(product)}" not found`)
    this.products.add(product)
  }

  /** Resolves an org by id, unique name or path "A/B", with its chain and pool. */
  private resolveOrg(ref: string): OrgNode {
    const cached = this.orgs.get(ref)
    if (cached) return cached
    const row = this.findOrg(ref)
    // The row as found (the lookup read it whole): node() need not read it again.
    if (!this.rows.has(row.id)) this.rows.set(row.id, row)
    const node = this.node(row.id)
    this.orgs.set(ref, node)
    return node
  }

  /**
   * The org named `name` at the top level (parent null) or under a parent, as
   * found before by this Meter: the 100 children of one org named by paths
   * "Parent/Child" look the parent up once, not 100 times.
   */
  private part(parentId: string | null, name: string): { id: string; name: string; parent_id: string | null } | undefined {
    const key = `${parentId ?? ''}\u0000${name}`
    let found = this.parts.get(key)
    if (found === undefined) {
      found = parentId === null ? this.sql.topByName.get(this.ctx.workspace.id, name) : this.sql.childByName.get(parentId, name)
      if (found !== undefined) this.parts.set(key, found)
    }
    return found
  }

  private findOrg(ref: string): { id: string; name: string; parent_id: string | null } {
    const workspaceId = this.ctx.workspace.id
    // An id never holds "/" (ids.ts): a path is not looked up as one.
    const byId = ref.includes('/') ? undefined : this.sql.orgById.get(workspaceId, ref)
    if (byId) return byId
    // SQLite's lower() folds only A-Z: names with other letters are compared as the
    // org tree compares them (core/names.ts), so every command finds the same org.
    const named = (name: string) => this.sql.orgsInWorkspace.all(workspaceId).filter((row) => sameName(row.name, name))
    if (ref.includes('/')) {
      let found: { id: string; name: string; parent_id: string | null } | undefined
      for (const part of ref.split('/')) {
        const name = part.trim()
        const parentId: string | null = found?.id ?? null
        if (!asciiOnly(name)) found = named(name).find((row) => row.parent_id === parentId)
        else found = this.part(parentId, name)
        if (!found) throw new Rejection('NOT_FOUND', `organization "${boundReference(ref)}" not found`)
      }
      if (found) return found
    }
    const byName = asciiOnly(ref) ? this.sql.orgsByName.all(workspaceId, ref.trim()) : named(ref)
    if (byName.length === 1) return byName[0] as { id: string; name: string; parent_id: string | null }
    if (byName.length > 1) throw new Rejection('AMBIGUOUS_REFERENCE', `organization name "${ref}" is ambiguous; use an id or a path`)
    throw new Rejection('NOT_FOUND', `organization "${boundReference(ref)}" not found`)
  }

  private row(orgId: string): { id: string; name: string; parent_id: string | null } {
    let row = this.rows.get(orgId)
    if (!row) {
      row = this.sql.orgById.get(this.ctx.workspace.id, orgId)
      if (!row) throw new Error(`organization ${orgId} vanished during metering`)
      this.rows.set(orgId, row)
    }
    return row
  }

  private node(orgId: string): OrgNode {
    const cached = this.orgs.get(orgId)
    if (cached) return cached
    const chain: string[] = []
    const names: string[] = []
    for (let id: string | null = orgId; id !== null; ) {
      const row = this.row(id)
      chain.push(row.id)
      names.push(row.name)
      id = row.parent_id
    }
    const top = chain[chain.length - 1] as string
    const poolId = this.ctx.workspace.mode === 'assigned' ? (this.sql.accountOfOrg.get(top)?.id ?? null) : this.ctx.workspace.id
    const node = { id: orgId, name: names[0] as string, path: names.reverse().join('/'), chain, poolId }
    this.orgs.set(orgId, node)
    return node
  }
}
