// What a payment's outcome does to its invoice, subscription and methods
// (R-PAY-1, R-PAY-2): paid, dunning, waiting for the customer, in flight, a
// method marked unusable. Each runs in one transaction (joining the caller's,
// as a webhook's), shared by collection (collect.ts) and webhooks (webhooks.ts).
import { and, eq, isNotNull, ne } from 'drizzle-orm'
import type { Ctx } from '../context.js'
import { recordEvent } from '../events/record.js'
import { schedule } from '../lifecycle/queue.js'
import { accountName } from '../invoices/view.js'
import { notify } from '../notifications/record.js'
import { redact } from '../redact.js'
import type { Db } from '../store/open.js'
import { type InvoiceRow, invoices, type PaymentMethodRow, paymentMethods, subscriptions } from '../store/schema/index.js'
import { addDaysUtc } from '../subscriptions/periods.js'
import { customerActionText, methodLabel } from './label.js'
import type { CustomerAction } from './outcome.js'

/** Days after the first failure at which the whole sequence is retried (R-PAY-2). */
export const RETRY_DAYS = [3, 5, 7] as const
/** The first run plus its retries. */
export const LAST_RUN = RETRY_DAYS.length + 1
/** An in-flight payment (a bank debit) is looked up again this much later. */
export const SETTLE_POLL_MS = 24 * 60 * 60 * 1000

export const loadInvoice = async (db: Db, id: string): Promise<InvoiceRow | undefined> => (await db.orm.select().from(invoices).where(eq(invoices.id, id)).limit(1))[0]

export const refsOf = (invoice: InvoiceRow): Record<string, string> => ({ invoiceId: invoice.id, accountId: invoice.accountId, ...(invoice.subscriptionId ? { subscriptionId: invoice.subscriptionId } : {}) })

export async function removeCollectSteps(db: Db, invoice: InvoiceRow): Promise<void> {
  await db.run(`DELETE FROM due_steps WHERE workspace_id = ? AND kind = 'collect' AND ref_id = ?`, invoice.workspaceId, invoice.id)
}

const subscriptionOf = async (db: Db, invoice: InvoiceRow) =>
  invoice.subscriptionId ? (await db.orm.select().from(subscriptions).where(eq(subscriptions.id, invoice.subscriptionId)).limit(1))[0] : undefined

/** Back to active once none of the subscription's invoices is still being dunned. */
async function reactivate(ctx: Ctx, invoice: InvoiceRow): Promise<void> {
  const sub = await subscriptionOf(ctx.db, invoice)
  if (!sub || (sub.status !== 'past_due' && sub.status !== 'unpaid')) return
  const owing = (await ctx.db.orm
    .select({ id: invoices.id })
    .from(invoices)
    .where(and(eq(invoices.subscriptionId, sub.id), ne(invoices.status, 'paid'), ne(invoices.status, 'void'), isNotNull(invoices.firstFailedAt))).limit(1))[0]
  if (owing) return
  await ctx.db.orm.update(subscriptions).set({ status: 'active' }).where(eq(subscriptions.id, sub.id))
  await recordEvent(ctx.db, { workspaceId: sub.workspaceId, at: ctx.now, kind: 'subscription.reactivated', refs: { subscriptionId: sub.id, accountId: sub.accountId }, data: { from: sub.status } })
}

export async function markPaid(ctx: Ctx, invoice: InvoiceRow, methodId: string, provider: string): Promise<void> {
  await ctx.db.write(async () => {
    // Paid in full, an unpaid subscription turns active again: its capacity returns to the pool.
    await ctx.db.excludeMetering(invoice.workspaceId)
    // Read again inside the transaction: a webhook and the charge's own answer may both report the payment.
    const current = await loadInvoice(ctx.db, invoice.id)
    if (!current || current.status === 'paid') return
    await ctx.db.orm.update(invoices).set({ status: 'paid', amountPaid: current.amountDue, paidAt: ctx.now }).where(eq(invoices.id, invoice.id))
    await removeCollectSteps(ctx.db, current)
    await recordEvent(ctx.db, {
      workspaceId: current.workspaceId,
      at: ctx.now,
      kind: 'invoice.paid',
      refs: { invoiceId: current.id, accountId: current.accountId, paymentMethodId: methodId },
      data: { provider, amount: { amount: current.amountDue, currency: current.currency } },
    })
    await reactivate(ctx, { ...current, status: 'paid' })
  })
}

