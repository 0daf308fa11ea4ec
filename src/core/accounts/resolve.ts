// Naming a billing account: by id or by name, within one workspace (R-WS-2).
import { and, eq, or, sql } from 'drizzle-orm'
import { notFoundNear } from '../suggest.js'
import type { Db } from '../store/open.js'
import { type BillingAccountRow, billingAccounts } from '../store/schema/index.js'
import { asciiOnly, sameName } from '../names.js'

export async function resolveAccount(db: Db, workspaceId: string, ref: string): Promise<BillingAccountRow> {
  const inWorkspace = eq(billingAccounts.workspaceId, workspaceId)
  const row =
    (await db.orm
      .select()
      .from(billingAccounts)
      .where(and(inWorkspace, or(eq(billingAccounts.id, ref), eq(sql`lower(${billingAccounts.name})`, sql`lower(${ref.trim()})`)))).limit(1))[0] ??
    (asciiOnly(ref) ? undefined : (await db.orm.select().from(billingAccounts).where(inWorkspace)).find((account) => sameName(account.name, ref)))
  if (!row) throw notFoundNear('billing account', ref, (await db.orm.select({ name: billingAccounts.name }).from(billingAccounts).where(inWorkspace)).map((a) => a.name))
  return row
}
