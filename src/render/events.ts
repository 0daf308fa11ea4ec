import type { EventView } from '../core/events/list.js'
import { formatMoney } from './money.js'
import { table } from './table.js'
import { onTerminal, pageOf } from './terminal.js'
import { timesForPeople, when } from './time.js'

const isMoney = (value: object): value is { amount: number; currency: string } =>
  Object.keys(value).length === 2 && typeof (value as { amount?: unknown }).amount === 'number' && typeof (value as { currency?: unknown }).currency === 'string'

/** A value for people: money as money (1,125.00 USD), times as times, objects as {key=value …}. */
function valueText(value: unknown): string {
  if (value === null || value === undefined) return '—'
  if (Array.isArray(value)) return `[${value.map(valueText).join(', ')}]`
  if (typeof value === 'object') return isMoney(value) ? formatMoney(value) : `{${summary(value as Record<string, unknown>)}}`
  return typeof value === 'string' ? timesForPeople(value) : String(value)
}

/** key=value pairs; an id of something named is shown as "Name (id)", the name first so a cut keeps it. */
const summary = (record: Record<string, unknown>, names: Record<string, string> = {}) =>
  Object.entries(record)
    .map(([key, value]) => {
      const name = typeof value === 'string' ? names[value] : undefined
      return `${key}=${name === undefined ? valueText(value) : `${name} (${value})`}`
    })
    .join(' ')

/** On a terminal, what a person reads first comes first: the named accounts and orgs, the data, then the other ids. */
function terminalDetails(e: EventView): string {
  const refs = Object.entries(e.refs).filter(([, id]) => id !== null) as [string, string][]
  const named = Object.fromEntries(refs.filter(([, id]) => e.names[id] !== undefined))
  const others = Object.fromEntries(refs.filter(([, id]) => e.names[id] === undefined))
  return [summary(named, e.names), summary(e.data), summary(others)].filter(Boolean).join(' · ')
}

export function renderEvents({ events }: { events: EventView[] }): string {
  if (events.length === 0) return 'No events.'
  return renderEventRows(events, { header: true })
}

/**
 * One page of a streamed listing. Piped, pages after the first are more
 * tab-separated rows under the one header, ids and data in columns of their own;
 * on a terminal each page is its own table, and what the event names and carries
 * share one column after the id, time and kind, which stay whole.
 */
export function renderEventRows(events: EventView[], options: { header: boolean }): string {
  // The id first: it is what --after takes to continue a listing.
  const text = onTerminal()
    ? table(
        ['id', 'at', 'kind', 'ids and data'],
        events.map((e) => [e.id, when(e.at), e.kind, terminalDetails(e)]),
        { keep: [0, 1, 2] },
      )
    : table(
        ['id', 'at', 'kind', 'ids', 'data'],
        events.map((e) => [e.id, when(e.at), e.kind, summary(e.refs, e.names), summary(e.data)]),
      )
  return pageOf(text, options)
}
