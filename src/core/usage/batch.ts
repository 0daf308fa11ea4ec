// Deciding many reports of one workspace in order, inside the caller's write
// transaction (R-USE-3..6): what `usage import` and the server's group commit
// share. The store loads (and on PostgreSQL locks, in fixed order) what the
// reports touch, the Meter judges each as if it came alone, and the counters
// are written once at the end.
import type { Ctx } from '../context.js'
import type { UsageDecision, UsageReportInput } from './decision.js'
import { Meter } from './meter.js'
import type { Db } from '../store/db.js'

/** The connection each Meter was made on: its statements (or, on PostgreSQL, its loaded state) belong to it. */
const madeOn = new WeakMap<Meter, Db>()

/**
 * The decisions, in order, and the Meter that made them: pass it back with the
 * next batch, which keeps its caches when nobody else wrote in between.
 */
export async function decideBatch(ctx: Ctx, reports: readonly UsageReportInput[], previous?: Meter): Promise<{ decisions: UsageDecision[]; meter: Meter }> {
  const store = ctx.db.meterStore()
  await store.load?.(ctx.workspace, reports)
  // A Meter of another connection (one that was lost and replaced) never serves this one.
  const meter = previous && madeOn.get(previous) === ctx.db && previous.stillValid(ctx) ? previous : new Meter(ctx)
  madeOn.set(meter, ctx.db)
  meter.prepare(reports)
  const decisions = reports.map((report) => meter.report(report))
  meter.flush()
  await store.persist?.()
  return { decisions, meter }
}
