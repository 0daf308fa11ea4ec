// Changing a subscription (R-SUB-4, R-SUB-5): increases and added products take
// effect now and leave a proration line for the next invoice; decreases,
// removals and interval changes wait for the next period start. During a trial
// every change applies at once and nothing is prorated. A decrease that would
// leave the pool below its usage is refused with BELOW_USAGE.
import { and, eq } from 'drizzle-orm'
import { displayUnitAmount } from '../catalog/pricing.js'
import { priceById } from '../catalog/prices.js'
import { requireProduct } from '../catalog/products.js'
import { iso, shortTime } from '../clock.js'
import type { Ctx } from '../context.js'
import { invalid, refused } from '../errors.js'
import { recordEvent } from '../events/record.js'
import { capacityOf, poolIdOfAccount, requireCapacityCovers, scheduledDelta } from '../pools/pools.js'
import {
  type Interval,
  type PriceRow,
  pendingLines,
  scheduledChanges,
  type SubscriptionItemRow,
  type SubscriptionRow,
  subscriptionItems,
  subscriptions,
} from '../store/schema/index.js'
import { pricesFor } from './add.js'
import { prorate } from './proration.js'
import { requireLive, resolveSubscription } from './resolve.js'
import { type SubscriptionView, subscriptionView } from './view.js'

export type UpdateSubscriptionInput = { ref: string; items?: Record<string, number>; interval?: Interval }

async function dropScheduled(ctx: Ctx, subscriptionId: string, kind: 'quantity' | 'interval', product?: string): Promise<void> {
  await ctx.db.orm
    .delete(scheduledChanges)
    .where(
      and(
        eq(scheduledChanges.subscriptionId, subscriptionId),
        eq(scheduledChanges.kind, kind),
        product === undefined ? undefined : eq(scheduledChanges.product, product),
      ),
    )
}

async function increase(ctx: Ctx, sub: SubscriptionRow, product: string, item: SubscriptionItemRow | undefined, quantity: number): Promise<void> {
  const { db, now } = ctx
  // An existing item keeps the price it was sold at; a new product takes today's (or NO_PRICE).
  const price = item
    ? await priceById(db, item.priceId)
    : ((await pricesFor(db, sub.workspaceId, [product], sub.currency, sub.interval)).get(product) as PriceRow)
  const from = item?.quantity ?? 0
  if (item) await db.orm.update(subscriptionItems).set({ quantity }).where(and(eq(subscriptionItems.subscriptionId, sub.id), eq(subscriptionItems.product, product)))
  else await db.orm.insert(subscriptionItems).values({ subscriptionId: sub.id, product, priceId: price.id, quantity })
  await dropScheduled(ctx, sub.id, 'quantity', product)
  let amount = 0
  const period = { start: sub.currentPeriodStart, end: sub.currentPeriodEnd }
  if (sub.status !== 'trialing') amount = prorate(price, from, quantity, period, now).amount
  // A proration that rounds to nothing is no line (docs/rules.md "Subscriptions, trials, proration"): a 0 line would
  // make a final invoice of 0 that uses up a once coupon.
  if (amount !== 0) {
    await db.orm
      .insert(pendingLines)
      .values({
        subscriptionId: sub.id,
        accountId: sub.accountId,
        product,
        description: `Proration: ${product} ${from} → ${quantity} (${shortTime(now)} – ${shortTime(period.end)})`,
        fromQuantity: from,
        toQuantity: quantity,
        unitAmount: displayUnitAmount(price),
        amount,
        currency: sub.currency,
        periodStart: now,
        periodEnd: period.end,
        createdAt: now,
      })
  }
  await recordEvent(db, {
    workspaceId: sub.workspaceId,
    at: now,
    kind: 'subscription.quantity_increased',
    refs: { subscriptionId: sub.id, accountId: sub.accountId },
    data: { product, from, to: quantity, prorated: { amount, currency: sub.currency } },
  })
}

/** The change already scheduled for a product (or the interval), if any. */
async function scheduled(ctx: Ctx, subscriptionId: string, kind: 'quantity' | 'interval', product?: string) {
  return (await ctx.db.orm
    .select()
    .from(scheduledChanges)
    .where(and(eq(scheduledChanges.subscriptionId, subscriptionId), eq(scheduledChanges.kind, kind), product === undefined ? undefined : eq(scheduledChanges.product, product))).limit(1))[0]
}

