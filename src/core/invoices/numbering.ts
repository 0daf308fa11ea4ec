// Invoice numbers a person can quote (issue 16): the account's prefix and its
// gapless number (R-INV-1), GCUSA-0001. The prefix comes from the account's
// name (initials of several words, else the first letters), made unique in the
// workspace with a digit, and is stored at the account's first invoice so a
// later rename never changes how its invoices are numbered.
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

export async function accountPrefix(db: Db, account: BillingAccountRow): Promise<string> {
  if (account.invoicePrefix) return account.invoicePrefix
  const taken = new Set(
    (await db.orm.select({ p: billingAccounts.invoicePrefix }).from(billingAccounts).where(and(eq(billingAccounts.workspaceId, account.workspaceId), isNotNull(billingAccounts.invoicePrefix)))).map((r) => r.p),
  )
  const base = prefixFromName(account.name)
  let prefix = base
  for (let n = 2; taken.has(prefix); n++) prefix = `${base}${n}`
  await db.orm.update(billingAccounts).set({ invoicePrefix: prefix }).where(eq(billingAccounts.id, account.id))
  return prefix
}
