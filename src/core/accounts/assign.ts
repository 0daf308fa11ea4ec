// Assigned mode (R-BA-3): each top-level org has one dedicated account; child
// orgs inherit it and cannot hold their own.
import { eq } from 'drizzle-orm'
import type { Ctx } from '../context.js'
import { refused } from '../errors.js'
import { recordEvent } from '../events/record.js'
import { resolveOrg } from '../orgs/resolve.js'
import { loadTree, pathOf, topLevelOf } from '../orgs/tree.js'
import { type BillingAccountRow, billingAccounts } from '../store/schema/index.js'
import { immediate } from '../store/transaction.js'
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
export function assignWithin(ctx: Ctx, account: BillingAccountRow, orgRef: string): BillingAccountRow {
  const { db, workspace, now } = ctx
  requireAssignedMode(ctx, 'assigning an account to an organization')
  const tree = loadTree(db, workspace.id)
  const org = resolveOrg(tree, orgRef)
  if (org.parentId !== null)
    throw refused(
      'NOT_TOP_LEVEL',
      `"${pathOf(tree, org.id)}" is not a top-level organization; child organizations inherit the account of their top-level ancestor "${topLevelOf(tree, org.id).name}"`,
      { orgId: org.id, topLevelOrgId: topLevelOf(tree, org.id).id },
    )
  if (account.organizationId === org.id) return account
  if (account.organizationId !== null)
    throw refused(
      'ALREADY_ASSIGNED',
      `account "${account.name}" is already assigned to "${pathOf(tree, account.organizationId)}"; an account serves one top-level organization`,
      { accountId: account.id, organizationId: account.organizationId },
    )
  const holder = db.orm.select().from(billingAccounts).where(eq(billingAccounts.organizationId, org.id)).get()
  if (holder)
    throw refused(
      'ALREADY_ASSIGNED',
      `"${org.name}" already has billing account "${holder.name}" (${holder.id}); a top-level organization has exactly one`,
      { accountId: holder.id, organizationId: org.id },
    )
  const row = db.orm
    .update(billingAccounts)
    .set({ organizationId: org.id })
    .where(eq(billingAccounts.id, account.id))
    .returning()
    .get()
  recordEvent(db, { workspaceId: workspace.id, at: now, kind: 'account.assigned', refs: { accountId: account.id, orgId: org.id } })
  return row
}

export function assignAccount(ctx: Ctx, input: { account: string; org: string }): AccountView {
  return immediate(ctx.db.sqlite, () =>
    accountView(assignWithin(ctx, resolveAccount(ctx.db, ctx.workspace.id, input.account), input.org)),
  )
}

/** Ends an assignment; refused while the org's subtree still has usage drawn from it. */
export function unassignAccount(ctx: Ctx, input: { account: string }): AccountView {
  const { db, workspace, now } = ctx
  return immediate(db.sqlite, () => {
    requireAssignedMode(ctx, 'unassigning an account')
    const account = resolveAccount(db, workspace.id, input.account)
    const orgId = account.organizationId
    if (orgId === null) return accountView(account)
    const usage = subtreeUsage(db, orgId)
    if (Object.keys(usage).length > 0)
      throw refused(
        'ORG_IN_USE',
        `account "${account.name}" still serves usage of its organization (${Object.entries(usage)
          .map(([product, n]) => `${product}=${n}`)
          .join(', ')}); release the usage first`,
        { accountId: account.id, orgId, usage },
      )
    const row = db.orm.update(billingAccounts).set({ organizationId: null }).where(eq(billingAccounts.id, account.id)).returning().get()
    recordEvent(db, { workspaceId: workspace.id, at: now, kind: 'account.unassigned', refs: { accountId: account.id, orgId } })
    return accountView(row)
  })
}
