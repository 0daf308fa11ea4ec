// Invoice numbers a person can quote (issue 16): the account's prefix and its
// gapless number (R-INV-1), GCUSA-0001. The prefix comes from the account's
// name (initials of several words, else the first letters), made unique in the
// workspace with a digit, and is stored when the account is created; a rename
// recomputes it only while the account has no invoice, so an issued number
// never changes.
import { and, eq, isNotNull } from 'drizzle-orm'
import type { Db } from '../store/open.js'
import { type BillingAccountRow, billingAccounts } from '../store/schema/index.js'

export function prefixFromName(name: string): string {
  const words = name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter(Boolean)
  const base = words.length >= 2 ? words.map((w) => (/^[0-9]+$/.test(w) || w.length <= 3 ? w : w[0])).join('') : (words[0] ?? '')
  // Names in scripts without Latin letters (製品部) get a neutral prefix.
  return base.slice(0, 6) || 'INV'
}

export const formatInvoiceNumber = (prefix: string, number: number) => `${prefix}-${String(number).padStart(4, '0')}`

/** A prefix for `name` that no other account of the workspace uses (GCUSA, then GCUSA2 …). */
export async function uniquePrefix(db: Db, workspaceId: string, name: string, exceptAccountId?: string): Promise<string> {
  const taken = new Set(
    (await db.orm
      .select({ id: billingAccounts.id, p: billingAccounts.invoicePrefix })
      .from(billingAccounts)
      .where(and(eq(billingAccounts.workspaceId, workspaceId), isNotNull(billingAccounts.invoicePrefix))))
      .filter((r) => r.id !== exceptAccountId)
      .map((r) => r.p),
  )
  const base = prefixFromName(name)
  let prefix = base
  for (let n = 2; taken.has(prefix); n++) prefix = `${base}${n}`
  return prefix
}

/**
 * The prefix an invoice is numbered with. Accounts get theirs when they are
 * created (accounts/create.ts), so issuing never writes the account row: eight
 * processes issuing first invoices at once on PostgreSQL otherwise deadlocked
 * (the account row against each other's new subscriptions) until their retries
 * ran out. Accounts made before prefixes existed get one here, once.
 */
export async function accountPrefix(db: Db, account: BillingAccountRow): Promise<string> {
  if (account.invoicePrefix) return account.invoicePrefix
  const prefix = await uniquePrefix(db, account.workspaceId, account.name, account.id)
  await db.orm.update(billingAccounts).set({ invoicePrefix: prefix }).where(eq(billingAccounts.id, account.id))
  return prefix
}
