import { eq, sql } from 'drizzle-orm'
import type { Ctx } from '../context.js'
import { billingAccounts } from '../store/schema/index.js'
import { resolveAccount } from './resolve.js'
import { type AccountView, accountView } from './view.js'

export async function listAccounts(ctx: Ctx): Promise<{ accounts: AccountView[]} > {
  const rows = (await ctx.db.orm
    .select()
    .from(billingAccounts)
    .where(eq(billingAccounts.workspaceId, ctx.workspace.id))
    .orderBy(sql`rowid`))
  return { accounts: rows.map(accountView) }
}

export async function showAccount(ctx: Ctx, ref: string): Promise<AccountView> {
  return accountView(await resolveAccount(ctx.db, ctx.workspace.id, ref))
}
