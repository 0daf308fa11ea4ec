import type { EventView } from '../core/events/list.js'
import { table } from './table.js'
import { fitLines, onTerminal } from './terminal.js'
import { when } from './time.js'

/** key=value pairs; an id of something named is shown as "Name (id)", the name first so a cut keeps it. */
const summary = (record: Record<string, unknown>, names: Record<string, string> = {}) =>
  Object.entries(record)
    .map(([key, value]) => {
      const text = typeof value === 'object' ? JSON.stringify(value) : String(value)
      const name = typeof value === 'string' ? names[value] : undefined
      return `${key}=${name === undefined ? text : `${name} (${text})`}`
    })
    .join(' ')

export function renderEvents({ events }: { events: EventView[] }): string {
  if (events.length === 0) return 'No events.'
  return renderEventRows(events, { header: true })
}

/**
 * One page of a streamed listing. Piped, pages after the first are more
 * tab-separated rows under the one header; on a terminal each page is its own table.
 */
export function renderEventRows(events: EventView[], options: { header: boolean }): string {
  const text = table(
    // The id first: it is what --after takes to continue a listing.
    ['id', 'at', 'kind', 'ids', 'data'],
    events.map((e) => [e.id, when(e.at), e.kind, summary(e.refs, e.names), summary(e.data)]),
    { keep: [0, 1, 2] },
  )
  return options.header || onTerminal() ? fitLines(text) : text.slice(text.indexOf('\n') + 1)
}
