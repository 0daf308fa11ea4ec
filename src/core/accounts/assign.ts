// Assigned mode (R-BA-3): each top-level org has one dedicated account; child
// orgs inherit it and cannot hold their own.
import { eq } from 'drizzle-orm'
import { one } from '../store/db.js'
import type { Ctx } from '../context.js'
import { refused } from '../errors.js'
import { recordEvent } from '../events/record.js'
import { resolveOrg } from '../orgs/resolve.js'
import { loadTree, pathOf, topLevelOf } from '../orgs/tree.js'
import { type BillingAccountRow, billingAccounts } from '../store/schema/index.js'
import { subtreeUsage } from '../usage/levels.js'
import { resolveAccount } from './resolve.js'
import { type AccountView, accountView } from './view.js'

export function requireAssignedMode(ctx: Ctx, action: string): void {
  if (ctx.workspace.mode !== 'assigned')
    throw refused(
      'WRONG_MODE',
      `${action} is only possible in assigned mode; workspace "${ctx.workspace.name}" is in ${ctx.workspace.mode} mode`,
      { mode: ctx.workspace.mode },
    )
}

/** Assigns inside the caller's transaction; shared by `account create --org` and `account assign`. */
export async function assignWithin(ctx: Ctx, account: BillingAccountRow, orgRef: string): Promise<BillingAccountRow> {
  const { db, workspace, now } = ctx
  requireAssignedMode(ctx, 'assigning an account to an organization')
  await db.excludeMetering(workspace.id)
  const tree = await loadTree(db, workspace.id)
  const org = resolveOrg(await tree, orgRef)
  if (org.parentId !== null)
    throw refused(
      'NOT_TOP_LEVEL',
      `"${pathOf(await tree, org.id)}" is not a top-level organization; child organizations inherit the account of their top-level ancestor "${topLevelOf(await tree, org.id).name}"`,
      { orgId: org.id, topLevelOrgId: topLevelOf(await tree, org.id).id },
    )
  if (account.organizationId === org.id) return account
  if (account.organizationId !== null)
    throw refused(
      'ALREADY_ASSIGNED',
      `account "${account.name}" is already assigned to "${pathOf(await tree, account.organizationId)}"; an account serves one top-level organization`,
      { accountId: account.id, organizationId: account.organizationId },
    )
  const holder = (await db.orm.select().from(billingAccounts).where(eq(billingAccounts.organizationId, org.id)).limit(1))[0]
  if (holder)
    throw refused(
      'ALREADY_ASSIGNED',
      `"${org.name}" already has billing account "${holder.name}" (${holder.id}); a top-level organization has exactly one`,
      { accountId: holder.id, organizationId: org.id },
    )
  const row = one(await db.orm
    .update(billingAccounts)
    .set({ organizationId: org.id })
    .where(eq(billingAccounts.id, account.id))
    .returning())
  await recordEvent(db, { workspaceId: workspace.id, at: now, kind: 'account.assigned', refs: { accountId: account.id, orgId: org.id } })
  return row
}

export async function assignAccount(ctx: Ctx, input: { account: string; org: string }): Promise<AccountView> {
  return await ctx.db.write(async () =>
    accountView(await assignWithin(ctx, await resolveAccount(ctx.db, ctx.workspace.id, input.account), input.org)),
  )
}

/** Ends an assignment; refused while the org's subtree still has usage drawn from it. */
export async function unassignAccount(ctx: Ctx, input: { account: string }): Promise<AccountView> {
  const { db, workspace, now } = ctx
  return await db.write(async () => {
    requireAssignedMode(ctx, 'unassigning an account')
    await db.excludeMetering(workspace.id)
    const account = await resolveAccount(db, workspace.id, input.account)
    const orgId = account.organizationId
    if (orgId === null) return accountView(account)
    const usage = await subtreeUsage(db, orgId)
    if (Object.keys(usage).length > 0)
      throw refused(
        'ORG_IN_USE',
        `account "${account.name}" still serves usage of its organization (${Object.entries(usage)
          .map(([product, n]) => `${product}=${n}`)
          .join(', ')}); release the usage first`,
        { accountId: account.id, orgId, usage },
      )
    const row = one(await db.orm.update(billingAccounts).set({ organizationId: null }).where(eq(billingAccounts.id, account.id)).returning())
    await recordEvent(db, { workspaceId: workspace.id, at: now, kind: 'account.unassigned', refs: { accountId: account.id, orgId } })
    return accountView(row)
  })
}
