// One usage report in its own BEGIN IMMEDIATE transaction (R-USE-3). A
// rejection is committed to the ledger first (R-USE-5), then raised.
import type { Ctx } from '../context.js'
import { rejectionError, type UsageDecision, type UsageReportInput } from './decision.js'
import { Meter } from './meter.js'
import { referenceError } from './references.js'

export async function decideUsage(ctx: Ctx, input: UsageReportInput): Promise<UsageDecision> {
  return await ctx.db.write(async () => {
    const store = ctx.db.meterStore()
    await store.load?.(ctx.workspace, [input])
    const meter = new Meter(ctx)
    const decision = meter.report(input)
    meter.flush()
    await store.persist?.()
    return decision
  })
}

export async function recordUsage(ctx: Ctx, input: UsageReportInput): Promise<UsageDecision> {
  const decision = await decideUsage(ctx, input)
  if (!decision.accepted) throw rejectionError(decision, await referenceError(ctx, input, decision))
  return decision
}
