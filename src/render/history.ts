// Usage history and alerts for people (table) and spreadsheets (CSV).
import type { AlertView } from '../core/usage/alerts.js'
import type { HistoryView } from '../core/usage/history.js'
import type { RejectionsView } from '../core/usage/rejections.js'
import { table } from './table.js'

const pct = (value: number | null) => (value === null ? '—' : `${value}%`)

export function renderHistory(view: HistoryView): string {
  const scope = view.scope.kind === 'pool' ? `pool ${view.scope.name}` : `${view.scope.subtree ? 'subtree of ' : ''}${view.scope.name}`
  const head = `${view.product} on ${scope}, by ${view.bucket} (UTC), ${view.from} to ${view.to}`
  const rows = view.buckets.map((b) => [
    b.start.replace(':00:00.000Z', 'Z').replace('T00Z', ''),
    b.level,
    b.peak,
    b.limit ?? '—',
    b.capacity ?? '—',
    pct(b.peakUtilization),
    b.accepted,
    b.rejected.capacityExceeded,
    b.rejected.limitExceeded,
    b.rejected.other,
  ])
  return `${head}\n${table(['bucket', 'level', 'peak', 'limit', 'capacity', 'peak use', 'accepted', 'rej. capacity', 'rej. limit', 'rej. other'], rows, {
    align: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
  })}`
}

const csvCell = (value: string | number | null) => {
  const text = value === null ? '' : String(value)
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/** One header row and one row per bucket; empty cells for unknown values. */
export function historyCsv(view: HistoryView): string {
  const lines = [['start', 'end', 'level', 'peak', 'limit', 'capacity', 'peak_utilization_percent', 'accepted', 'rejected', 'rejected_capacity', 'rejected_limit', 'rejected_other']]
  for (const b of view.buckets)
    lines.push([b.start, b.end, b.level, b.peak, b.limit, b.capacity, b.peakUtilization, b.accepted, b.rejected.total, b.rejected.capacityExceeded, b.rejected.limitExceeded, b.rejected.other].map(csvCell) as string[])
  return lines.map((line) => line.map((c) => csvCell(c)).join(',')).join('\n')
}

export function renderAlerts(alerts: AlertView[]): string {
  if (alerts.length === 0) return 'No usage alerts.'
  return table(
    ['id', 'on', 'product', 'at', 'state'],
    alerts.map((a) => [a.id, `${a.scope} ${a.scopeName}`, a.product, `${a.percent}%`, a.armed ? 'armed' : 'fired (re-arms below)']),
  )
}

export function renderRejections(view: RejectionsView): string {
  const head = `Rejected reports, ${view.from} to ${view.to} (bound by: what bound them then; binding now: what limits each org now)`
  if (view.rejections.length === 0) return `${head}\nNone.`
  return `${head}\n${table(
    ['org', 'product', 'rejected', 'capacity', 'limit', 'other', 'bound by', 'binding now'],
    view.rejections.map((r) => [
      r.path,
      r.product,
      r.rejected,
      r.capacityExceeded,
      r.limitExceeded,
      r.other,
      r.boundBy.length === 0 ? '—' : r.boundBy.map((b) => `${b.kind === 'pool' ? 'pool' : `limit on ${b.orgPath}`} ×${b.rejected}`).join(', '),
      r.bindingNow === null ? '—' : r.bindingNow.kind === 'pool' ? `pool ${r.bindingNow.used}/${r.bindingNow.capacity}` : r.bindingNow.kind === 'limit' ? `limit on ${r.bindingNow.orgPath} ${r.bindingNow.subtreeUsed}/${r.bindingNow.limit}` : 'no billing account',
    ]),
  )}`
}
