// Doctor: subscriptions. Each live one has its period end queued (R-WS-4), its
// items are priced in its currency, product and interval (R-SUB-1), and its
// currency is its account's (R-BA-1).
import { iso } from '../clock.js'
import { defineCheck, type Finding, inScope, liveStatusList, query } from './check.js'

export const renewalsScheduled = defineCheck(
  'renewals-scheduled',
  'R-WS-4',
  'every live subscription has a period_end step at its current period end',
  async function renewalsScheduled(scope) {
    return (await query<{ workspace_id: string; account_id: string; subscription_id: string; status: string; period_end: number; }>(
scope,
`SELECT s.workspace_id, s.account_id, s.id AS subscription_id, s.status, s.current_period_end AS period_end
       FROM subscriptions s
       WHERE s.status IN (${liveStatusList}) AND ${inScope('s.workspace_id')}
         AND NOT EXISTS (SELECT 1 FROM due_steps d
                         WHERE d.workspace_id = s.workspace_id AND d.kind = 'period_end' AND d.ref_id = s.id AND d.due_at = s.current_period_end)
       ORDER BY s.workspace_id, s.id`
)).map((row) => ({
      ids: { workspaceId: row.workspace_id, accountId: row.account_id, subscriptionId: row.subscription_id },
      message: `${row.status} subscription ${row.subscription_id} has no period_end step at its current period end ${iso(row.period_end)}; ${row.status === 'trialing' ? 'its trial would never end' : 'it would never renew'}`,
    }))
  },
)

export const itemPrices = defineCheck(
  'item-prices',
  'R-SUB-1',
  "subscription items use a price of their product in the subscription's currency and interval",
  async function itemPrices(scope) {
    const findings: Finding[] = []
    for (const row of await query<{
workspace_id: string;
subscription_id: string;
product: string;
price_id: string;
currency: string;
interval: string;
found: string|null;
price_product: string|null;
price_currency: string|null;
price_interval: string|null;
}>(
scope,
`SELECT s.workspace_id, s.id AS subscription_id, i.product, i.price_id, s.currency, s.interval,
              p.id AS found, p.product AS price_product, p.currency AS price_currency, p.interval AS price_interval
       FROM subscription_items i
       JOIN subscriptions s ON s.id = i.subscription_id
       LEFT JOIN prices p ON p.id = i.price_id
       WHERE ${inScope('s.workspace_id')}
         AND (p.id IS NULL OR p.product <> i.product OR p.currency <> s.currency OR p.interval <> s.interval)
       ORDER BY s.workspace_id, s.id, i.product`
)) {
      const ids = { workspaceId: row.workspace_id, subscriptionId: row.subscription_id, product: row.product, priceId: row.price_id }
      const item = `the ${row.product} item of ${row.subscription_id}`
      if (row.found === null) findings.push({ ids, message: `${item} has price ${row.price_id}, which does not exist` })
      else {
        const problems = [
          row.price_product !== row.product ? `is a price of ${row.price_product}` : '',
          row.price_currency !== row.currency ? `is in ${row.price_currency}, the subscription in ${row.currency}` : '',
          row.price_interval !== row.interval ? `is ${row.price_interval}ly, the subscription ${row.interval}ly` : '',
        ].filter(Boolean)
        findings.push({ ids, message: `${item} has price ${row.price_id}, which ${problems.join(' and ')}` })
      }
    }
    return findings
  },
)

export const subscriptionCurrency = defineCheck(
  'subscription-currency',
  'R-BA-1',
  "a subscription is in its billing account's currency",
  async function subscriptionCurrency(scope) {
    return (await query<{ workspace_id: string; account_id: string; subscription_id: string; currency: string; account_currency: string; }>(
scope,
`SELECT s.workspace_id, s.account_id, s.id AS subscription_id, s.currency, a.currency AS account_currency
       FROM subscriptions s JOIN billing_accounts a ON a.id = s.account_id
       WHERE s.currency <> a.currency AND ${inScope('s.workspace_id')}
       ORDER BY s.workspace_id, s.id`
)).map((row) => ({
      ids: { workspaceId: row.workspace_id, accountId: row.account_id, subscriptionId: row.subscription_id },
      message: `subscription ${row.subscription_id} is in ${row.currency}, its account ${row.account_id} in ${row.account_currency} (an account's currency is fixed once it has a subscription)`,
    }))
  },
)
