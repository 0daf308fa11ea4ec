// What happens at a subscription's period end (R-SUB-3..6, R-TR-3): a trial
// converts or is canceled; a cancellation scheduled for the period end takes
// effect; otherwise the scheduled changes apply (each re-checked against usage,
// skipped and recorded if it no longer fits), the next period starts and its
// invoice is issued in advance, carrying the prorations of the ended period.
import { and, eq } from 'drizzle-orm'
import { activePrice } from '../catalog/prices.js'
import { iso } from '../clock.js'
import type { Ctx } from '../context.js'
import { recordEvent } from '../events/record.js'
import { issueInvoice } from '../invoices/issue.js'
import { schedule } from '../lifecycle/queue.js'
import { notify } from '../notifications/record.js'
import { hasDefaultPaymentMethod } from '../payments/default-method.js'
import { capacityOf, poolIdOfAccount, usageOf } from '../pools/pools.js'
import { type Interval, scheduledChanges, type SubscriptionRow, subscriptionItems, subscriptions } from '../store/schema/index.js'
import { addDaysUtc, periodBounds } from './periods.js'

const TRIAL_REMINDER_DAYS = 3

/** The subscription as stored; kept for the transaction (Db.memo) until a write of subscriptions, or what renew remembers. */
const reload = async (ctx: Ctx, id: string) =>
  await ctx.db.memo(`subscription:${id}`, [`subscriptions#id=${id}`], async () => (await ctx.db.orm.select().from(subscriptions).where(eq(subscriptions.id, id)).limit(1))[0] as SubscriptionRow)

/** Schedules what the lifecycle must do for a subscription's current period. */
export async function scheduleSubscription(ctx: Ctx, sub: SubscriptionRow): Promise<void> {
  await schedule(ctx.db, sub.workspaceId, 'period_end', sub.id, sub.currentPeriodEnd)
  if (sub.status === 'trialing' && sub.trialEnd !== null)
    await schedule(ctx.db, sub.workspaceId, 'trial_reminder', sub.id, Math.max(sub.createdAt, addDaysUtc(sub.trialEnd, -TRIAL_REMINDER_DAYS)))
}

/** The period_end step. `dueAt` guards against a step that no longer matches the subscription. */
export async function endPeriod(ctx: Ctx, subscriptionId: string, dueAt: number): Promise<void> {
  const sub = await reload(ctx, subscriptionId)
  if (!sub || sub.currentPeriodEnd !== dueAt) return
  if (sub.status === 'trialing') return await endTrial(ctx, sub)
  if (sub.status === 'canceled' || sub.status === 'unpaid') return
  if (sub.cancelAtPeriodEnd) return await cancelAtPeriodEnd(ctx, sub)
  await renew(ctx, sub)
}

export async function remindTrialEnd(ctx: Ctx, subscriptionId: string): Promise<void> {
  const sub = await reload(ctx, subscriptionId)
  if (!sub || sub.status !== 'trialing' || sub.trialEnd === null || sub.cancelAtPeriodEnd) return
  const withMethod = await hasDefaultPaymentMethod(ctx.db, sub.accountId)
  await notify(
    ctx,
    'trial_will_end',
    `trial_will_end:${sub.id}`,
    `The trial of ${sub.id} ends at ${iso(sub.trialEnd)}; ${await withMethod ? 'it will convert and the first invoice will be charged to the default payment method' : 'add a default payment method or it will be canceled'}.`,
    { subscriptionId: sub.id, accountId: sub.accountId },
  )
}

async function endTrial(ctx: Ctx, sub: SubscriptionRow): Promise<void> {
  const { db, now } = ctx
  const refs = { subscriptionId: sub.id, accountId: sub.accountId }
  if (sub.cancelAtPeriodEnd || !await hasDefaultPaymentMethod(db, sub.accountId)) {
    const reason = sub.cancelAtPeriodEnd ? 'canceled_at_period_end' : 'trial_ended_without_payment_method'
    await db.orm.update(subscriptions).set({ status: 'canceled', canceledAt: now, cancelReason: reason, cancelAtPeriodEnd: false }).where(eq(subscriptions.id, sub.id))
    await recordEvent(db, { workspaceId: sub.workspaceId, at: now, kind: 'subscription.trial_ended', refs, data: { outcome: 'canceled', reason } })
    if (reason === 'trial_ended_without_payment_method')
      await notify(ctx, 'trial_ended', `trial_ended:${sub.id}`, `The trial of ${sub.id} ended without a default payment method; the subscription is canceled.`, refs)
    return
  }
  const period = periodBounds(now, sub.interval, 0)
  await db.orm
    .update(subscriptions)
    .set({ status: 'active', anchorAt: now, periodIndex: 0, currentPeriodStart: period.start, currentPeriodEnd: period.end })
    .where(eq(subscriptions.id, sub.id))
  await recordEvent(db, { workspaceId: sub.workspaceId, at: now, kind: 'subscription.trial_ended', refs, data: { outcome: 'converted' } })
  const converted = await reload(ctx, sub.id)
  await issueInvoice(ctx, converted, { reason: 'trial_end', periodStart: period.start, periodEnd: period.end, items: true })
  await scheduleSubscription(ctx, converted)
}

