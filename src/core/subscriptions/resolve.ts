import { and, eq } from 'drizzle-orm'
import { notFound, refused } from '../errors.js'
import type { Db } from '../store/open.js'
import { contributingStatuses, type SubscriptionRow, subscriptions } from '../store/schema/index.js'

/** The workspace's subscription `ref` (an id); kept for the transaction (Db.memo) until that row is written. */
export async function resolveSubscription(db: Db, workspaceId: string, ref: string): Promise<SubscriptionRow> {
  const id = ref.trim()
  const row = await db.memo(`subscription-of:${workspaceId}:${id}`, [`subscriptions#id=${id}`], async () => (await db.orm
    .select()
    .from(subscriptions)
    .where(and(eq(subscriptions.workspaceId, workspaceId), eq(subscriptions.id, id))).limit(1))[0])
  if (!row) throw notFound('subscription', ref)
  return row
}

/** Only trialing, active and past_due subscriptions can change (R-SUB-2). */
export function requireLive(row: SubscriptionRow, action: string): void {
  if (!contributingStatuses.includes(row.status))
    throw refused('SUBSCRIPTION_INACTIVE', `subscription ${row.id} is ${row.status}; it cannot be ${action}`, {
      subscriptionId: row.id,
      status: row.status,
    })
}
