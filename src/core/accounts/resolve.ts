// Naming a billing account: by id or by name, within one workspace (R-WS-2).
import { and, eq, or, sql } from 'drizzle-orm'
import { notFound } from '../errors.js'
import type { Db } from '../store/open.js'
import { type BillingAccountRow, billingAccounts } from '../store/schema/index.js'
import { asciiOnly, sameName } from '../names.js'

export function resolveAccount(db: Db, workspaceId: string, ref: string): BillingAccountRow {
  const inWorkspace = eq(billingAccounts.workspaceId, workspaceId)
  const row =
    db.orm
      .select()
      .from(billingAccounts)
      .where(and(inWorkspace, or(eq(billingAccounts.id, ref), eq(sql`lower(${billingAccounts.name})`, sql`lower(${ref.trim()})`))))
      .get() ??
    (asciiOnly(ref) ? undefined : db.orm.select().from(billingAccounts).where(inWorkspace).all().find((account) => sameName(account.name, ref)))
  if (!row) throw notFound('billing account', ref)
  return row
}