async function cancelAtPeriodEnd(ctx: Ctx, sub: SubscriptionRow): Promise<void> {
  const { db, now } = ctx
  await db.orm
    .update(subscriptions)
    .set({ status: 'canceled', canceledAt: now, cancelReason: 'canceled_at_period_end', cancelAtPeriodEnd: false })
    .where(eq(subscriptions.id, sub.id))
  await db.orm.delete(scheduledChanges).where(eq(scheduledChanges.subscriptionId, sub.id))
  await recordEvent(db, { workspaceId: sub.workspaceId, at: now, kind: 'subscription.canceled', refs: { subscriptionId: sub.id, accountId: sub.accountId }, data: { reason: 'canceled_at_period_end' } })
  // Prorations of the last period are still owed.
  await issueInvoice(ctx, sub, { reason: 'subscription_final', periodStart: sub.currentPeriodStart, periodEnd: sub.currentPeriodEnd, items: false })
}

/** Applies scheduled changes that still fit the pool's usage; records the ones skipped. */
async function applyScheduledChanges(ctx: Ctx, sub: SubscriptionRow): Promise<Interval> {
  const { db, workspace, now } = ctx
  const refs = { subscriptionId: sub.id, accountId: sub.accountId }
  const changes = await db.memo(`scheduled-changes:${sub.id}`, [`scheduled_changes#subscription_id=${sub.id}`], async () => await db.orm.select().from(scheduledChanges).where(eq(scheduledChanges.subscriptionId, sub.id)))
  // Nothing scheduled: nothing to apply or delete (the usual renewal).
  if (changes.length === 0) return sub.interval
  let interval = sub.interval
  for (const change of changes) {
    if (change.kind === 'interval' && change.interval) interval = change.interval
    if (change.kind !== 'quantity' || !change.product) continue
    const where = and(eq(subscriptionItems.subscriptionId, sub.id), eq(subscriptionItems.product, change.product))
    const item = (await db.orm.select().from(subscriptionItems).where(where).limit(1))[0]
    const to = change.quantity ?? 0
    if (!item || to >= item.quantity) continue
    const poolId = poolIdOfAccount(workspace, sub.accountId)
    const resulting = ((await capacityOf(db, workspace, poolId)).get(change.product)?.capacity ?? 0) - (item.quantity - to)
    const used = (await usageOf(db, poolId)).get(change.product) ?? 0
    if (resulting < used) {
      await recordEvent(db, {
        workspaceId: sub.workspaceId,
        at: now,
        kind: 'subscription.change_skipped',
        refs,
        data: { product: change.product, from: item.quantity, to, usage: used, capacity: resulting, reason: 'BELOW_USAGE' },
      })
      continue
    }
    if (to === 0) await db.orm.delete(subscriptionItems).where(where)
    else await db.orm.update(subscriptionItems).set({ quantity: to }).where(where)
    await recordEvent(db, { workspaceId: sub.workspaceId, at: now, kind: 'subscription.change_applied', refs, data: { product: change.product, from: item.quantity, to } })
  }
  if (interval !== sub.interval) {
    for (const item of (await db.orm.select().from(subscriptionItems).where(eq(subscriptionItems.subscriptionId, sub.id)))) {
      const price = await activePrice(db, sub.workspaceId, item.product, sub.currency, interval)
      if (price)
        await db.orm
          .update(subscriptionItems)
          .set({ priceId: price.id })
          .where(and(eq(subscriptionItems.subscriptionId, sub.id), eq(subscriptionItems.product, item.product)))
    }
    await recordEvent(db, { workspaceId: sub.workspaceId, at: now, kind: 'subscription.change_applied', refs, data: { interval: { from: sub.interval, to: interval } } })
  }
  await db.orm.delete(scheduledChanges).where(eq(scheduledChanges.subscriptionId, sub.id))
  return interval
}

async function renew(ctx: Ctx, sub: SubscriptionRow): Promise<void> {
  const { db, now } = ctx
  const interval = await applyScheduledChanges(ctx, sub)
  // A new interval re-anchors the cycle at this period start.
  const anchor = await interval === sub.interval ? sub.anchorAt : now
  const index = await interval === sub.interval ? sub.periodIndex + 1 : 0
  const period = periodBounds(anchor, interval, index)
  const set = { interval, anchorAt: anchor, periodIndex: index, currentPeriodStart: period.start, currentPeriodEnd: period.end }
  await db.later(db.orm.update(subscriptions).set(set).where(eq(subscriptions.id, sub.id)))
  // The row as the update made it: no read back (the update sets no other column).
  const renewed: SubscriptionRow = { ...sub, ...set }
  db.remember(`subscription:${sub.id}`, [`subscriptions#id=${sub.id}`], renewed)
  await recordEvent(db, {
    workspaceId: sub.workspaceId,
    at: now,
    kind: 'subscription.renewed',
    refs: { subscriptionId: sub.id, accountId: sub.accountId },
    data: { periodStart: iso(period.start), periodEnd: iso(period.end) },
  })
  await issueInvoice(ctx, renewed, { reason: 'subscription_cycle', periodStart: period.start, periodEnd: period.end, items: true })
  await scheduleSubscription(ctx, renewed)
}
