// `usage history` (issue 17): usage over time per pool or org and product, in
// hour, day, week or month buckets of workspace time (UTC). Reads the hourly
// rollups the Meter keeps with each report (store/schema/rollups.ts): one
// indexed range read of at most one row per active hour, plus one row for the
// level carried in from before the range, never the ledger.
import { iso, isoMinute } from '../clock.js'
import type { Ctx } from '../context.js'
import { invalid } from '../errors.js'
import { unknownProduct } from '../catalog/unknown.js'
import { asciiOnly } from '../names.js'
import { resolveOrg } from '../orgs/resolve.js'
import { loadTree, pathOf } from '../orgs/tree.js'
import { resolvePool } from './scope.js'

export const BUCKETS = ['hour', 'day', 'week', 'month'] as const
export type Bucket = (typeof BUCKETS)[number]
/** The most buckets one query returns: ten years of days. */
export const MAX_BUCKETS = 3700

/** `from`/`to` left out: the 30 days up to now, through the end of the bucket holding now. */
export type HistoryInput = { pool?: string; org?: string; subtree?: boolean; product: string; from?: number; to?: number; bucket: Bucket }

export type HistoryBucket = {
  start: string
  end: string
  /** The level (org) or used (pool) at the end of the bucket. */
  level: number
  peak: number
  /** The pool's capacity at the last report up to the bucket's end; null before any report. */
  capacity: number | null
  /** Org history: the org's own limit at that time (null: none). */
  limit: number | null
  /** peak ÷ (limit, else capacity), in percent with one decimal; null when there is neither. */
  peakUtilization: number | null
  accepted: number
  rejected: { total: number; capacityExceeded: number; limitExceeded: number; other: number }
}

export type HistoryView = {
  scope: { kind: 'pool' | 'org'; id: string; name: string; subtree: boolean }
  product: string
  bucket: Bucket
  from: string
  to: string
  buckets: HistoryBucket[]
}

type Row = { hour: number; level: number; peak: number; accepted: number; rc: number; rl: number; ro: number; capacity: number | null; lim: number | null }

const HOUR = 3_600_000
const DAY = 24 * HOUR

/** The start of the bucket holding `t` (UTC; weeks start on Monday, as ISO 8601's). */
export function bucketStart(t: number, bucket: Bucket): number {
  if (bucket === 'hour') return Math.floor(t / HOUR) * HOUR
  const day = Math.floor(t / DAY) * DAY
  if (bucket === 'day') return day
  if (bucket === 'week') return day - ((new Date(day).getUTCDay() + 6) % 7) * DAY
  const d = new Date(day)
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1)
}

export function nextBucket(start: number, bucket: Bucket): number {
  if (bucket === 'hour') return start + HOUR
  if (bucket === 'day') return start + DAY
  if (bucket === 'week') return start + 7 * DAY
  const d = new Date(start)
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)
}

async function scopeOf(ctx: Ctx, input: HistoryInput): Promise<HistoryView['scope']> {
  if ((input.pool === undefined) === (input.org === undefined)) throw invalid('give exactly one of --pool and --org')
  if (input.pool !== undefined) {
    if (input.subtree) throw invalid('--subtree goes with --org')
    const pool = await resolvePool(ctx, input.pool)
    return { kind: 'pool', id: pool.id, name: pool.name, subtree: false }
  }
  const found = await findOrgQuickly(ctx, input.org as string)
  if (found) return { kind: 'org', id: found.id, name: found.path, subtree: input.subtree === true }
  const tree = await loadTree(ctx.db, ctx.workspace.id)
  const org = resolveOrg(tree, input.org as string)
  return { kind: 'org', id: org.id, name: pathOf(tree, org.id), subtree: input.subtree === true }
}

type OrgRow = { id: string; name: string; parent_id: string | null }

/**
 * An org by id, ASCII path or unique ASCII name through indexed lookups, with
 * its path: loading the whole tree would cost more than the history itself at
 * 10,000 orgs. Undefined when unsure (not found, ambiguous, other letters):
 * the caller then resolves through the tree, as every command does.
 */
async function findOrgQuickly(ctx: Ctx, ref: string): Promise<{ id: string; path: string } | undefined> {
  if (!asciiOnly(ref)) return undefined
  const ws = ctx.workspace.id
  const byId = (id: string) => ctx.db.get<OrgRow>('SELECT id, name, parent_id FROM organizations WHERE workspace_id = ? AND id = ?', ws, id)
  let row = await byId(ref)
  if (!row && ref.includes('/')) {
    for (const part of ref.split('/').map((p) => p.trim())) {
      const matches: OrgRow[] = row
        ? await ctx.db.all<OrgRow>('SELECT id, name, parent_id FROM organizations WHERE parent_id = ? AND lower(name) = lower(?) AND parent_id IS NOT NULL LIMIT 2', row.id, part)
        : await ctx.db.all<OrgRow>('SELECT id, name, parent_id FROM organizations WHERE workspace_id = ? AND lower(name) = lower(?) AND parent_id IS NULL LIMIT 2', ws, part)
      if (matches.length !== 1) return undefined
      row = matches[0]
    }
  } else if (!row) {
    const matches = await ctx.db.all<OrgRow>('SELECT id, name, parent_id FROM organizations WHERE workspace_id = ? AND lower(name) = lower(?) LIMIT 2', ws, ref.trim())
    if (matches.length !== 1) return undefined
    row = matches[0]
  }
  if (!row) return undefined
  const names = [row.name]
  for (let up = row.parent_id; up !== null; ) {
    const parent = await byId(up)
    if (!parent) return undefined
    names.unshift(parent.name)
    up = parent.parent_id
  }
  return { id: row.id, path: names.join('/') }
}

