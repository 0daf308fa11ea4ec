// Capacity planning for `usage report` (issue 17): days until a pool is full
// at its recent growth, a plain linear estimate over the last FORECAST_DAYS
// days: (used now − used then) ÷ days. From the pool's hourly rollups, one
// indexed read per pool and product, never the ledger.
import type { Ctx } from '../context.js'

export const FORECAST_DAYS = 7

export type ForecastView = {
  /** The window the growth is measured over, in days (linear estimate). */
  windowDays: number
  growthPerDay: number
  /** available ÷ growthPerDay, one decimal; 0 when full; null when not growing. */
  daysUntilFull: number | null
}

export async function forecast(ctx: Ctx, poolId: string, product: string, used: number, capacity: number): Promise<ForecastView> {
  const since = ctx.now - FORECAST_DAYS * 86_400_000
  const sinceHour = Math.floor(since / 3_600_000) * 3_600_000
  // The level at the window's start: the counter row's own when its hour is older, else the last finished hour before it.
  const current = await ctx.db.get<{ hour: number | null }>('SELECT roll_hour AS hour FROM pool_usage WHERE pool_id = ? AND product = ?', poolId, product)
  let then = used
  if (current?.hour != null && Number(current.hour) >= sinceHour) {
    const before = await ctx.db.get<{ level: number }>(
      'SELECT level FROM pool_usage_rollups WHERE pool_id = ? AND product = ? AND hour < ? ORDER BY hour DESC LIMIT 1',
      poolId,
      product,
      sinceHour,
    )
    then = Number(before?.level ?? 0)
  }
  const growthPerDay = Math.round(((used - then) / FORECAST_DAYS) * 100) / 100
  const available = capacity - used
  const daysUntilFull = available <= 0 ? 0 : growthPerDay > 0 ? Math.round((available / growthPerDay) * 10) / 10 : null
  return { windowDays: FORECAST_DAYS, growthPerDay, daysUntilFull }
}
