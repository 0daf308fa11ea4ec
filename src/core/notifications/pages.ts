// Notifications read page by page (issue 15), oldest first as `notifications`
// always listed them: (at, id) order through notifications_at (workspace_id, at;
// the id is the rowid SQLite keeps at the end of the entry).
import { and, desc, eq, gte, lt, or, sql } from 'drizzle-orm'
import { resolveAccount } from '../accounts/resolve.js'
import { iso } from '../clock.js'
import { invalid, notFound } from '../errors.js'
import { keyedPages, type PageStart, type PagesOptions, type Position, startCondition, quotedIdPattern, escapeLike } from '../lists/pages.js'
import type { Db } from '../store/open.js'
import { type NotificationRow, notifications } from '../store/schema/index.js'
import type { NotificationView } from './list.js'

/** `kinds`: a kind or kind prefix each (payment matches payment_failed, payment_failed_final …). */
export type NotificationFilter = { account?: string; kinds?: string[]; since?: number; until?: number }

/** Where `--after ntf_N` continues. */
export async function notificationCursor(db: Db, workspaceId: string, ref: string): Promise<Position> {
  const match = /^ntf_(\d+)$/.exec(ref.trim())
  if (!match) throw invalid(`--after: "${ref}" is not a notification id (ntf_N, as notifications lists them)`, { value: ref })
  const row = (await db.get('SELECT at FROM notifications WHERE workspace_id = ? AND id = ?', workspaceId, Number(match[1]))) as { at: number } | undefined
  if (!row) throw notFound('notification', ref)
  return { key: Number(row.at), rowid: Number(match[1]) }
}

const viewOf = (row: NotificationRow): NotificationView => ({ id: `ntf_${row.id}`, at: iso(row.at), kind: row.kind, message: row.message, refs: row.refs })

export async function notificationPages(db: Db, workspaceId: string, filter: NotificationFilter, options: PagesOptions = {}): Promise<AsyncGenerator<NotificationView[]>> {
  const accountId = filter.account === undefined ? undefined : (await resolveAccount(db, workspaceId, filter.account)).id
  const where = (start: PageStart | undefined) =>
    and(
      eq(notifications.workspaceId, workspaceId),
      // The account is among the ids the notification names (refs is JSON text on both engines).
      accountId === undefined ? undefined : sql`${notifications.refs} LIKE ${quotedIdPattern(accountId)} ESCAPE '\\'`,
      filter.kinds?.length
        ? or(...filter.kinds.map((kind) => sql`(${notifications.kind} = ${kind} OR ${notifications.kind} LIKE ${`${escapeLike(kind)}\\_%`} ESCAPE '\\')`))
        : undefined,
      filter.since === undefined ? undefined : gte(notifications.at, filter.since),
      filter.until === undefined ? undefined : lt(notifications.at, filter.until),
      startCondition(notifications.at, notifications.id, start),
    )
  const rows = keyedPages<NotificationRow>(
    async ({ start, limit }) => await db.orm.select().from(notifications).where(where(start)).orderBy(notifications.at, notifications.id).limit(limit),
    async (row) => ({ key: row.at, rowid: row.id }),
    async (n) => {
      const row = (await db.orm.select().from(notifications).where(where(undefined)).orderBy(desc(notifications.at), desc(notifications.id)).limit(1).offset(n - 1))[0]
      return row === undefined ? undefined : { key: row.at, rowid: row.id }
    },
    options,
  )
  return (async function* () {
    for await (const page of rows) yield page.map(viewOf)
  })()
}
