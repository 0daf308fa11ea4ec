// Capacity planning for `usage report` (issue 17): days until a pool is full
// at its recent growth, a plain linear estimate over the last FORECAST_DAYS
// days: (used now − used then) ÷ days. From the pool's hourly rollups, one
// indexed read per pool and product, never the ledger.
import type { Ctx } from '../context.js'

export const FORECAST_DAYS = 7
const HOUR = 3_600_000
const DAY = 24 * HOUR

export type ForecastView = {
  /**
   * The window the growth is measured over, in days (one decimal): FORECAST_DAYS, or
   * less when the pool is younger (the window never starts before it existed).
   */
  windowDays: number
  /** null with less than a day of history: no estimate. */
  growthPerDay: number | null
  /** available ÷ growthPerDay, one decimal; 0 when full; null when not growing or with less than a day of history. */
  daysUntilFull: number | null
}

/** When the pool began: its workspace's creation (pooled) or its account's (assigned). */
async function poolCreatedAt(ctx: Ctx, poolId: string): Promise<number | undefined> {
  const row =
    (await ctx.db.get<{ at: number }>('SELECT created_at AS at FROM workspaces WHERE id = ?', poolId)) ??
    (await ctx.db.get<{ at: number }>('SELECT created_at AS at FROM billing_accounts WHERE id = ?', poolId))
  return row === undefined ? undefined : Number(row.at)
}

export async function forecast(ctx: Ctx, poolId: string, product: string, used: number, capacity: number): Promise<ForecastView> {
  const available = capacity - used
  const created = await poolCreatedAt(ctx, poolId)
  const weekAgo = ctx.now - FORECAST_DAYS * DAY
  // A young pool: the window starts at its creation, and usage reported in its first hour (seeded
  // with the workspace) is the starting level, not growth: counting days before the pool existed
  // would turn the seed into a rate.
  const young = created !== undefined && created > weekAgo
  const start = young ? (created as number) : weekAgo
  const windowMs = ctx.now - start
  const windowDays = Math.round((windowMs / DAY) * 10) / 10
  if (windowMs < DAY) return { windowDays, growthPerDay: null, daysUntilFull: available <= 0 ? 0 : null }
  // The level "then" is the level before `boundary`: the hour holding the window's start, or
  // for a young pool the end of its first hour.
  const boundary = Math.floor(start / HOUR) * HOUR + (young ? HOUR : 0)
  // The counter row's own level when its hour is older, else the last finished hour before it.
  const current = await ctx.db.get<{ hour: number | null }>('SELECT roll_hour AS hour FROM pool_usage WHERE pool_id = ? AND product = ?', poolId, product)
  let then = used
  if (current?.hour != null && Number(current.hour) >= boundary) {
    const before = await ctx.db.get<{ level: number }>(
      'SELECT level FROM pool_usage_rollups WHERE pool_id = ? AND product = ? AND hour < ? ORDER BY hour DESC LIMIT 1',
      poolId,
      product,
      boundary,
    )
    then = Number(before?.level ?? 0)
  }
  const growthPerDay = Math.round(((used - then) / (windowMs / DAY)) * 100) / 100
  const daysUntilFull = available <= 0 ? 0 : growthPerDay > 0 ? Math.round((available / growthPerDay) * 10) / 10 : null
  return { windowDays, growthPerDay, daysUntilFull }
}
