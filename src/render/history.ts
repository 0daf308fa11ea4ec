// Usage history and alerts for people (table) and spreadsheets (CSV).
import type { AlertView } from '../core/usage/alerts.js'
import type { HistoryView } from '../core/usage/history.js'
import type { RejectionsView } from '../core/usage/rejections.js'
import { heading, table } from './table.js'
import { bindingText } from './usage.js'
import { outputWidth, visibleLength } from './terminal.js'

const pct = (value: number | null) => (value === null ? '—' : `${value}%`)

/** A heading on one line, or on two when one would cut it (a terminal's width). */
function headingLines(first: string, second: string): string {
  return visibleLength(`${first} ${second}`) <= outputWidth() ? heading(`${first} ${second}`) : `${heading(first)}\n${heading(second)}`
}

/** A range bound: the date alone at midnight, else date and minute (UTC). */
const when = (iso: string) => (iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 16)}`)

/** A bucket named as people read it: 2026-03-02 for days and weeks, 2026-03 for months, 2026-03-02 14:00 for hours. */
function bucketLabel(iso: string, bucket: HistoryView['bucket']): string {
  if (bucket === 'month') return iso.slice(0, 7)
  if (bucket === 'hour') return `${iso.slice(0, 10)} ${iso.slice(11, 16)}`
  return iso.slice(0, 10)
}

const BUCKET_HEADER = { hour: 'hour', day: 'day', week: 'week of', month: 'month' } as const

export function renderHistory(view: HistoryView): string {
  const scope = view.scope.kind === 'pool' ? `pool ${view.scope.name}` : `${view.scope.subtree ? 'subtree of ' : ''}${view.scope.name}`
  const bound = (iso: string) => (view.bucket === 'hour' ? bucketLabel(iso, 'hour') : iso.slice(0, 10))
  // The range goes to a line of its own when one line would cut it.
  const what = `${view.product} on ${scope}, by ${view.bucket} (UTC)`
  const range = `${bound(view.from)} to ${bound(view.to)}`
  const head = headingLines(`${what},`, range)
  const rows = view.buckets.map((b) => [
    bucketLabel(b.start, view.bucket),
    b.level,
    b.peak,
    b.limit ?? '—',
    b.capacity ?? '—',
    pct(b.peakUtilization),
    b.accepted,
    b.rejected.total,
    b.rejected.capacityExceeded,
    b.rejected.limitExceeded,
    b.rejected.other,
  ])
  const columns = [BUCKET_HEADER[view.bucket], 'level', 'peak', 'limit', 'capacity', 'peak %', 'accepted', 'rejected', 'rej. capacity', 'rej. limit', 'rej. other']
  // On a narrow terminal the rejections by reason go first (their total stays), then what
  // matters least: a pool has no limit (always —), then the accepted count, then capacity.
  // Every cell is kept whole: a cut date or number reads as a different one.
  const drop = view.scope.kind === 'pool' ? [3, 10, 9, 8, 6, 4] : [10, 9, 8, 6, 4]
  return `${head}\n${table(columns, rows, {
    align: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
    keep: columns.map((_, i) => i),
    drop,
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
    // alert remove takes the scope, product and threshold, not the id: the id gives way first.
    { keep: [1, 3, 4], drop: [0] },
  )
}

export function renderRejections(view: RejectionsView): string {
  const head = headingLines(`Rejected reports, ${when(view.from)} to ${view.toIncluded ? `now (${when(view.to)})` : when(view.to)} (UTC);`, 'bound by: what bound them then; binding now: what limits each org now')
  if (view.rejections.length === 0) return `${head}\nNone.`
  return `${head}\n${table(
    // The counts say what they count ("limit 2" read as a limit of 2); they give way before what binds.
    ['org', 'product', 'rejected', 'over pool', 'over limit', 'other', 'bound by', 'binding now'],
    view.rejections.map((r) => [
      r.path,
      r.product,
      r.rejected,
      r.capacityExceeded,
      r.limitExceeded,
      r.other,
      r.boundBy.length === 0 ? '—' : r.boundBy.map((b) => `${b.kind === 'pool' ? 'pool' : b.orgId === r.orgId ? 'own limit' : `limit on ${b.orgPath}`} ×${b.rejected}`).join(', '),
      // What binds now, with how full it is (the row's numbers are rejection counts).
      r.bindingNow === null
        ? '—'
        : `${bindingText(r.bindingNow, r.orgId)}${r.bindingNow.kind === 'pool' ? ` ${r.bindingNow.used}/${r.bindingNow.capacity}` : r.bindingNow.kind === 'limit' ? ` ${r.bindingNow.subtreeUsed}/${r.bindingNow.limit}` : ''}`,
    ]),
    // The org, the product and the answer (what bound them) stay whole; the counts by reason (said again in "bound by") give way before what binds now.
    { align: ['left', 'left', 'right', 'right', 'right', 'right', 'left', 'left'], keep: [0, 1, 6], drop: [5, 3, 4, 7] },
  )}`
}
