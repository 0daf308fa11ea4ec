// Naming a billing account: by id or by name, within one workspace (R-WS-2).
import { and, eq, or, sql } from 'drizzle-orm'
import { notFound } from '../errors.js'
import type { Db } from '../store/open.js'
import { type BillingAccountRow, billingAccounts } from '../store/schema/index.js'

export function resolveAccount(db: Db, workspaceId: string, ref: string): BillingAccountRow {
  const row = db.orm
    .select()
    .from(billingAccounts)
    .where(
      and(
        eq(billingAccounts.workspaceId, workspaceId),
        or(eq(billingAccounts.id, ref), eq(sql`lower(${billingAccounts.name})`, ref.trim().toLowerCase())),
      ),
    )
    .get()
  if (!row) throw notFound('billing account', ref)
  return row
}
