// Notifications (R-TR-3, R-PAY-2, R-PAY-3): recorded once per occasion and
// mirrored in the event log (R-EV-1).
import type { Ctx } from '../context.js'
import { recordEvent } from '../events/record.js'
import { notifications } from '../store/schema/index.js'

export async function notify(ctx: Ctx, kind: string, dedupeKey: string, message: string, refs: Record<string, string>): Promise<boolean> {
  const inserted = (await ctx.db.orm
    .insert(notifications)
    .values({ workspaceId: ctx.workspace.id, at: ctx.now, kind, message, refs, dedupeKey })
    .onConflictDoNothing())
  if (inserted.changes === 0) return false
  await recordEvent(ctx.db, { workspaceId: ctx.workspace.id, at: ctx.now, kind: `notification.${kind}`, refs, data: { message } })
  return true
}