async function decrease(ctx: Ctx, sub: SubscriptionRow, product: string, item: SubscriptionItemRow, quantity: number): Promise<void> {
  const { db, workspace, now } = ctx
  // Asking again for the change already scheduled changes nothing and logs nothing.
  if (sub.status !== 'trialing' && (await scheduled(ctx, sub.id, 'quantity', product))?.quantity === quantity) return
  const poolId = poolIdOfAccount(workspace, sub.accountId)
  const capacity = (await capacityOf(db, workspace, poolId)).get(product)?.capacity ?? 0
  const resulting = capacity-(item.quantity-quantity) + await scheduledDelta(db, workspace, poolId, product, sub.id)
  await requireCapacityCovers(db, poolId, product, resulting, `lowering ${product} from ${item.quantity} to ${quantity} on ${sub.id}`)
  const where = and(eq(subscriptionItems.subscriptionId, sub.id), eq(subscriptionItems.product, product))
  if (sub.status === 'trialing') {
    if (quantity === 0) await db.orm.delete(subscriptionItems).where(where)
    else await db.orm.update(subscriptionItems).set({ quantity }).where(where)
    await dropScheduled(ctx, sub.id, 'quantity', product)
  } else {
    await dropScheduled(ctx, sub.id, 'quantity', product)
    await db.orm.insert(scheduledChanges).values({ subscriptionId: sub.id, kind: 'quantity', product, quantity, createdAt: now })
  }
  await recordEvent(db, {
    workspaceId: sub.workspaceId,
    at: now,
    kind: sub.status === 'trialing' ? 'subscription.quantity_decreased' : 'subscription.change_scheduled',
    refs: { subscriptionId: sub.id, accountId: sub.accountId },
    data: { product, from: item.quantity, to: quantity, ...(sub.status === 'trialing' ? {} : { effectiveAt: iso(sub.currentPeriodEnd) }) },
  })
}

async function changeInterval(ctx: Ctx, sub: SubscriptionRow, interval: Interval): Promise<void> {
  const { db, now } = ctx
  if (sub.status !== 'trialing' && (await scheduled(ctx, sub.id, 'interval'))?.interval === interval) return
  await dropScheduled(ctx, sub.id, 'interval')
  if (interval === sub.interval) return
  const items = (await db.orm.select().from(subscriptionItems).where(eq(subscriptionItems.subscriptionId, sub.id)))
  const priced = await pricesFor(db, sub.workspaceId, items.map((item) => item.product), sub.currency, interval)
  if (sub.status === 'trialing') {
    await db.orm.update(subscriptions).set({ interval }).where(eq(subscriptions.id, sub.id))
    for (const item of items)
      await db.orm
        .update(subscriptionItems)
        .set({ priceId: priced.get(item.product)?.id ?? item.priceId })
        .where(and(eq(subscriptionItems.subscriptionId, sub.id), eq(subscriptionItems.product, item.product)))
  } else {
    await db.orm.insert(scheduledChanges).values({ subscriptionId: sub.id, kind: 'interval', interval, createdAt: now })
  }
  await recordEvent(db, {
    workspaceId: sub.workspaceId,
    at: now,
    kind: sub.status === 'trialing' ? 'subscription.interval_changed' : 'subscription.change_scheduled',
    refs: { subscriptionId: sub.id, accountId: sub.accountId },
    data: { from: sub.interval, to: interval, ...(sub.status === 'trialing' ? {} : { effectiveAt: iso(sub.currentPeriodEnd) }) },
  })
}

/** The quantities the subscription will have once every scheduled change applies. */
async function futureQuantities(ctx: Ctx, subscriptionId: string): Promise<Map<string, number>> {
  const future = new Map<string, number>()
  for (const item of (await ctx.db.orm.select().from(subscriptionItems).where(eq(subscriptionItems.subscriptionId, subscriptionId))))
    future.set(item.product, item.quantity)
  for (const change of (await ctx.db.orm.select().from(scheduledChanges).where(eq(scheduledChanges.subscriptionId, subscriptionId))))
    if (change.kind === 'quantity' && change.product) future.set(change.product, change.quantity ?? 0)
  return future
}

export async function updateSubscription(ctx: Ctx, input: UpdateSubscriptionInput): Promise<SubscriptionView> {
  const { db, workspace } = ctx
  if (!input.items && !input.interval) throw invalid('nothing to change: give --item PRODUCT=QTY or --interval')
  return await db.write(async () => {
    await db.excludeMetering(workspace.id)
    const sub = await resolveSubscription(db, workspace.id, input.ref)
    requireLive(sub, 'changed')
    for (const [product, quantity] of Object.entries(input.items ?? {})) {
      await requireProduct(db, workspace.id, product)
      const item = (await db.orm
        .select()
        .from(subscriptionItems)
        .where(and(eq(subscriptionItems.subscriptionId, sub.id), eq(subscriptionItems.product, product))).limit(1))[0]
      const current = item?.quantity ?? 0
      if (quantity > current) await increase(ctx, sub, product, item, quantity)
      else if (item && quantity < current) await decrease(ctx, sub, product, item, quantity)
      else await dropScheduled(ctx, sub.id, 'quantity', product)
    }
    if (input.interval) await changeInterval(ctx, sub, input.interval)
    if ([...(await futureQuantities(ctx, sub.id)).values()].every((quantity) => quantity === 0))
      throw refused('EMPTY_SUBSCRIPTION', `subscription ${sub.id} would have no products left; cancel it instead: wsb sub cancel ${sub.id}`, {
        subscriptionId: sub.id,
      })
    return await subscriptionView(db, await resolveSubscription(db, workspace.id, sub.id))
  })
}
