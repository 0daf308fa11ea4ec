// The pool view of `usage report --by pool` (R-POOL-1..3): capacity, used,
// available per product, with each contributing account's share.
import type { Ctx } from '../context.js'
import { orgNames } from '../accounts/org-names.js'
import { mapSerial } from '../serial.js'
import { type ForecastView, forecast } from '../usage/forecast.js'
import { capacityOf, poolsOf, usageOf } from './pools.js'

export type PoolProductView = {
  product: string
  capacity: number
  used: number
  available: number
  overCapacity: boolean
  /** used ÷ capacity in percent, one decimal; null when there is no capacity. */
  utilization: number | null
  contributions: { accountId: string; accountName: string; quantity: number }[]
  /** Days until full at the last week's linear growth (usage/forecast.ts). */
  forecast: ForecastView
}

export type PoolView = {
  id: string
  /** The workspace's name, or the billing account's in assigned mode. */
  name: string
  kind: 'workspace' | 'account'
  accountIds: string[]
  organizationId: string | null
  organizationName: string | null
  products: PoolProductView[]
  /** Accounts of the pool none of whose subscriptions count toward it now (none, canceled, unpaid …). */
  idleAccounts: { accountId: string; accountName: string }[]
}

export async function poolReport(ctx: Ctx): Promise<{ pools: PoolView[]} > {
  const names = new Map(
    ((await ctx.db.all('SELECT id, name FROM billing_accounts WHERE workspace_id = ?', ctx.workspace.id)) as { id: string; name: string }[]).map((a) => [
      a.id,
      a.name,
    ]),
  )
  const orgs = await orgNames(ctx)
  return {
    pools: await mapSerial(await poolsOf(ctx), async (pool) => {
      const capacity = await capacityOf(ctx.db, ctx.workspace, pool.id)
      const usage = await usageOf(ctx.db, pool.id)
      const keys = [...new Set([...capacity.keys(), ...usage.keys()])].sort()
      const feeding = new Set([...capacity.values()].flatMap((entry) => [...entry.contributions].filter(([, quantity]) => quantity > 0).map(([id]) => id)))
      return {
        idleAccounts: pool.accountIds.filter((id) => !feeding.has(id)).map((accountId) => ({ accountId, accountName: names.get(accountId) ?? accountId })),
        ...pool,
        organizationName: pool.organizationId === null ? null : (orgs.get(pool.organizationId) ?? null),
        products: await mapSerial(keys, async (product) => {
          const cap = capacity.get(product)?.capacity ?? 0
          const used = usage.get(product) ?? 0
          return {
            product,
            capacity: cap,
            used,
            available: Math.max(0, cap - used),
            overCapacity: used > cap,
            utilization: cap > 0 ? Math.round((used * 1000) / cap) / 10 : null,
            contributions: pool.accountIds
              .map((accountId) => ({
                accountId,
                accountName: names.get(accountId) ?? accountId,
                quantity: capacity.get(product)?.contributions.get(accountId) ?? 0,
              }))
              .filter((share) => share.quantity > 0),
            forecast: await forecast(ctx, pool.id, product, used, cap),
          }
        }),
      }
    }),
  }
}
