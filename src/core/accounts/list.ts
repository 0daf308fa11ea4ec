import { eq, sql } from 'drizzle-orm'
import type { Ctx } from '../context.js'
import { chooseTax, type TaxRateRow } from '../invoices/tax.js'
import { billingAccounts, type SellerIdentity, taxRates, type TaxRule, workspaces } from '../store/schema/index.js'
import { orgNames } from './org-names.js'
import { resolveAccount } from './resolve.js'
import { type AccountView, accountView } from './view.js'

/** The tax an invoice issued now would apply (the rule of core/invoices/tax.ts), as invoices carry it: rate in percent. */
export type AccountTax = { jurisdiction: string | null; name: string; rate: number; rule: TaxRule; note: string | null }

/** An account as listed and shown: its organization's name beside the id, and the tax that applies to it. */
export type AccountDetail = AccountView & { organizationName: string | null; taxDetail: AccountTax }

/** What the tax rule reads besides the account: the workspace's seller and tax-rate table. */
type TaxSources = { seller: SellerIdentity | null; rates: TaxRateRow[] }

async function taxSources(ctx: Ctx): Promise<TaxSources> {
  const seller = (await ctx.db.orm.select({ seller: workspaces.seller }).from(workspaces).where(eq(workspaces.id, ctx.workspace.id)).limit(1))[0]?.seller ?? null
  return { seller, rates: await ctx.db.orm.select().from(taxRates).where(eq(taxRates.workspaceId, ctx.workspace.id)) }
}

function taxOf(view: AccountView, { seller, rates }: TaxSources): AccountTax {
  const { rateMilli, ...rest } = chooseTax({ ...view, taxRateMilli: Math.round(view.taxRate * 1000) }, seller, rates)
  return { ...rest, rate: rateMilli / 1000 }
}


const detail = (view: AccountView, names: Map<string, string>, tax: TaxSources): AccountDetail => ({
  ...view,
  organizationName: view.organizationId === null ? null : (names.get(view.organizationId) ?? null),
  taxDetail: taxOf(view, tax),
})

export async function listAccounts(ctx: Ctx): Promise<{ accounts: AccountDetail[] }> {
  const rows = (await ctx.db.orm
    .select()
    .from(billingAccounts)
    .where(eq(billingAccounts.workspaceId, ctx.workspace.id))
    .orderBy(sql.raw(ctx.db.creationOrder)))
  const names = await orgNames(ctx)
  const tax = await taxSources(ctx)
  return { accounts: rows.map((row) => detail(accountView(row), names, tax)) }
}

export async function showAccount(ctx: Ctx, ref: string): Promise<AccountDetail> {
  return detail(accountView(await resolveAccount(ctx.db, ctx.workspace.id, ref)), await orgNames(ctx), await taxSources(ctx))
}

/** An account a command just wrote (create, update, assign), with its organization's name and its tax. */
export async function accountDetail(ctx: Ctx, view: AccountView): Promise<AccountDetail> {
  return detail(view, await orgNames(ctx), await taxSources(ctx))
}
