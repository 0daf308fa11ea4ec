// Reading the event log (R-EV-1), newest last, filtered by kind and time.
import { and, asc, desc, eq, gte, like, or, type SQL } from 'drizzle-orm'
import { iso } from '../clock.js'
import type { Db } from '../store/open.js'
import { events } from '../store/schema/index.js'

export type EventView = {
  id: string
  at: string
  kind: string
  refs: Record<string, string>
  data: Record<string, unknown>
}

export type ListEventsOptions = { kinds?: string[]; since?: number; limit?: number }

export function listEvents(db: Db, workspaceId: string, options: ListEventsOptions = {}): { events: EventView[] } {
  const filters: SQL[] = [eq(events.workspaceId, workspaceId)]
  if (options.since !== undefined) filters.push(gte(events.at, options.since))
  if (options.kinds?.length) {
    // "org" matches org.created, org.deleted …; "org.created" matches itself.
    const byKind = options.kinds.map((kind) => or(eq(events.kind, kind), like(events.kind, `${kind}.%`)) as SQL)
    filters.push(or(...byKind) as SQL)
  }
  // With a limit, the latest N events, still shown oldest first.
  const query = db.orm.select().from(events).where(and(...filters))
  const rows =
    options.limit === undefined
      ? query.orderBy(asc(events.at), asc(events.id)).all()
      : query.orderBy(desc(events.at), desc(events.id)).limit(options.limit).all().reverse()
  return {
    events: rows.map((row) => ({ id: String(row.id), at: iso(row.at), kind: row.kind, refs: row.refs, data: row.data })),
  }
}