/** Gone or not the customer's: never charged again, the operator is told, the next method is tried. */
export async function markUnusable(ctx: Ctx, invoice: Pick<InvoiceRow, 'id' | 'accountId' | 'workspaceId'> | null, method: PaymentMethodRow, answer: { declineCode: string; message: string }): Promise<void> {
  await ctx.db.write(async () => {
    const current = (await ctx.db.orm.select().from(paymentMethods).where(eq(paymentMethods.id, method.id)).limit(1))[0]
    if (!current || current.unusableAt !== null) return
    await ctx.db.orm.update(paymentMethods).set({ unusableAt: ctx.now, unusableReason: redact(answer.declineCode) }).where(eq(paymentMethods.id, method.id))
    await recordEvent(ctx.db, { workspaceId: method.workspaceId, at: ctx.now, kind: 'payment_method.unusable', refs: { accountId: method.accountId, paymentMethodId: method.id }, data: { reason: redact(answer.declineCode) } })
    await notify(ctx, 'payment_method_unusable', `payment_method_unusable:${method.id}`,
      `Payment method ${method.id} (${methodLabel(method)}) can no longer be charged (${redact(answer.declineCode)}: ${redact(answer.message)}); wsb skips it from now on. Add another with: wsb pm add ${method.accountId} pm_…, then remove it with: wsb pm remove ${method.accountId} ${method.id}.`,
      { accountId: method.accountId, paymentMethodId: method.id, ...(invoice ? { invoiceId: invoice.id } : {}) })
  })
}

/** The customer must act (3-D Secure, micro-deposits): failover stops for this invoice; it stays open and is not retried until someone acts. */
export async function needsCustomer(ctx: Ctx, invoice: InvoiceRow, method: PaymentMethodRow, action: CustomerAction): Promise<void> {
  const { db, now } = ctx
  await db.write(async () => {
    await removeCollectSteps(db, invoice)
    const refs = refsOf(invoice)
    const sub = await subscriptionOf(db, invoice)
    if (sub && sub.status === 'active') {
      await db.orm.update(subscriptions).set({ status: 'past_due' }).where(eq(subscriptions.id, sub.id))
      await recordEvent(db, { workspaceId: invoice.workspaceId, at: now, kind: 'subscription.past_due', refs, data: { reason: action === 'verify_microdeposits' ? 'verification_required' : 'authentication_required' } })
    }
    await notify(ctx, 'payment_action_required', `payment_action_required:${invoice.id}:${method.id}`,
      `Invoice ${invoice.id}: ${customerActionText(method, action)}; wsb will not retry it on its own. Once the customer has done so (or added another method), run: wsb invoice pay ${invoice.id}`,
      refs)
  })
}

/** Charges nothing else while a payment is in flight; the lifecycle looks it up again later. */
export async function awaitSettlement(ctx: Ctx, invoice: InvoiceRow): Promise<void> {
  await ctx.db.write(async () => {
    await removeCollectSteps(ctx.db, invoice)
    await schedule(ctx.db, invoice.workspaceId, 'collect', invoice.id, ctx.now + SETTLE_POLL_MS)
  })
}

/** All methods failed in a dunning run: past_due, the next retry, or unpaid + uncollectible. */
export async function dunning(ctx: Ctx, invoice: InvoiceRow, run: number, attempts: number): Promise<void> {
  const { db, now } = ctx
  await db.write(async () => {
    // The last failed run turns the subscription unpaid: its capacity leaves the pool.
    await db.excludeMetering(invoice.workspaceId)
    const firstFailedAt = invoice.firstFailedAt ?? now
    const last = run >= LAST_RUN
    await db.orm
      .update(invoices)
      .set({ attemptRuns: run, firstFailedAt, ...(last ? { status: 'uncollectible' as const } : {}) })
      .where(eq(invoices.id, invoice.id))
    // This run is done: its step goes, and the next retry (if any) is the only one left.
    await removeCollectSteps(db, invoice)
    const refs = refsOf(invoice)
    const sub = await subscriptionOf(db, invoice)
    if (last) {
      await recordEvent(db, { workspaceId: invoice.workspaceId, at: now, kind: 'invoice.uncollectible', refs, data: { runs: run } })
      if (sub && (sub.status === 'past_due' || sub.status === 'active')) {
        await db.orm.update(subscriptions).set({ status: 'unpaid' }).where(eq(subscriptions.id, sub.id))
        await recordEvent(db, { workspaceId: invoice.workspaceId, at: now, kind: 'subscription.unpaid', refs, data: { from: sub.status } })
      }
      await notify(ctx, 'payment_failed_final', `payment_failed_final:${invoice.id}`, `Invoice ${invoice.displayNumber ?? invoice.id} could not be collected after ${run} attempts; it is uncollectible and the subscription is unpaid.`, refs)
      return
    }
    const retryAt = addDaysUtc(firstFailedAt, RETRY_DAYS[run - 1] as number)
    await schedule(db, invoice.workspaceId, 'collect', invoice.id, retryAt)
    if (sub && sub.status === 'active') {
      await db.orm.update(subscriptions).set({ status: 'past_due' }).where(eq(subscriptions.id, sub.id))
      await recordEvent(db, { workspaceId: invoice.workspaceId, at: now, kind: 'subscription.past_due', refs, data: { retryAt: new Date(retryAt).toISOString() } })
    }
    const name = await accountName(db, invoice.accountId)
    const why =
      attempts === 0
        ? `could not be tried: account "${name}" has no payment method that can be charged (add one with: wsb pm add ${JSON.stringify(name)} pm_…)`
        : 'failed on every payment method'
    await notify(ctx, 'payment_failed', `payment_failed:${invoice.id}:${run}`, `Payment of invoice ${invoice.displayNumber ?? invoice.id} ${why} (attempt ${run} of ${LAST_RUN}); next try at ${new Date(retryAt).toISOString()}.`, refs)
  })
}
