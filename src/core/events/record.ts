// Appending to the event log (R-EV-1). Called inside the transaction of the
// change it records, so a change and its event land together or not at all.
import { redactDeep } from '../redact.js'
import type { Db } from '../store/open.js'
import { events } from '../store/schema/index.js'

export type EventInput = {
  workspaceId: string
  at: number
  kind: string
  refs?: Record<string, string>
  data?: Record<string, unknown>
}

export async function recordEvent(db: Db, event: EventInput): Promise<void> {
  await db.orm
    .insert(events)
    .values({
      workspaceId: event.workspaceId,
      at: event.at,
      kind: event.kind,
      refs: event.refs ?? {},
      data: redactDeep(event.data ?? {}),
      recordedAt: Date.now(),
    })
}
