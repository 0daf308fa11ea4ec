import type { EventView } from '../core/events/list.js'
import { table } from './table.js'
import { when } from './time.js'

const summary = (record: Record<string, unknown>) =>
  Object.entries(record)
    .map(([key, value]) => `${key}=${typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
    .join(' ')

export function renderEvents({ events }: { events: EventView[] }): string {
  if (events.length === 0) return 'No events.'
  return table(
    ['at', 'kind', 'ids', 'data'],
    events.map((e) => [when(e.at), e.kind, summary(e.refs), summary(e.data)]),
  )
}
