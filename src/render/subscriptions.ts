import type { ScheduledChangeView, SubscriptionView } from '../core/subscriptions/view.js'
import { paint } from './colour.js'
import { formatMoney } from './money.js'
import { details, table } from './table.js'
import { when } from './time.js'

const statusColour = (status: string) =>
  status === 'active' || status === 'trialing' ? paint().green(status) : status === 'past_due' ? paint().yellow(status) : paint().red(status)

export const changeText = (change: ScheduledChangeView): string =>
  change.kind === 'quantity'
    ? `${change.product} ${change.from} → ${change.to}${change.to === 0 ? ' (removed)' : ''} at ${when(change.effectiveAt)}`
    : change.kind === 'interval'
      ? `interval ${change.from} → ${change.to} at ${when(change.effectiveAt)}`
      : `cancel at ${when(change.effectiveAt)}`

export function renderSubscription(sub: SubscriptionView): string {
  const head = details([
    ['subscription', `${paint().bold(sub.id)}${sub.label ? ` "${sub.label}"` : ''}`],
    ['account', `${sub.accountName} (${sub.accountId})`],
    ['status', `${statusColour(sub.status)}${sub.cancelReason ? ` (${sub.cancelReason})` : ''}`],
    ['interval', `${sub.interval}ly, ${sub.currency}`],
    ['period', `${when(sub.currentPeriodStart)} → ${when(sub.currentPeriodEnd)}`],
    ...(sub.trialEnd ? ([['trial', `${when(sub.trialStart)} → ${when(sub.trialEnd)}`]] as [string, string][]) : []),
    ['scheduled', sub.scheduledChanges.map(changeText).join('; ') || 'nothing'],
  ])
  const items = table(
    ['product', 'quantity', 'unit price', 'per period'],
    sub.items.map((item) => [item.product, item.quantity, item.unitAmount ? formatMoney(item.unitAmount) : item.scheme, formatMoney(item.periodAmount)]),
    { align: ['left', 'right', 'right', 'right'] },
  )
  return `${head}\n${items}`
}

export function renderSubscriptions({ subscriptions }: { subscriptions: SubscriptionView[] }): string {
  if (subscriptions.length === 0) return 'No subscriptions.'
  return table(
    ['id', 'account', 'status', 'interval', 'items', 'period end', 'scheduled'],
    subscriptions.map((s) => [
      s.id,
      s.accountName,
      statusColour(s.status),
      s.interval,
      s.items.map((i) => `${i.product}=${i.quantity}`).join(' '),
      when(s.currentPeriodEnd),
      s.scheduledChanges.map(changeText).join('; '),
    ]),
    // An empty scheduled column gives way first; one that says something outlasts interval and period end.
    // The id and the account stay whole; the status and the items (quantities) are never cut, but leave when there is no room.
    { keep: [0, 1], whole: [2, 4], drop: subscriptions.every((s) => s.scheduledChanges.length === 0) ? [6, 3, 5] : [3, 5] },
  )
}
