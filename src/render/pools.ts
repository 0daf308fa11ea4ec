import type { PoolView } from '../core/pools/report.js'
import { FORECAST_DAYS } from '../core/usage/forecast.js'
import { paint } from './colour.js'
import { heading, table } from './table.js'
import { hangingWrap, num } from './terminal.js'

export function renderPools({ pools }: { pools: PoolView[] }): string {
  if (pools.length === 0) return 'No pools: create a billing account first.'
  return pools
    .map((pool) => {
      const title =
        pool.kind === 'workspace'
          ? `Pool of workspace "${pool.name}" (${pool.id}), shared by every organization`
          : `Pool of account "${pool.name}" (${pool.id}), ${pool.organizationId ? `serving organization "${pool.organizationName ?? '?'}"` : 'not assigned to an organization yet'}`
      if (pool.products.length === 0) return `${heading(title)}\n  no capacity yet`
      const rows = pool.products.map((p) => [
        p.product,
        p.capacity,
        p.used,
        p.overCapacity ? paint().red('over_capacity') : p.available,
        p.utilization === null ? '—' : `${p.utilization}%`,
        // Full is a fact, not an estimate: never "0 d" beside a note that there is no estimate yet.
        p.forecast.daysUntilFull === 0 ? 'full now' : p.forecast.daysUntilFull === null ? '—' : `${p.forecast.daysUntilFull} d`,
      ])
      const products = table(['product', 'capacity', 'used', 'available', 'utilization', 'full in'], rows, {
        align: ['left', 'right', 'right', 'right', 'right', 'right'],
        keep: [0],
      })
      return [heading(title), products, `  ${forecastNote(pool.products[0]?.forecast.windowDays ?? FORECAST_DAYS)}`, ...contributions(pool)].join('\n')
    })
    .join('\n\n')
}

/**
 * Who feeds a workspace's pool, one line per account with its quantities
 * ("from Franchisee A: locations 40, users 80"): names stay whole on any
 * terminal, where a table column of them was cut. An account's own pool is
 * fed by that account only, which its title names.
 */
function contributions(pool: PoolView): string[] {
  if (pool.kind === 'account') return []
  const byAccount = new Map<string, string[]>()
  for (const p of pool.products)
    for (const c of p.contributions) byAccount.set(c.accountName, [...(byAccount.get(c.accountName) ?? []), `${p.product} ${num(c.quantity)}`])
  const idle = pool.idleAccounts.map((a) => hangingWrap(`  nothing from ${a.accountName}: `, 'no subscription of it counts toward the pool now'))
  return [...[...byAccount].map(([name, items]) => hangingWrap(`  from ${name}: `, items.join(', '))), ...idle]
}

/**
 * The window actually used: a pool younger than the full window is measured
 * since it began. Short enough for an 80-column terminal under its two-space indent.
 */
function forecastNote(windowDays: number): string {
  if (windowDays >= FORECAST_DAYS) return `full in: a linear estimate at the last ${windowDays} days' growth (—: not growing)`
  if (windowDays < 1) return `full in: no estimate yet (the pool began ${windowDays} days ago, under a day)`
  return `full in: a linear estimate over the pool's ${windowDays} days of growth (—: not growing)`
}
