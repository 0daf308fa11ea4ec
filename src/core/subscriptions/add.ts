// Subscribing (R-SUB-1, R-BA-5, R-TR-1/2): an account buys quantities of
// products on one interval, in its currency, at the active prices. At most 3
// live subscriptions per account; the workspace's first may start a 14-day trial.
import { and, count, eq, inArray } from 'drizzle-orm'
import { one } from '../store/db.js'
import { resolveAccount } from '../accounts/resolve.js'
import { activePrice } from '../catalog/prices.js'
import { requireProduct } from '../catalog/products.js'
import type { Ctx } from '../context.js'
import { invalid, refused } from '../errors.js'
import { recordEvent } from '../events/record.js'
import { newId } from '../ids.js'
import type { Db } from '../store/open.js'
import {
  type BillingAccountRow,
  contributingStatuses,
  type Interval,
  type PriceRow,
  subscriptionItems,
  subscriptions,
  workspaces,
} from '../store/schema/index.js'
import { issueInvoice } from '../invoices/issue.js'
import { addDaysUtc, periodBounds, TRIAL_DAYS } from './periods.js'
import { scheduleSubscription } from './renew.js'
import { trialEligibility } from './trial.js'
import { type SubscriptionView, subscriptionView } from './view.js'

export const MAX_LIVE_SUBSCRIPTIONS = 3

export type AddSubscriptionInput = {
  account: string
  items: Record<string, number>
  interval?: Interval
  /** true: must trial; false: never; undefined: trial when eligible. */
  trial?: boolean
  /** A stable name, unique among the account's live subscriptions. */
  label?: string
}

/** The active price of each product in the currency and interval, or NO_PRICE (R-SUB-1). */
export async function pricesFor(db: Db, workspaceId: string, products: string[], currency: string, interval: Interval): Promise<Map<string, PriceRow>> {
  const found = new Map<string, PriceRow>()
  for (const product of products) {
    await requireProduct(db, workspaceId, product)
    const price = await activePrice(db, workspaceId, product, currency, interval)
    if (!price)
      throw refused('NO_PRICE', `${product} has no ${interval}ly price in ${currency}; set one with: wsb price set ${product} --currency ${currency} --interval ${interval} --unit-amount N`, {
        product,
        currency,
        interval,
      })
    found.set(product, price)
  }
  return found
}

async function requireRoomForSubscription(ctx: Ctx, account: BillingAccountRow): Promise<void> {
  const live =
    (await ctx.db.orm
      .select({ n: count() })
      .from(subscriptions)
      .where(and(eq(subscriptions.accountId, account.id), inArray(subscriptions.status, [...contributingStatuses]))).limit(1))[0]?.n ?? 0
  if (live < MAX_LIVE_SUBSCRIPTIONS) return
  const way =
    ctx.workspace.mode === 'pooled'
      ? 'create a further billing account in this pooled workspace for more distinct invoices'
      : ctx.workspace.mode === 'assigned'
        ? 'add products to an existing subscription instead (in assigned mode an account serves a single organization)'
        : 'add products to an existing subscription instead (single mode allows one billing account)'
  throw refused(
    'SUBSCRIPTION_LIMIT',
    `billing account "${account.name}" already has ${live} active subscriptions, the most allowed; ${way}`,
    { accountId: account.id, active: live, limit: MAX_LIVE_SUBSCRIPTIONS },
  )
}

export async function addSubscription(ctx: Ctx, input: AddSubscriptionInput): Promise<SubscriptionView> {
  const { db, workspace, now } = ctx
  const interval = input.interval ?? 'month'
  const products = Object.keys(input.items)
  if (products.length === 0) throw invalid('a subscription needs at least one --item PRODUCT=QTY')
  for (const [product, quantity] of Object.entries(input.items))
    if (quantity < 1) throw invalid(`--item ${product}=${quantity}: a new subscription needs a quantity of at least 1`, { product, quantity })

  return await db.write(async () => {
    await db.excludeMetering(workspace.id)
    const account = await resolveAccount(db, workspace.id, input.account)
    const priced = await pricesFor(db, workspace.id, products, account.currency, interval)
    await requireRoomForSubscription(ctx, account)
    if (input.label !== undefined) {
      const taken = (await db.orm
        .select({ id: subscriptions.id })
        .from(subscriptions)
        .where(and(eq(subscriptions.accountId, account.id), eq(subscriptions.label, input.label), inArray(subscriptions.status, [...contributingStatuses]))).limit(1))[0]
      if (taken) throw refused('NAME_TAKEN', `account "${account.name}" already has a live subscription labelled "${input.label}" (${taken.id})`, { subscriptionId: taken.id })
    }

    const eligibility = await trialEligibility(ctx, account.id)
    if (input.trial === true && !eligibility.eligible)
      throw refused('TRIAL_INELIGIBLE', `no trial: ${eligibility.reason}`, { condition: eligibility.condition })
    const trialing = input.trial !== false && eligibility.eligible

    const id = newId('subscription')
    const trialEnd = addDaysUtc(now, TRIAL_DAYS)
    const period = trialing ? { start: now, end: trialEnd } : periodBounds(now, interval, 0)
    const row = one(
      await db.orm
      .insert(subscriptions)
      .values({
        id,
        workspaceId: workspace.id,
        accountId: account.id,
        status: trialing ? 'trialing' : 'active',
        interval,
        currency: account.currency,
        // A trial's billing periods start when it ends; index -1 is the trial itself.
        anchorAt: trialing ? trialEnd : now,
        periodIndex: trialing ? -1 : 0,
        currentPeriodStart: period.start,
        currentPeriodEnd: period.end,
        trialStart: trialing ? now : null,
        trialEnd: trialing ? trialEnd : null,
        createdAt: now,
        label: input.label ?? null,
      })
      .returning(),
    )
    await db.orm
      .insert(subscriptionItems)
      .values(products.map((product) => ({ subscriptionId: id, product, priceId: priced.get(product)?.id ?? '', quantity: input.items[product] ?? 0 })))
    if (trialing) await db.orm.update(workspaces).set({ trialUsedAt: now }).where(eq(workspaces.id, workspace.id))
    await scheduleSubscription(ctx, row)
    await recordEvent(db, {
      workspaceId: workspace.id,
      at: now,
      kind: 'subscription.created',
      refs: { subscriptionId: id, accountId: account.id },
      data: { status: row.status, interval, items: input.items, ...(trialing ? { trialEnd: new Date(trialEnd).toISOString() } : {}) },
    })
    // Billed in advance (R-SUB-3): the first period's invoice now; a trial is free until it ends.
    if (!trialing) await issueInvoice(ctx, row, { reason: 'subscription_create', periodStart: period.start, periodEnd: period.end, items: true })
    return await subscriptionView(db, row)
  })
}
