import { eq, sql } from 'drizzle-orm'
import type { Ctx } from '../context.js'
import { billingAccounts } from '../store/schema/index.js'
import { orgNames } from './org-names.js'
import { resolveAccount } from './resolve.js'
import { type AccountView, accountView } from './view.js'

/** An account as listed and shown: its organization's name beside the id. */
export type AccountDetail = AccountView & { organizationName: string | null }


const withOrgName = (view: AccountView, names: Map<string, string>): AccountDetail => ({
  ...view,
  organizationName: view.organizationId === null ? null : (names.get(view.organizationId) ?? null),
})

export async function listAccounts(ctx: Ctx): Promise<{ accounts: AccountDetail[] }> {
  const rows = (await ctx.db.orm
    .select()
    .from(billingAccounts)
    .where(eq(billingAccounts.workspaceId, ctx.workspace.id))
    .orderBy(sql.raw(ctx.db.creationOrder)))
  const names = await orgNames(ctx)
  return { accounts: rows.map((row) => withOrgName(accountView(row), names)) }
}

export async function showAccount(ctx: Ctx, ref: string): Promise<AccountDetail> {
  return withOrgName(accountView(await resolveAccount(ctx.db, ctx.workspace.id, ref)), await orgNames(ctx))
}

/** A view a command just produced (create, update, assign), with its organization's name. */
export async function accountDetail(ctx: Ctx, view: AccountView): Promise<AccountDetail> {
  return withOrgName(view, await orgNames(ctx))
}
