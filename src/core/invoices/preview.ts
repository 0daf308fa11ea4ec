// `invoice preview` (R-INV-3): what the next invoice will be, and with proposed
// changes what they would add now and the next invoice after them. It runs the
// very code that will run (the change, then the lifecycle up to the renewal)
// inside a transaction that is always rolled back: preview and actual cannot
// differ, and nothing is written.
import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm'
import { resolveAccount } from '../accounts/resolve.js'
import type { Ctx } from '../context.js'
import { refused } from '../errors.js'
import { runInternalSteps } from '../lifecycle/run.js'
import { money, type Money } from '../money.js'
import { contributingStatuses, invoices, pendingLines, subscriptions } from '../store/schema/index.js'
import { refuseReadOnly, retryBusy } from '../store/transaction.js'
import { resolveSubscription } from '../subscriptions/resolve.js'
import { updateSubscription } from '../subscriptions/update.js'
import { type InvoiceLineView, type InvoiceView, invoiceView } from './view.js'

export type ProposedChange = { subscription: string; items: Record<string, number> }

export type PreviewView = InvoiceView & {
  /** With --change: the proration lines the change would add now, and their sum. */
  proposed: { prorations: InvoiceLineView[]; prorationTotal: Money } | null
}

class Rollback extends Error {}

export function previewInvoice(ctx: Ctx, input: { account: string; changes?: ProposedChange[] }): PreviewView {
  const { db, workspace } = ctx
  let result: PreviewView | undefined
  // The preview is computed by writing and rolling back, which a read-only database refuses.
  if (db.sqlite.readonly) refuseReadOnly(db.sqlite)
  retryBusy(() => db.sqlite.exec('BEGIN IMMEDIATE'))
  try {
    const account = resolveAccount(db, workspace.id, input.account)
    const before = (db.sqlite.prepare('SELECT coalesce(max(id), 0) AS id FROM pending_lines').get() as { id: number }).id
    let target: string | undefined
    for (const change of input.changes ?? []) {
      const sub = resolveSubscription(db, workspace.id, change.subscription)
      if (sub.accountId !== account.id)
        throw refused('WRONG_ACCOUNT', `subscription ${sub.id} belongs to another account (${sub.accountId})`, { subscriptionId: sub.id })
      updateSubscription(ctx, { ref: sub.id, items: change.items })
      target ??= sub.id
    }
    const prorations = db.orm
      .select()
      .from(pendingLines)
      .where(and(eq(pendingLines.accountId, account.id), gt(pendingLines.id, before)))
      .orderBy(asc(pendingLines.id))
      .all()
    const next =
      (target && resolveSubscription(db, workspace.id, target)) ||
      db.orm
        .select()
        .from(subscriptions)
        .where(and(eq(subscriptions.accountId, account.id), inArray(subscriptions.status, [...contributingStatuses])))
        .orderBy(asc(subscriptions.currentPeriodEnd), sql`rowid`)
        .get()
    if (!next || !contributingStatuses.includes(next.status))
      throw refused('NO_UPCOMING_INVOICE', `account "${account.name}" has no live subscription, so no upcoming invoice`, { accountId: account.id })
    const renewal = next.currentPeriodEnd
    runInternalSteps(db, workspace.id, renewal, { skipExternal: true })
    const invoice = db.orm
      .select()
      .from(invoices)
      .where(and(eq(invoices.subscriptionId, next.id), eq(invoices.issuedAt, renewal)))
      .orderBy(sql`rowid desc`)
      .get()
    if (!invoice)
      throw refused(
        'NO_UPCOMING_INVOICE',
        next.status === 'trialing' ? `the trial of ${next.id} would end without a default payment method: no invoice` : `${next.id} ends at ${new Date(renewal).toISOString()}: no further invoice`,
        { subscriptionId: next.id },
      )
    const view = invoiceView(db, invoice, { preview: true })
    const lines: InvoiceLineView[] = prorations.map((line) => ({
      kind: 'proration',
      description: line.description,
      product: line.product,
      quantity: line.toQuantity - line.fromQuantity,
      unitAmount: line.unitAmount === null ? null : money(line.unitAmount, line.currency),
      amount: money(line.amount, line.currency),
      proration: true,
      periodStart: new Date(line.periodStart).toISOString(),
      periodEnd: new Date(line.periodEnd).toISOString(),
    }))
    result = {
      ...view,
      proposed: input.changes?.length ? { prorations: lines, prorationTotal: money(prorations.reduce((s, l) => s + l.amount, 0), view.currency) } : null,
    }
    throw new Rollback()
  } catch (error) {
    if (!(error instanceof Rollback)) throw error
  } finally {
    if (db.sqlite.inTransaction) db.sqlite.exec('ROLLBACK')
  }
  return result as PreviewView
}
