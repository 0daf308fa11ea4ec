import { and, eq, sql } from 'drizzle-orm'
import { resolveAccount } from '../accounts/resolve.js'
import { mapSerial } from '../serial.js'
import type { Ctx } from '../context.js'
import { type SubscriptionStatus, subscriptions } from '../store/schema/index.js'
import { resolveSubscription } from './resolve.js'
import { type SubscriptionView, subscriptionView } from './view.js'

export async function listSubscriptions(ctx: Ctx, filter: { account?: string; status?: SubscriptionStatus } = {}): Promise<{ subscriptions: SubscriptionView[]} > {
  const accountId = filter.account === undefined ? undefined : (await resolveAccount(ctx.db, ctx.workspace.id, filter.account)).id
  const rows = (await ctx.db.orm
    .select()
    .from(subscriptions)
    .where(
      and(
        eq(subscriptions.workspaceId, ctx.workspace.id),
        accountId ? eq(subscriptions.accountId, accountId) : undefined,
        filter.status ? eq(subscriptions.status, filter.status) : undefined,
      ),
    )
    .orderBy(sql.raw(ctx.db.creationOrder)))
  return { subscriptions: await mapSerial(rows, (row) => subscriptionView(ctx.db, row)) }
}

export const showSubscription = async (ctx: Ctx, ref: string): Promise<SubscriptionView> =>
  await subscriptionView(ctx.db, await resolveSubscription(ctx.db, ctx.workspace.id, ref))
