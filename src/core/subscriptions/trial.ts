// Trial eligibility (R-TR-1, R-TR-2): exactly one billing account in the
// workspace, which has never had a subscription, and no trial ever used.
import { count, eq } from 'drizzle-orm'
import type { Ctx } from '../context.js'
import { billingAccounts, subscriptions, workspaces } from '../store/schema/index.js'

export type TrialEligibility = { eligible: true } | { eligible: false; condition: string; reason: string }

export async function trialEligibility(ctx: Ctx, accountId: string): Promise<TrialEligibility> {
  const { db, workspace } = ctx
  // Read fresh: the context's copy of the workspace may predate a trial started since.
  const used = (await db.orm.select({ at: workspaces.trialUsedAt }).from(workspaces).where(eq(workspaces.id, workspace.id)).limit(1))[0]?.at
  if (used != null)
    return { eligible: false, condition: 'trial_already_used', reason: 'the workspace has already had its one trial' }
  const accounts = (await db.orm.select({ n: count() }).from(billingAccounts).where(eq(billingAccounts.workspaceId, workspace.id)).limit(1))[0]?.n ?? 0
  if (accounts !== 1)
    return {
      eligible: false,
      condition: 'not_exactly_one_account',
      reason: `the workspace has ${accounts} billing accounts; a trial needs exactly one`,
    }
  const previous = (await db.orm.select({ n: count() }).from(subscriptions).where(eq(subscriptions.accountId, accountId)).limit(1))[0]?.n ?? 0
  if (previous > 0)
    return { eligible: false, condition: 'account_had_subscription', reason: 'the billing account has already had a subscription' }
  return { eligible: true }
}
