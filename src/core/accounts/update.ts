// Editing a billing account's details (R-BA-1).
import { and, eq, ne } from 'drizzle-orm'
import { one } from '../store/db.js'
import type { Ctx } from '../context.js'
import { currency } from '../currency.js'
import { refused } from '../errors.js'
import { recordEvent } from '../events/record.js'
import { billingAccounts, invoices, subscriptions } from '../store/schema/index.js'
import { resolveAccount } from './resolve.js'
import { type AccountView, accountView } from './view.js'
import { sameName } from '../names.js'
import { uniquePrefix } from '../invoices/numbering.js'

export type UpdateAccountInput = {
  ref: string
  name?: string
  currency?: string
  email?: string
  country?: string
  address?: string
  taxId?: string
  region?: string
  taxExempt?: boolean
  taxRateMilli?: number
}

export async function updateAccount(ctx: Ctx, input: UpdateAccountInput): Promise<AccountView> {
  const { db, workspace, now } = ctx
  return await db.write(async () => {
    const account = await resolveAccount(db, workspace.id, input.ref)
    const changes: Partial<typeof billingAccounts.$inferInsert> = {}
    if (input.name !== undefined && input.name !== account.name) {
      const name = input.name
      const clash = (await db.orm
        .select({ id: billingAccounts.id, name: billingAccounts.name })
        .from(billingAccounts)
        .where(and(eq(billingAccounts.workspaceId, workspace.id), ne(billingAccounts.id, account.id))))
        .find((row) => sameName(row.name, name))
      if (clash) throw refused('NAME_TAKEN', `a billing account named "${input.name}" already exists (${clash.id})`, { id: clash.id })
      changes.name = input.name
      // The invoice prefix follows the name until the first invoice; after, issued numbers keep theirs.
      const invoiced = (await db.orm.select({ id: invoices.id }).from(invoices).where(eq(invoices.accountId, account.id)).limit(1))[0]
      if (!invoiced) changes.invoicePrefix = await uniquePrefix(db, workspace.id, name, account.id)
    }
    if (input.currency !== undefined) {
      const code = currency(input.currency).code
      if (code !== account.currency) {
        const subscription = (await db.orm.select({ id: subscriptions.id }).from(subscriptions).where(eq(subscriptions.accountId, account.id)).limit(1))[0]
        if (subscription)
          throw refused('CURRENCY_LOCKED', `the currency of "${account.name}" is fixed at ${account.currency}: it has had a subscription (${subscription.id})`, {
            accountId: account.id,
            currency: account.currency,
          })
        changes.currency = code
      }
    }
    if (input.email !== undefined) changes.email = input.email
    if (input.country !== undefined) changes.country = input.country
    if (input.address !== undefined) changes.address = input.address
    if (input.taxId !== undefined) changes.taxId = input.taxId
    if (input.region !== undefined) changes.region = input.region
    if (input.taxExempt !== undefined) changes.taxExempt = input.taxExempt
    if (input.taxRateMilli !== undefined) changes.taxRateMilli = input.taxRateMilli
    if (Object.keys(changes).length === 0) return accountView(account)
    const row = one(await db.orm.update(billingAccounts).set(changes).where(eq(billingAccounts.id, account.id)).returning())
    await recordEvent(db, { workspaceId: workspace.id, at: now, kind: 'account.updated', refs: { accountId: account.id }, data: { changes } })
    return accountView(row)
  })
}
