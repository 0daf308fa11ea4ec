// One usage report in its own BEGIN IMMEDIATE transaction (R-USE-3). A
// rejection is committed to the ledger first (R-USE-5), then raised.
import type { Ctx } from '../context.js'
import { immediate } from '../store/transaction.js'
import { rejectionError, type UsageDecision, type UsageReportInput } from './decision.js'
import { Meter } from './meter.js'

export function decideUsage(ctx: Ctx, input: UsageReportInput): UsageDecision {
  return immediate(ctx.db.sqlite, () => {
    const meter = new Meter(ctx)
    const decision = meter.report(input)
    meter.flush()
    return decision
  })
}

export function recordUsage(ctx: Ctx, input: UsageReportInput): UsageDecision {
  const decision = decideUsage(ctx, input)
  if (!decision.accepted) throw rejectionError(decision)
  return decision
}