export async function usageHistory(ctx: Ctx, input: HistoryInput): Promise<HistoryView> {
  // The range ends with the bucket holding now: on a bucket edge (always so after `clock advance
  // --by 1d`) now's own reports are in it, and no bucket after it is shown (there is no data yet).
  const nowBucket = bucketStart(ctx.now, input.bucket)
  const last = nextBucket(nowBucket, input.bucket)
  const to = Math.min(input.to ?? last, last)
  const from = input.from ?? (input.to ?? ctx.now) - 30 * DAY
  const first = bucketStart(from, input.bucket)
  if (input.to !== undefined && !(from < input.to)) throw invalid('--from must be before --to', { from: iso(from), to: iso(input.to) })
  if (first > nowBucket)
    throw invalid(`--from must be before now (the workspace's time, ${isoMinute(ctx.now)}): there is no history after now`, { from: iso(from), now: iso(ctx.now) })
  const starts: number[] = []
  for (let t = first; t < to; t = nextBucket(t, input.bucket)) {
    starts.push(t)
    if (starts.length > MAX_BUCKETS) throw invalid(`that range holds more than ${MAX_BUCKETS} ${input.bucket} buckets; use a larger --bucket or a shorter range`)
  }
  const product = await ctx.db.get('SELECT key FROM products WHERE workspace_id = ? AND key = ?', ctx.workspace.id, input.product)
  if (!product) throw await unknownProduct(ctx.db, ctx.workspace.id, input.product)
  const scope = await scopeOf(ctx, input)
  const end = nextBucket(starts.at(-1) as number, input.bucket)

  // Finished hours are in the rollup tables; the current hour is in the counter row itself.
  const sub = scope.subtree ? 'sub_' : ''
  const counts = `${sub}accepted AS accepted, ${sub}rejected_capacity AS rc, ${sub}rejected_limit AS rl, ${sub}rejected_other AS ro`
  const [table, current, columns, currentColumns] =
    scope.kind === 'pool'
      ? ['pool_usage_rollups WHERE pool_id = ?', 'pool_usage WHERE pool_id = ?', `hour, level, peak, ${counts}, capacity, CAST(NULL AS bigint) AS lim`,
         `roll_hour AS hour, used AS level, peak, ${counts}, roll_capacity AS capacity, CAST(NULL AS bigint) AS lim`]
      : ['org_usage_rollups WHERE org_id = ?', 'usage_levels WHERE org_id = ?', `hour, ${sub}level AS level, ${sub}peak AS peak, ${counts}, capacity, "limit" AS lim`,
         `roll_hour AS hour, ${scope.subtree ? 'subtree' : 'level'} AS level, ${sub}peak AS peak, ${counts}, roll_capacity AS capacity, roll_limit AS lim`]
  const now = await ctx.db.get<Row>(`SELECT ${currentColumns} FROM ${current} AND product = ? AND roll_hour IS NOT NULL`, scope.id, input.product)
  const nowHour = now === undefined ? undefined : Number(now.hour)
  const before =
    nowHour !== undefined && nowHour < first
      ? now
      : await ctx.db.get<Row>(`SELECT ${columns} FROM ${table} AND product = ? AND hour < ? ORDER BY hour DESC LIMIT 1`, scope.id, input.product, first)
  const rows = await ctx.db.all<Row>(`SELECT ${columns} FROM ${table} AND product = ? AND hour >= ? AND hour < ? ORDER BY hour`, scope.id, input.product, first, end)
  if (now !== undefined && nowHour !== undefined && nowHour >= first && nowHour < end) rows.push(now)

  let level = Number(before?.level ?? 0)
  let capacity = before?.capacity == null ? null : Number(before.capacity)
  let limit = before?.lim == null ? null : Number(before.lim)
  let next = 0
  const buckets = starts.map((start, i): HistoryBucket => {
    const stop = starts[i + 1] ?? end
    let peak = level
    let accepted = 0
    let rc = 0
    let rl = 0
    let ro = 0
    for (; next < rows.length && Number((rows[next] as Row).hour) < stop; next++) {
      const row = rows[next] as Row
      level = Number(row.level)
      peak = Math.max(peak, Number(row.peak))
      accepted += Number(row.accepted)
      rc += Number(row.rc)
      rl += Number(row.rl)
      ro += Number(row.ro)
      capacity = row.capacity == null ? null : Number(row.capacity)
      limit = row.lim == null ? null : Number(row.lim)
    }
    const basis = limit ?? capacity
    return {
      start: iso(start),
      end: iso(stop),
      level,
      peak,
      capacity,
      limit,
      peakUtilization: basis ? Math.round((peak * 1000) / basis) / 10 : null,
      accepted,
      rejected: { total: rc + rl + ro, capacityExceeded: rc, limitExceeded: rl, other: ro },
    }
  })
  return { scope, product: input.product, bucket: input.bucket, from: iso(first), to: iso(end), buckets }
}
