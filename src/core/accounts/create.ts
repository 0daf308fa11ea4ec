// Creating billing accounts under the mode's rules (R-BA-1..4): one in single
// mode (ACCOUNT_LIMIT), dedicated to a top-level org in assigned mode, any
// number in pooled mode.
import { eq } from 'drizzle-orm'
import { one } from '../store/db.js'
import type { Ctx } from '../context.js'
import { currency } from '../currency.js'
import { refused } from '../errors.js'
import { uniquePrefix } from '../invoices/numbering.js'
import { recordEvent } from '../events/record.js'
import { newId } from '../ids.js'
import { billingAccounts } from '../store/schema/index.js'
import { assignWithin } from './assign.js'
import { type AccountView, accountView } from './view.js'
import { sameName } from '../names.js'

export type CreateAccountInput = {
  name: string
  currency: string
  email?: string
  country?: string
  address?: string
  taxId?: string
  region?: string
  taxExempt?: boolean
  /** Thousandths of a percent (19% = 19000). */
  taxRateMilli?: number
  /** Assigned mode: the top-level organization the account is dedicated to. */
  org?: string
}

export async function createAccount(ctx: Ctx, input: CreateAccountInput): Promise<AccountView> {
  const { db, workspace, now } = ctx
  const code = currency(input.currency).code
  return await db.write(async () => {
    // An account made for an org starts serving it (assignWithin): taken before anything is read.
    if (input.org !== undefined) await db.excludeMetering(workspace.id)
    if (workspace.mode === 'single') {
      const existing = (await db.orm.select().from(billingAccounts).where(eq(billingAccounts.workspaceId, workspace.id)).limit(1))[0]
      if (existing)
        throw refused(
          'ACCOUNT_LIMIT',
          `workspace "${workspace.name}" is in single mode and already has its one billing account "${existing.name}" (${existing.id})`,
          { accountId: existing.id, mode: workspace.mode },
        )
    }
    const clash = (await db.orm
      .select({ id: billingAccounts.id, name: billingAccounts.name })
      .from(billingAccounts)
      .where(eq(billingAccounts.workspaceId, workspace.id)))
      .find((row) => sameName(row.name, input.name))
    if (clash) throw refused('NAME_TAKEN', `a billing account named "${input.name}" already exists (${clash.id})`, { id: clash.id })
    let row = one(await db.orm
      .insert(billingAccounts)
      .values({
        id: newId('account'),
        workspaceId: workspace.id,
        name: input.name,
        currency: code,
        email: input.email ?? null,
        country: input.country ?? null,
        address: input.address ?? null,
        taxId: input.taxId ?? null,
        region: input.region ?? null,
        taxExempt: input.taxExempt ?? false,
        taxRateMilli: input.taxRateMilli ?? 0,
        invoicePrefix: await uniquePrefix(db, workspace.id, input.name),
        createdAt: now,
      })
      .returning())
    await recordEvent(db, {
      workspaceId: workspace.id,
      at: now,
      kind: 'account.created',
      refs: { accountId: row.id },
      data: { name: row.name, currency: row.currency },
    })
    if (input.org !== undefined) row = await assignWithin(ctx, row, input.org)
    return accountView(row)
  })
}
