import type { PoolView } from '../core/pools/report.js'
import { FORECAST_DAYS } from '../core/usage/forecast.js'
import { paint } from './colour.js'
import { heading, table } from './table.js'

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
        p.forecast.daysUntilFull === null ? '—' : `${p.forecast.daysUntilFull} d`,
        p.contributions.map((c) => `${c.accountName}: ${c.quantity}`).join(', '),
      ])
      return `${heading(title)}\n${table(['product', 'capacity', 'used', 'available', 'utilization', 'full in', 'contributions'], rows, {
        align: ['left', 'right', 'right', 'right', 'right', 'right', 'left'],
      })}\n  ${forecastNote(pool.products[0]?.forecast.windowDays ?? FORECAST_DAYS)}`
    })
    .join('\n\n')
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
