// The account credit balance (R-INV-4): grants add to it, invoices draw it down
// before anything is charged. A negative adjustment cannot overdraw it.
import { asc, eq, sql } from 'drizzle-orm'
import { iso } from '../clock.js'
import type { Ctx } from '../context.js'
import { invalid, refused } from '../errors.js'
import { recordEvent } from '../events/record.js'
import type { Money } from '../money.js'
import { billingAccounts, creditEntries } from '../store/schema/index.js'
import { resolveAccount } from './resolve.js'

export type CreditView = {
  accountId: string
  accountName: string
  balance: Money
  entries: { at: string; amount: Money; invoiceId: string | null; note: string | null }[]
}

export async function creditView(ctx: Ctx, accountId: string): Promise<CreditView> {
  const account = await resolveAccount(ctx.db, ctx.workspace.id, accountId)
  const entries = (await ctx.db.orm.select().from(creditEntries).where(eq(creditEntries.accountId, account.id)).orderBy(asc(creditEntries.id)))
  return {
    accountId: account.id,
    accountName: account.name,
    balance: { amount: account.creditBalance, currency: account.currency },
    entries: entries.map((e) => ({ at: iso(e.at), amount: { amount: e.amount, currency: account.currency }, invoiceId: e.invoiceId, note: e.note })),
  }
}

export async function adjustCredit(ctx: Ctx, input: { account: string; amount: number; note?: string }): Promise<CreditView> {
  const { db, workspace, now } = ctx
  if (input.amount === 0) throw invalid('--amount: give a non-zero amount in minor units')
  return await db.write(async () => {
    const account = await resolveAccount(db, workspace.id, input.account)
    if (account.creditBalance + input.amount < 0)
      throw refused('CREDIT_OVERDRAWN', `account "${account.name}" has a credit balance of ${account.creditBalance}; it cannot go below zero`, {
        balance: account.creditBalance,
        amount: input.amount,
      })
    await db.orm.insert(creditEntries).values({ accountId: account.id, amount: input.amount, note: input.note ?? (input.amount > 0 ? 'credit granted' : 'credit removed'), at: now })
    await db.orm.update(billingAccounts).set({ creditBalance: sql`${billingAccounts.creditBalance} + ${input.amount}` }).where(eq(billingAccounts.id, account.id))
    await recordEvent(db, { workspaceId: workspace.id, at: now, kind: 'account.credit_adjusted', refs: { accountId: account.id }, data: { amount: { amount: input.amount, currency: account.currency } } })
    return await creditView(ctx, account.id)
  })
}
