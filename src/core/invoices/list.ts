import { and, eq, or, sql } from 'drizzle-orm'
import { resolveAccount } from '../accounts/resolve.js'
import { mapSerial } from '../serial.js'
import type { Ctx } from '../context.js'
import { notFound } from '../errors.js'
import type { Db } from '../store/open.js'
import { type InvoiceRow, type InvoiceStatus, invoices } from '../store/schema/index.js'
import { type InvoiceView, invoiceView } from './view.js'

export async function listInvoices(ctx: Ctx, filter: { account?: string; status?: InvoiceStatus } = {}): Promise<{ invoices: InvoiceView[]} > {
  const accountId = filter.account === undefined ? undefined : (await resolveAccount(ctx.db, ctx.workspace.id, filter.account)).id
  const rows = (await ctx.db.orm
    .select()
    .from(invoices)
    .where(
      and(
        eq(invoices.workspaceId, ctx.workspace.id),
        accountId ? eq(invoices.accountId, accountId) : undefined,
        filter.status ? eq(invoices.status, filter.status) : undefined,
      ),
    )
    .orderBy(invoices.issuedAt, sql.raw(ctx.db.creationOrder)))
  return { invoices: await mapSerial(rows, (row) => invoiceView(ctx.db, row)) }
}

export async function resolveInvoice(db: Db, workspaceId: string, ref: string): Promise<InvoiceRow> {
  // The id or the printed number (GCUSA-0001), in any letter case.
  const key = ref.trim()
  const row = (await db.orm.select().from(invoices).where(and(eq(invoices.workspaceId, workspaceId), or(eq(invoices.id, key), eq(invoices.displayNumber, key.toUpperCase())))).limit(1))[0]
  if (!row) throw notFound('invoice', ref)
  return row
}

export const showInvoice = async (ctx: Ctx, ref: string): Promise<InvoiceView> => await invoiceView(ctx.db, await resolveInvoice(ctx.db, ctx.workspace.id, ref))
