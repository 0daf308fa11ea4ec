// The JSON shape of a subscription (SPEC §2: id, accountId, status, interval,
// currentPeriodStart, currentPeriodEnd, trialEnd, items, scheduledChanges).
import { asc, eq } from 'drizzle-orm'
import { accountName } from '../invoices/view.js'
import { mapSerial } from '../serial.js'
import { periodAmount } from '../catalog/pricing.js'
import { priceById } from '../catalog/prices.js'
import { iso, isoOrNull } from '../clock.js'
import type { Money } from '../money.js'
import type { Db } from '../store/open.js'
import {
  type Interval,
  type PricingScheme,
  scheduledChanges,
  type SubscriptionRow,
  type SubscriptionStatus,
  subscriptionItems,
} from '../store/schema/index.js'

export type ItemView = {
  product: string
  quantity: number
  priceId: string
  scheme: PricingScheme
  unitAmount: Money | null
  /** What this quantity costs for one period. */
  periodAmount: Money
}

export type ScheduledChangeView =
  | { kind: 'quantity'; product: string; from: number; to: number; effectiveAt: string }
  | { kind: 'interval'; from: Interval; to: Interval; effectiveAt: string }
  | { kind: 'cancel'; effectiveAt: string }

export type SubscriptionView = {
  id: string
  label: string | null
  accountId: string
  accountName: string
  workspaceId: string
  status: SubscriptionStatus
  interval: Interval
  currency: string
  currentPeriodStart: string
  currentPeriodEnd: string
  trialStart: string | null
  trialEnd: string | null
  cancelAtPeriodEnd: boolean
  canceledAt: string | null
  cancelReason: string | null
  createdAt: string
  items: ItemView[]
  scheduledChanges: ScheduledChangeView[]
}

export async function subscriptionView(db: Db, row: SubscriptionRow): Promise<SubscriptionView> {
  const items = (await db.orm
    .select()
    .from(subscriptionItems)
    .where(eq(subscriptionItems.subscriptionId, row.id))
    .orderBy(asc(subscriptionItems.product)))
  const quantities = new Map(items.map((item) => [item.product, item.quantity]))
  const effectiveAt = iso(row.currentPeriodEnd)
  const pending: ScheduledChangeView[] = (await db.orm
    .select()
    .from(scheduledChanges)
    .where(eq(scheduledChanges.subscriptionId, row.id))
    .orderBy(asc(scheduledChanges.id)))
    .map((change) =>
      change.kind === 'interval'
        ? { kind: 'interval', from: row.interval, to: change.interval as Interval, effectiveAt }
        : { kind: 'quantity', product: change.product ?? '', from: quantities.get(change.product ?? '') ?? 0, to: change.quantity ?? 0, effectiveAt },
    )
  if (row.cancelAtPeriodEnd && row.status !== 'canceled') pending.push({ kind: 'cancel', effectiveAt })
  return {
    id: row.id,
    label: row.label,
    accountId: row.accountId,
    accountName: await accountName(db, row.accountId),
    workspaceId: row.workspaceId,
    status: row.status,
    interval: row.interval,
    currency: row.currency,
    currentPeriodStart: iso(row.currentPeriodStart),
    currentPeriodEnd: iso(row.currentPeriodEnd),
    trialStart: isoOrNull(row.trialStart),
    trialEnd: isoOrNull(row.trialEnd),
    cancelAtPeriodEnd: row.cancelAtPeriodEnd,
    canceledAt: isoOrNull(row.canceledAt),
    cancelReason: row.cancelReason,
    createdAt: iso(row.createdAt),
    items: await mapSerial(items, async (item) => {
      const price = await priceById(db, item.priceId)
      return {
        product: item.product,
        quantity: item.quantity,
        priceId: item.priceId,
        scheme: price.scheme,
        unitAmount: price.unitAmount === null ? null : { amount: price.unitAmount, currency: price.currency },
        periodAmount: { amount: periodAmount(price, item.quantity), currency: price.currency },
      }
    }),
    scheduledChanges: pending,
  }
}
