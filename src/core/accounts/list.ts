import { eq, sql } from 'drizzle-orm'
import type { Ctx } from '../context.js'
import { billingAccounts } from '../store/schema/index.js'
import { resolveAccount } from './resolve.js'
import { type AccountView, accountView } from './view.js'

export function listAccounts(ctx: Ctx): { accounts: AccountView[] } {
  const rows = ctx.db.orm
    .select()
    .from(billingAccounts)
    .where(eq(billingAccounts.workspaceId, ctx.workspace.id))
    .orderBy(sql`rowid`)
    .all()
  return { accounts: rows.map(accountView) }
}

export function showAccount(ctx: Ctx, ref: string): AccountView {
  return accountView(resolveAccount(ctx.db, ctx.workspace.id, ref))
}
