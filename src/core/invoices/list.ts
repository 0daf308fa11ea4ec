import { and, eq, sql } from 'drizzle-orm'
import { resolveAccount } from '../accounts/resolve.js'
import type { Ctx } from '../context.js'
import { notFound } from '../errors.js'
import type { Db } from '../store/open.js'
import { type InvoiceRow, type InvoiceStatus, invoices } from '../store/schema/index.js'
import { type InvoiceView, invoiceView } from './view.js'

export function listInvoices(ctx: Ctx, filter: { account?: string; status?: InvoiceStatus } = {}): { invoices: InvoiceView[] } {
  const accountId = filter.account === undefined ? undefined : resolveAccount(ctx.db, ctx.workspace.id, filter.account).id
  const rows = ctx.db.orm
    .select()
    .from(invoices)
    .where(
      and(
        eq(invoices.workspaceId, ctx.workspace.id),
        accountId ? eq(invoices.accountId, accountId) : undefined,
        filter.status ? eq(invoices.status, filter.status) : undefined,
      ),
    )
    .orderBy(invoices.issuedAt, sql`rowid`)
    .all()
  return { invoices: rows.map((row) => invoiceView(ctx.db, row)) }
}

export function resolveInvoice(db: Db, workspaceId: string, ref: string): InvoiceRow {
  const row = db.orm.select().from(invoices).where(and(eq(invoices.workspaceId, workspaceId), eq(invoices.id, ref.trim()))).get()
  if (!row) throw notFound('invoice', ref)
  return row
}

export const showInvoice = (ctx: Ctx, ref: string): InvoiceView => invoiceView(ctx.db, resolveInvoice(ctx.db, ctx.workspace.id, ref))
