// `invoice preview` (R-INV-3): what the next invoice will be, and with proposed
// changes what they would add now and the next invoice after them. It runs the
// very code that will run (the change, then the lifecycle up to the renewal)
// inside a transaction that is always rolled back: preview and actual cannot
// differ, and nothing is written.
//
// "The next invoice" is every invoice of the account's next issuing instant: a
// period end that issues nothing (a cancellation taking effect, a trial ending
// unconverted) is walked past, and subscriptions renewing at the same instant
// are all shown, in the order the lifecycle issues them (each with the coupon
// and credit it will actually get). The top level is the first of them, or
// with a change the changed subscription's own invoice.
import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm'
import { mapSerial } from '../serial.js'
import { resolveAccount } from '../accounts/resolve.js'
import { iso } from '../clock.js'
import type { Ctx } from '../context.js'
import { refused } from '../errors.js'
import { runInternalSteps } from '../lifecycle/run.js'
import { money, type Money } from '../money.js'
import { hasDefaultPaymentMethod } from '../payments/default-method.js'
import type { Db } from '../store/open.js'
import { contributingStatuses, type InvoiceRow, invoices, pendingLines, type SubscriptionRow, subscriptions } from '../store/schema/index.js'
import { resolveSubscription } from '../subscriptions/resolve.js'
import { updateSubscription } from '../subscriptions/update.js'
import { lastInvoiceNumber } from './issue.js'
import { type InvoiceLineView, type InvoiceView, invoiceView } from './view.js'

export type ProposedChange = { subscription: string; items: Record<string, number> }

export type PreviewView = InvoiceView & {
  /** With --change: the proration lines the change would add now, and their sum. */
  proposed: { prorations: InvoiceLineView[]; prorationTotal: Money } | null
  /** Every invoice of that instant, in the order the lifecycle issues them; the top level is one of them (see previewInvoice). */
  invoices: InvoiceView[]
}


/** A period end never issues nothing forever (it renews, or the subscription ends); this only guards a bug. */
const MAX_INSTANTS = 1_000

/**
 * Runs the lifecycle (payment collection aside) one period end of the account
 * at a time, from `from` on, until an instant issues the account an invoice;
 * returns that instant's invoices in issue order, or none if none ever will.
 */
async function nextIssued(db: Db, workspaceId: string, accountId: string, from: number): Promise<InvoiceRow[]> {
  const last = await lastInvoiceNumber(db, accountId)
  for (let i = 0; i < MAX_INSTANTS; i++) {
    const next = await db.get<{ at: number | null }>(
      `SELECT min(d.due_at) AS at FROM due_steps d JOIN subscriptions s ON s.id = d.ref_id
       WHERE d.workspace_id = ? AND d.kind = 'period_end' AND s.account_id = ? AND d.due_at >= ?`,
      workspaceId,
      accountId,
      from,
    )
    const at = next?.at ?? null
    if (at === null) return []
    await runInternalSteps(db, workspaceId, at, { skipExternal: true })
    const issued = await db.orm
      .select()
      .from(invoices)
      .where(and(eq(invoices.accountId, accountId), gt(invoices.number, last), eq(invoices.issuedAt, at)))
      .orderBy(asc(invoices.number))
    if (issued.length) return issued
    from = at + 1
  }
  return []
}

/** Why none of these live subscriptions will issue another invoice. */
async function nothingFurther(db: Db, accountId: string, live: SubscriptionRow[]) {
  const withMethod = await hasDefaultPaymentMethod(db, accountId)
  return live.map((sub) => {
    const endsAt = iso(sub.currentPeriodEnd)
    if (sub.cancelAtPeriodEnd) return { id: sub.id, endsAt, reason: 'canceled_at_period_end', text: `${sub.id} is canceled at its period end (${endsAt})` }
    if (sub.status === 'trialing' && !withMethod)
      return { id: sub.id, endsAt, reason: 'trial_without_payment_method', text: `the trial of ${sub.id} ends at ${endsAt} without a default payment method` }
    return { id: sub.id, endsAt, reason: 'nothing_to_bill', text: `${sub.id} has nothing to bill at ${endsAt}` }
  })
}

export async function previewInvoice(ctx: Ctx, input: { account: string; changes?: ProposedChange[] }): Promise<PreviewView> {
  const { db, workspace } = ctx
  // The preview is computed by writing and rolling back (a read-only database refuses it).
  return await db.write(async () => {
    // A proposed change would otherwise take the metering lock half-way and start over (a due step still may).
    if (input.changes?.length) await db.excludeMetering(workspace.id)
    const account = await resolveAccount(db, workspace.id, input.account)
    const before = ((await db.get('SELECT coalesce(max(id), 0) AS id FROM pending_lines')) as { id: number }).id
    let target: string | undefined
    for (const change of input.changes ?? []) {
      const sub = await resolveSubscription(db, workspace.id, change.subscription)
      if (sub.accountId !== account.id)
        throw refused('WRONG_ACCOUNT', `subscription ${sub.id} belongs to another account (${sub.accountId})`, { subscriptionId: sub.id })
      await updateSubscription(ctx, { ref: sub.id, items: change.items })
      target ??= sub.id
    }
    const prorations = (await db.orm
      .select()
      .from(pendingLines)
      .where(and(eq(pendingLines.accountId, account.id), gt(pendingLines.id, before)))
      .orderBy(asc(pendingLines.id)))
    const live = (await db.orm
      .select()
      .from(subscriptions)
      .where(and(eq(subscriptions.accountId, account.id), inArray(subscriptions.status, [...contributingStatuses])))
      .orderBy(asc(subscriptions.currentPeriodEnd), asc(subscriptions.createdAt), sql.raw(db.creationOrder)))
    if (live.length === 0)
      throw refused('NO_UPCOMING_INVOICE', `account "${account.name}" has no live subscription, so no upcoming invoice`, { accountId: account.id })
    // With a change, its prorations are billed at the changed subscription's period end: preview from there.
    const from = target ? (await resolveSubscription(db, workspace.id, target)).currentPeriodEnd : 0
    const issued = await nextIssued(db, workspace.id, account.id, from)
    if (issued.length === 0) {
      const why = await nothingFurther(db, account.id, live)
      throw refused('NO_UPCOMING_INVOICE', `no subscription of account "${account.name}" will issue another invoice: ${why.map((w) => w.text).join('; ')}`, {
        accountId: account.id,
        subscriptions: why.map(({ text: _, ...rest }) => rest),
      })
    }
    const views = await mapSerial(issued, (row) => invoiceView(db, row, { preview: true }))
    // With a change, the top level is the changed subscription's invoice (the one carrying the proration), wherever
    // it falls in the issue order; a script reading the top level never reads another subscription's invoice.
    const top = (views.find((view) => target !== undefined && view.subscriptionId === target) ?? views[0]) as InvoiceView
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
    return {
      ...top,
      proposed: input.changes?.length ? { prorations: lines, prorationTotal: money(prorations.reduce((s, l) => s + l.amount, 0), top.currency) } : null,
      invoices: views,
    }
  }, { dryRun: true })
}
