// Invoices read page by page (issue 15), oldest issued first as `invoice list`
// always listed them: (issued_at, creation order) order through invoices_workspace
// (workspace_id, issued_at) or, for one account, invoices_account_issued.
import { and, desc, eq, gte, lt, sql } from 'drizzle-orm'
import { resolveAccount } from '../accounts/resolve.js'
import { keyedPages, type PageStart, type PagesOptions, type Position, startCondition } from '../lists/pages.js'
import type { Db } from '../store/open.js'
import { type InvoiceRow, type InvoiceStatus, invoices } from '../store/schema/index.js'
import { resolveInvoice } from './list.js'
import { type InvoiceView, invoiceView } from './view.js'

export type InvoiceFilter = { account?: string; status?: InvoiceStatus; since?: number; until?: number }

const positionOf = async (db: Db, id: string): Promise<Position> => {
  const row = (await db.get(`SELECT issued_at AS key, ${db.creationOrder} AS rowid FROM invoices WHERE id = ?`, id)) as { key: number; rowid: number }
  return { key: Number(row.key), rowid: Number(row.rowid) }
}

/** Where `--after INVOICE` (an id or a printed number) continues. */
export async function invoiceCursor(db: Db, workspaceId: string, ref: string): Promise<Position> {
  return await positionOf(db, (await resolveInvoice(db, workspaceId, ref)).id)
}

export async function invoicePages(db: Db, workspaceId: string, filter: InvoiceFilter, options: PagesOptions = {}): Promise<AsyncGenerator<InvoiceView[]>> {
  // Resolved before anything is printed: an unknown account is NOT_FOUND, not an empty list.
  const accountId = filter.account === undefined ? undefined : (await resolveAccount(db, workspaceId, filter.account)).id
  const where = (start: PageStart | undefined) =>
    and(
      eq(invoices.workspaceId, workspaceId),
      accountId === undefined ? undefined : eq(invoices.accountId, accountId),
      filter.status === undefined ? undefined : eq(invoices.status, filter.status),
      filter.since === undefined ? undefined : gte(invoices.issuedAt, filter.since),
      filter.until === undefined ? undefined : lt(invoices.issuedAt, filter.until),
      startCondition(invoices.issuedAt, sql.raw(db.creationOrder), start),
    )
  const rows = keyedPages<InvoiceRow>(
    async ({ start, limit }) => await db.orm.select().from(invoices).where(where(start)).orderBy(invoices.issuedAt, sql.raw(db.creationOrder)).limit(limit),
    async (row) => await positionOf(db, row.id),
    async (n) => {
      const row = (await db.orm.select({ id: invoices.id }).from(invoices).where(where(undefined)).orderBy(desc(invoices.issuedAt), sql.raw(`${db.creationOrder} DESC`)).limit(1).offset(n - 1))[0]
      return row === undefined ? undefined : await positionOf(db, row.id)
    },
    options,
  )
  return (async function* () {
    for await (const page of rows) {
      const views: InvoiceView[] = []
      for (const row of page) views.push(await invoiceView(db, row))
      yield views
    }
  })()
}

