// Subscriptions read page by page (issue 15), in creation order as
// `sub list` always listed them, through subscriptions_workspace (workspace_id:
// SQLite keeps the rowid at the end of every index entry) or, for one account,
// subscriptions_account.
import { and, eq, gte, lt, sql } from 'drizzle-orm'
import { resolveAccount } from '../accounts/resolve.js'
import { keyedPages, type PageStart, type PagesOptions, type Position, startCondition } from '../lists/pages.js'
import type { Db } from '../store/open.js'
import { type SubscriptionRow, type SubscriptionStatus, subscriptions } from '../store/schema/index.js'
import { resolveSubscription } from './resolve.js'
import { type SubscriptionView, subscriptionView } from './view.js'

/** `since`/`until`: created at or after, before. */
export type SubscriptionFilter = { account?: string; status?: SubscriptionStatus; since?: number; until?: number }

// The order is the creation order alone: the key part of the position is unused (0).
const positionOf = async (db: Db, id: string): Promise<Position> => {
  const row = (await db.get(`SELECT ${db.creationOrder} AS rowid FROM subscriptions WHERE id = ?`, id)) as { rowid: number }
  return { key: 0, rowid: Number(row.rowid) }
}

/** Where `--after SUBSCRIPTION` (its id) continues. */
export async function subscriptionCursor(db: Db, workspaceId: string, ref: string): Promise<Position> {
  return await positionOf(db, (await resolveSubscription(db, workspaceId, ref)).id)
}

export async function subscriptionPages(db: Db, workspaceId: string, filter: SubscriptionFilter, options: PagesOptions = {}): Promise<AsyncGenerator<SubscriptionView[]>> {
  const accountId = filter.account === undefined ? undefined : (await resolveAccount(db, workspaceId, filter.account)).id
  const where = (start: PageStart | undefined) =>
    and(
      eq(subscriptions.workspaceId, workspaceId),
      accountId === undefined ? undefined : eq(subscriptions.accountId, accountId),
      filter.status === undefined ? undefined : eq(subscriptions.status, filter.status),
      filter.since === undefined ? undefined : gte(subscriptions.createdAt, filter.since),
      filter.until === undefined ? undefined : lt(subscriptions.createdAt, filter.until),
      // No key: past the position's rowid is the only start (the key's arm, 0 > 0, is empty).
      startCondition(sql`0`, sql.raw(db.creationOrder), start),
    )
  const rows = keyedPages<SubscriptionRow>(
    async ({ start, limit }) => await db.orm.select().from(subscriptions).where(where(start)).orderBy(sql.raw(db.creationOrder)).limit(limit),
    async (row) => await positionOf(db, row.id),
    async (n) => {
      const row = (await db.orm.select({ id: subscriptions.id }).from(subscriptions).where(where(undefined)).orderBy(sql.raw(`${db.creationOrder} DESC`)).limit(1).offset(n - 1))[0]
      return row === undefined ? undefined : await positionOf(db, row.id)
    },
    options,
  )
  return (async function* () {
    for await (const page of rows) {
      const views: SubscriptionView[] = []
      for (const row of page) views.push(await subscriptionView(db, row))
      yield views
    }
  })()
}
