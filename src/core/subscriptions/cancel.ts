// Canceling (R-SUB-6): at period end by default, capacity lasting until then;
// --now ends capacity at once (no refund) and is refused with BELOW_USAGE when
// that leaves usage above capacity, unless forced.
import { eq } from 'drizzle-orm'
import { iso } from '../clock.js'
import type { Ctx } from '../context.js'
import { refused } from '../errors.js'
import { recordEvent } from '../events/record.js'
import { capacityOf, poolIdOfAccount, requireCapacityCovers, usageOf } from '../pools/pools.js'
import { contributingStatuses, scheduledChanges, subscriptionItems, subscriptions } from '../store/schema/index.js'
import { issueInvoice } from '../invoices/issue.js'
import { unschedule } from '../lifecycle/queue.js'
import { resolveSubscription } from './resolve.js'
import { type SubscriptionView, subscriptionView } from './view.js'

export type CancelSubscriptionInput = { ref: string; now?: boolean; force?: boolean }

export async function cancelSubscription(ctx: Ctx, input: CancelSubscriptionInput): Promise<SubscriptionView> {
  const { db, workspace, now } = ctx
  return await db.write(async () => {
    await db.excludeMetering(workspace.id)
    const sub = await resolveSubscription(db, workspace.id, input.ref)
    const refs = { subscriptionId: sub.id, accountId: sub.accountId }
    if (sub.status === 'canceled') return await subscriptionView(db, sub)
    const contributing = contributingStatuses.includes(sub.status)
    if (!input.now && contributing) {
      if (!sub.cancelAtPeriodEnd) {
        await db.orm.update(subscriptions).set({ cancelAtPeriodEnd: true }).where(eq(subscriptions.id, sub.id))
        await recordEvent(db, { workspaceId: workspace.id, at: now, kind: 'subscription.cancel_scheduled', refs, data: { effectiveAt: iso(sub.currentPeriodEnd) } })
      }
      return await subscriptionView(db, await resolveSubscription(db, workspace.id, sub.id))
    }
    const overs: { product: string; usage: number; capacity: number }[] = []
    if (contributing) {
      const poolId = poolIdOfAccount(workspace, sub.accountId)
      const capacity = await capacityOf(db, workspace, poolId)
      const usage = await usageOf(db, poolId)
      for (const item of (await db.orm.select().from(subscriptionItems).where(eq(subscriptionItems.subscriptionId, sub.id)))) {
        const resulting = (capacity.get(item.product)?.capacity ?? 0) - item.quantity
        if (!input.force) await requireCapacityCovers(db, poolId, item.product, resulting, `canceling ${sub.id} now`)
        const used = usage.get(item.product) ?? 0
        if (used > resulting) overs.push({ product: item.product, usage: used, capacity: resulting })
      }
    }
    await db.orm
      .update(subscriptions)
      .set({ status: 'canceled', canceledAt: now, cancelReason: 'canceled_now', cancelAtPeriodEnd: false })
      .where(eq(subscriptions.id, sub.id))
    await db.orm.delete(scheduledChanges).where(eq(scheduledChanges.subscriptionId, sub.id))
    await unschedule(db, workspace.id, 'period_end', sub.id)
    await unschedule(db, workspace.id, 'trial_reminder', sub.id)
    await recordEvent(db, { workspaceId: workspace.id, at: now, kind: 'subscription.canceled', refs, data: { reason: 'canceled_now', forced: overs.length > 0 } })
    // No refund for the rest of the period, but prorations already accrued are owed.
    await issueInvoice(ctx, sub, { reason: 'subscription_final', periodStart: sub.currentPeriodStart, periodEnd: now, items: false })
    if (overs.length > 0) await recordEvent(db, { workspaceId: workspace.id, at: now, kind: 'pool.over_capacity', refs, data: { products: overs } })
    return await subscriptionView(db, await resolveSubscription(db, workspace.id, sub.id))
  })
}

/** Withdraws a cancellation scheduled for the period end. */
export async function resumeSubscription(ctx: Ctx, ref: string): Promise<SubscriptionView> {
  const { db, workspace, now } = ctx
  return await db.write(async () => {
    await db.excludeMetering(workspace.id)
    const sub = await resolveSubscription(db, workspace.id, ref)
    if (!contributingStatuses.includes(sub.status))
      throw refused('SUBSCRIPTION_INACTIVE', `subscription ${sub.id} is ${sub.status} and cannot be resumed`, { subscriptionId: sub.id, status: sub.status })
    if (sub.cancelAtPeriodEnd) {
      await db.orm.update(subscriptions).set({ cancelAtPeriodEnd: false }).where(eq(subscriptions.id, sub.id))
      await recordEvent(db, { workspaceId: workspace.id, at: now, kind: 'subscription.resumed', refs: { subscriptionId: sub.id, accountId: sub.accountId } })
    }
    return await subscriptionView(db, await resolveSubscription(db, workspace.id, sub.id))
  })
}
