import { and, eq, sql } from 'drizzle-orm'
import { resolveAccount } from '../accounts/resolve.js'
import type { Ctx } from '../context.js'
import { type SubscriptionStatus, subscriptions } from '../store/schema/index.js'
import { resolveSubscription } from './resolve.js'
import { type SubscriptionView, subscriptionView } from './view.js'

export function listSubscriptions(ctx: Ctx, filter: { account?: string; status?: SubscriptionStatus } = {}): { subscriptions: SubscriptionView[] } {
  const accountId = filter.account === undefined ? undefined : resolveAccount(ctx.db, ctx.workspace.id, filter.account).id
  const rows = ctx.db.orm
    .select()
    .from(subscriptions)
    .where(
      and(
        eq(subscriptions.workspaceId, ctx.workspace.id),
        accountId ? eq(subscriptions.accountId, accountId) : undefined,
        filter.status ? eq(subscriptions.status, filter.status) : undefined,
      ),
    )
    .orderBy(sql`rowid`)
    .all()
  return { subscriptions: rows.map((row) => subscriptionView(ctx.db, row)) }
}

export const showSubscription = (ctx: Ctx, ref: string): SubscriptionView =>
  subscriptionView(ctx.db, resolveSubscription(ctx.db, ctx.workspace.id, ref))
