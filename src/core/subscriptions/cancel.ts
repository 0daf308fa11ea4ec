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
import { immediate } from '../store/transaction.js'
import { resolveSubscription } from './resolve.js'
import { type SubscriptionView, subscriptionView } from './view.js'

export type CancelSubscriptionInput = { ref: string; now?: boolean; force?: boolean }

export function cancelSubscription(ctx: Ctx, input: CancelSubscriptionInput): SubscriptionView {
  const { db, workspace, now } = ctx
  return immediate(db.sqlite, () => {
    const sub = resolveSubscription(db, workspace.id, input.ref)
    const refs = { subscriptionId: sub.id, accountId: sub.accountId }
    if (sub.status === 'canceled') return subscriptionView(db, sub)
    const contributing = contributingStatuses.includes(sub.status)
    if (!input.now && contributing) {
      if (!sub.cancelAtPeriodEnd) {
        db.orm.update(subscriptions).set({ cancelAtPeriodEnd: true }).where(eq(subscriptions.id, sub.id)).run()
        recordEvent(db, { workspaceId: workspace.id, at: now, kind: 'subscription.cancel_scheduled', refs, data: { effectiveAt: iso(sub.currentPeriodEnd) } })
      }
      return subscriptionView(db, resolveSubscription(db, workspace.id, sub.id))
    }
    const overs: { product: string; usage: number; capacity: number }[] = []
    if (contributing) {
      const poolId = poolIdOfAccount(workspace, sub.accountId)
      const capacity = capacityOf(db, workspace, poolId)
      const usage = usageOf(db, poolId)
      for (const item of db.orm.select().from(subscriptionItems).where(eq(subscriptionItems.subscriptionId, sub.id)).all()) {
        const resulting = (capacity.get(item.product)?.capacity ?? 0) - item.quantity
        if (!input.force) requireCapacityCovers(db, poolId, item.product, resulting, `canceling ${sub.id} now`)
        const used = usage.get(item.product) ?? 0
        if (used > resulting) overs.push({ product: item.product, usage: used, capacity: resulting })
      }
    }
    db.orm
      .update(subscriptions)
      .set({ status: 'canceled', canceledAt: now, cancelReason: 'canceled_now', cancelAtPeriodEnd: false })
      .where(eq(subscriptions.id, sub.id))
      .run()
    db.orm.delete(scheduledChanges).where(eq(scheduledChanges.subscriptionId, sub.id)).run()
    unschedule(db, workspace.id, 'period_end', sub.id)
    unschedule(db, workspace.id, 'trial_reminder', sub.id)
    recordEvent(db, { workspaceId: workspace.id, at: now, kind: 'subscription.canceled', refs, data: { reason: 'canceled_now', forced: overs.length > 0 } })
    // No refund for the rest of the period, but prorations already accrued are owed.
    issueInvoice(ctx, sub, { reason: 'subscription_final', periodStart: sub.currentPeriodStart, periodEnd: now, items: false })
    if (overs.length > 0) recordEvent(db, { workspaceId: workspace.id, at: now, kind: 'pool.over_capacity', refs, data: { products: overs } })
    return subscriptionView(db, resolveSubscription(db, workspace.id, sub.id))
  })
}

/** Withdraws a cancellation scheduled for the period end. */
export function resumeSubscription(ctx: Ctx, ref: string): SubscriptionView {
  const { db, workspace, now } = ctx
  return immediate(db.sqlite, () => {
    const sub = resolveSubscription(db, workspace.id, ref)
    if (!contributingStatuses.includes(sub.status))
      throw refused('SUBSCRIPTION_INACTIVE', `subscription ${sub.id} is ${sub.status} and cannot be resumed`, { subscriptionId: sub.id, status: sub.status })
    if (sub.cancelAtPeriodEnd) {
      db.orm.update(subscriptions).set({ cancelAtPeriodEnd: false }).where(eq(subscriptions.id, sub.id)).run()
      recordEvent(db, { workspaceId: workspace.id, at: now, kind: 'subscription.resumed', refs: { subscriptionId: sub.id, accountId: sub.accountId } })
    }
    return subscriptionView(db, resolveSubscription(db, workspace.id, sub.id))
  })
}
