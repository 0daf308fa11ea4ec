import { asc, eq } from 'drizzle-orm'
import { iso } from '../clock.js'
import type { Ctx } from '../context.js'
import { notifications } from '../store/schema/index.js'

export type NotificationView = { id: string; at: string; kind: string; message: string; refs: Record<string, string> }

export async function listNotifications(ctx: Ctx): Promise<{ notifications: NotificationView[]} > {
  const rows = (await ctx.db.orm
    .select()
    .from(notifications)
    .where(eq(notifications.workspaceId, ctx.workspace.id))
    .orderBy(asc(notifications.at), asc(notifications.id)))
  return { notifications: rows.map((row) => ({ id: `ntf_${row.id}`, at: iso(row.at), kind: row.kind, message: row.message, refs: row.refs })) }
}
