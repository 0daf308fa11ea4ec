// Appending to the event log (R-EV-1). Called inside the transaction of the
// change it records, so a change and its event land together or not at all.
import { redactDeep } from '../redact.js'
import type { Db } from '../store/open.js'

export type EventInput = {
  workspaceId: string
  at: number
  kind: string
  refs?: Record<string, string>
  data?: Record<string, unknown>
}

/** The row's refs and data as JSON text, as the schema's json columns (store/schema/events.ts) write them. */
export async function recordEvent(db: Db, event: EventInput): Promise<void> {
  await db.runLater(
    'INSERT INTO events (workspace_id, at, kind, refs, data, recorded_at) VALUES (?, ?, ?, ?, ?, ?)',
    event.workspaceId,
    event.at,
    event.kind,
    JSON.stringify(event.refs ?? {}),
    JSON.stringify(redactDeep(event.data ?? {})),
    Date.now(),
  )
}
