// Collecting an invoice (R-PAY-1, R-PAY-2): try the default method, then each
// backup in the order added, stopping at the first success; record every
// attempt. When all fail the invoice stays open, the subscription turns
// past_due, and the whole sequence is retried 3, 5 and 7 days after the first
// failure; after the last failed retry the subscription is unpaid and the
// invoice uncollectible. Provider calls run outside transactions; each attempt
// is recorded right after it, keyed by (invoice, run, method), so a crash and
// re-run repeats nothing the provider has already done.
import { and, eq, isNotNull, like, ne, sql } from 'drizzle-orm'
import { type Ctx, contextFor } from '../context.js'
import { isWsbError, providerFailure } from '../errors.js'
import { redact } from '../redact.js'
import { recordEvent } from '../events/record.js'
import { schedule } from '../lifecycle/queue.js'
import { notify } from '../notifications/record.js'
import type { Db } from '../store/open.js'
import { billingAccounts, type InvoiceRow, invoices, paymentAttempts, type PaymentMethodRow, subscriptions, workspaces } from '../store/schema/index.js'
import { addDaysUtc } from '../subscriptions/periods.js'
import { resolveWorkspace } from '../workspaces/resolve.js'
import { methodsInOrder } from './methods.js'
import type { ChargeResult, PaymentProvider } from './provider.js'

/** Days after the first failure at which the whole sequence is retried (R-PAY-2). */
export const RETRY_DAYS = [3, 5, 7] as const
/** The first run plus its retries. */
const LAST_RUN = RETRY_DAYS.length + 1
/** A provider outage is not a decline: the run is tried again this much later. */
const OUTAGE_RETRY_MS = 60 * 60 * 1000

/** A lifecycle run renews its claim on the collect step before each provider call (lifecycle/queue.ts). */
export type CollectMode = { kind: 'run'; beforeCharge?: () => Promise<void> } | { kind: 'manual' }

export type CollectOutcome = { invoiceId: string; status: InvoiceRow['status']; paid: boolean; attempts: number }

const loadInvoice = async (db: Db, id: string) => (await db.orm.select().from(invoices).where(eq(invoices.id, id)).limit(1))[0]

/** The label of this collection run; a manual run continues its own count. */
async function runLabel(db: Db, invoice: InvoiceRow, mode: CollectMode): Promise<string> {
  if (mode.kind === 'run') return `run-${invoice.attemptRuns + 1}`
  const manual = (await db.orm
    .select({ n: sql<number>`count(DISTINCT ${paymentAttempts.run})` })
    .from(paymentAttempts)
    .where(and(eq(paymentAttempts.invoiceId, invoice.id), like(paymentAttempts.run, 'manual-%'))).limit(1))[0]
  // A manual run that has not finished (a crash, an outage) is resumed, not restarted.
  const unfinished = (await db.orm
    .select({ run: paymentAttempts.run })
    .from(paymentAttempts)
    .where(and(eq(paymentAttempts.invoiceId, invoice.id), like(paymentAttempts.run, 'manual-%'), eq(paymentAttempts.outcome, 'error'))).limit(1))[0]
  return unfinished?.run ?? `manual-${(manual?.n ?? 0) + 1}`
}

async function record(ctx: Ctx, invoice: InvoiceRow, run: string, method: PaymentMethodRow, key: string, provider: string, answer: ChargeResult | { outcome: 'error'; message: string }): Promise<void> {
  // What a provider said is stored only after redaction: a server may echo anything back.
  const result = answer.outcome === 'succeeded' ? answer : answer.outcome === 'failed' ? { ...answer, declineCode: redact(answer.declineCode), message: redact(answer.message) } : { ...answer, message: redact(answer.message) }
  await ctx.db.write(async () => {
    await ctx.db.orm
      .insert(paymentAttempts)
      .values({
        workspaceId: invoice.workspaceId,
        invoiceId: invoice.id,
        run,
        paymentMethodId: method.id,
        provider,
        providerPaymentId: 'paymentId' in result ? result.paymentId : null,
        outcome: result.outcome,
        declineCode: result.outcome === 'failed' ? result.declineCode : null,
        message: result.outcome === 'succeeded' ? null : result.message,
        amount: invoice.amountDue,
        currency: invoice.currency,
        idempotencyKey: key,
        at: ctx.now,
      })
      .onConflictDoUpdate({
        // An outage recorded earlier is replaced by the answer of the retry.
        target: paymentAttempts.idempotencyKey,
        set: {
          outcome: result.outcome,
          providerPaymentId: 'paymentId' in result ? result.paymentId : null,
          declineCode: result.outcome === 'failed' ? result.declineCode : null,
          message: result.outcome === 'succeeded' ? null : result.message,
          at: ctx.now,
        },
      })
    await recordEvent(ctx.db, {
      workspaceId: invoice.workspaceId,
      at: ctx.now,
      kind: `payment.${result.outcome}`,
      refs: { invoiceId: invoice.id, accountId: invoice.accountId, paymentMethodId: method.id },
      data: { provider, run, amount: { amount: invoice.amountDue, currency: invoice.currency }, ...(result.outcome === 'failed' ? { declineCode: result.declineCode } : {}) },
    })
  })
}

async function removeCollectSteps(db: Db, invoice: InvoiceRow): Promise<void> {
  await db.run(`DELETE FROM due_steps WHERE workspace_id = ? AND kind = 'collect' AND ref_id = ?`, invoice.workspaceId, invoice.id)
}

/** Back to active once none of the subscription's invoices is still being dunned. */
async function reactivate(ctx: Ctx, invoice: InvoiceRow): Promise<void> {
  if (!invoice.subscriptionId) return
  const sub = (await ctx.db.orm.select().from(subscriptions).where(eq(subscriptions.id, invoice.subscriptionId)).limit(1))[0]
  if (!sub || (sub.status !== 'past_due' && sub.status !== 'unpaid')) return
  const owing = (await ctx.db.orm
    .select({ id: invoices.id })
    .from(invoices)
    .where(and(eq(invoices.subscriptionId, sub.id), ne(invoices.status, 'paid'), ne(invoices.status, 'void'), isNotNull(invoices.firstFailedAt))).limit(1))[0]
  if (owing) return
  await ctx.db.orm.update(subscriptions).set({ status: 'active' }).where(eq(subscriptions.id, sub.id))
  await recordEvent(ctx.db, { workspaceId: sub.workspaceId, at: ctx.now, kind: 'subscription.reactivated', refs: { subscriptionId: sub.id, accountId: sub.accountId }, data: { from: sub.status } })
}

async function markPaid(ctx: Ctx, invoice: InvoiceRow, method: PaymentMethodRow, provider: string): Promise<void> {
  await ctx.db.write(async () => {
    await ctx.db.orm.update(invoices).set({ status: 'paid', amountPaid: invoice.amountDue, paidAt: ctx.now }).where(eq(invoices.id, invoice.id))
    await removeCollectSteps(ctx.db, invoice)
    await recordEvent(ctx.db, {
      workspaceId: invoice.workspaceId,
      at: ctx.now,
      kind: 'invoice.paid',
      refs: { invoiceId: invoice.id, accountId: invoice.accountId, paymentMethodId: method.id },
      data: { provider, amount: { amount: invoice.amountDue, currency: invoice.currency } },
    })
    await reactivate(ctx, { ...invoice, status: 'paid' })
  })
}

/** All methods failed in a dunning run: past_due, the next retry, or unpaid + uncollectible. */
async function dunning(ctx: Ctx, invoice: InvoiceRow, run: number): Promise<void> {
  const { db, now } = ctx
  await db.write(async () => {
    const firstFailedAt = invoice.firstFailedAt ?? now
    const last = run >= LAST_RUN
    await db.orm
      .update(invoices)
      .set({ attemptRuns: run, firstFailedAt, ...(last ? { status: 'uncollectible' as const } : {}) })
      .where(eq(invoices.id, invoice.id))
    // This run is done: its step goes, and the next retry (if any) is the only one left.
    await removeCollectSteps(db, invoice)
    const refs = { invoiceId: invoice.id, accountId: invoice.accountId, ...(invoice.subscriptionId ? { subscriptionId: invoice.subscriptionId } : {}) }
    const sub = invoice.subscriptionId ? (await db.orm.select().from(subscriptions).where(eq(subscriptions.id, invoice.subscriptionId)).limit(1))[0] : undefined
    if (last) {
      await recordEvent(db, { workspaceId: invoice.workspaceId, at: now, kind: 'invoice.uncollectible', refs, data: { runs: run } })
      if (sub && (sub.status === 'past_due' || sub.status === 'active')) {
        await db.orm.update(subscriptions).set({ status: 'unpaid' }).where(eq(subscriptions.id, sub.id))
        await recordEvent(db, { workspaceId: invoice.workspaceId, at: now, kind: 'subscription.unpaid', refs, data: { from: sub.status } })
      }
      await notify(ctx, 'payment_failed_final', `payment_failed_final:${invoice.id}`, `Invoice ${invoice.id} could not be collected after ${run} attempts; it is uncollectible and the subscription is unpaid.`, refs)
      return
    }
    const retryAt = addDaysUtc(firstFailedAt, RETRY_DAYS[run - 1] as number)
    await schedule(db, invoice.workspaceId, 'collect', invoice.id, retryAt)
    if (sub && sub.status === 'active') {
      await db.orm.update(subscriptions).set({ status: 'past_due' }).where(eq(subscriptions.id, sub.id))
      await recordEvent(db, { workspaceId: invoice.workspaceId, at: now, kind: 'subscription.past_due', refs, data: { retryAt: new Date(retryAt).toISOString() } })
    }
    await notify(ctx, 'payment_failed', `payment_failed:${invoice.id}:${run}`, `Payment of invoice ${invoice.id} failed on every payment method (attempt ${run} of ${LAST_RUN}); next try at ${new Date(retryAt).toISOString()}.`, refs)
  })
}

/** Runs one collection of an invoice. Provider outages throw PROVIDER_ERROR (exit 5) after recording the attempt. */
export async function collectInvoice(ctx: Ctx, provider: PaymentProvider, invoiceId: string, mode: CollectMode): Promise<CollectOutcome> {
  const { db } = ctx
  const invoice = await loadInvoice(db, invoiceId)
  if (!invoice) throw new Error(`invoice ${invoiceId} is missing`)
  const payable = invoice.status === 'open' || (mode.kind === 'manual' && invoice.status === 'uncollectible')
  if (!payable || invoice.amountDue <= 0) {
    if (mode.kind === 'run') await db.write(async () => await removeCollectSteps(db, invoice))
    return { invoiceId, status: invoice.status, paid: invoice.status === 'paid', attempts: 0 }
  }
  const account = (await db.orm.select().from(billingAccounts).where(eq(billingAccounts.id, invoice.accountId)).limit(1))[0]
  if (!account) throw new Error(`account ${invoice.accountId} is missing`)
  const run = await runLabel(db, invoice, mode)
  let attempts = 0
  for (const method of await methodsInOrder(db, account.id)) {
    const key = `wsb_${invoice.id}_${run}_${method.id}`
    const done = (await db.orm.select().from(paymentAttempts).where(eq(paymentAttempts.idempotencyKey, key)).limit(1))[0]
    let result: ChargeResult
    if (done && done.outcome !== 'error') {
      result = done.outcome === 'succeeded' ? { outcome: 'succeeded', paymentId: done.providerPaymentId ?? '' } : { outcome: 'failed', paymentId: done.providerPaymentId, declineCode: done.declineCode ?? '', message: done.message ?? '' }
    } else if (method.provider !== provider.name || !account.providerCustomerId) {
      result = { outcome: 'failed', paymentId: null, declineCode: 'provider_mismatch', message: `this method was added under the ${method.provider} provider; wsb now uses ${provider.name}` }
      await record(ctx, invoice, run, method, key, provider.name, result)
    } else {
      if (mode.kind === 'run') await mode.beforeCharge?.()
      try {
        result = await provider.charge({
          customerId: account.providerCustomerId,
          paymentMethodId: method.providerId,
          amount: invoice.amountDue,
          currency: invoice.currency,
          idempotencyKey: key,
          description: `Invoice #${invoice.number} of ${account.name}`,
          metadata: { wsb_invoice_id: invoice.id, wsb_invoice_number: String(invoice.number), wsb_account_id: account.id, wsb_run: run },
          at: ctx.now,
        })
      } catch (error) {
        const message = isWsbError(error) ? error.message : (error as Error).message
        await record(ctx, invoice, run, method, key, provider.name, { outcome: 'error', message })
        throw isWsbError(error) ? error : providerFailure('PROVIDER_ERROR', `the payment provider failed: ${message}`, { provider: provider.name })
      }
      await record(ctx, invoice, run, method, key, provider.name, result)
    }
    attempts++
    if (result.outcome === 'succeeded') {
      await markPaid(ctx, invoice, method, provider.name)
      return { invoiceId, status: 'paid', paid: true, attempts }
    }
  }
  if (mode.kind === 'run') await dunning(ctx, invoice, invoice.attemptRuns + 1)
  const after = (await loadInvoice(db, invoiceId)) as InvoiceRow
  return { invoiceId, status: after.status, paid: false, attempts }
}

/** The lifecycle's collect step: a provider outage reschedules the run instead of failing the command. */
export async function collectStep(db: Db, workspaceId: string, step: { id: number; due_at: number; ref_id: string }, provider: PaymentProvider, beforeCharge?: () => Promise<void>): Promise<void> {
  const ctx = await db.write(async () => {
    const workspace = await resolveWorkspace(db, workspaceId)
    if (workspace.clockMode === 'test' && (workspace.clockNow ?? 0) < step.due_at) {
      await db.orm.update(workspaces).set({ clockNow: step.due_at }).where(eq(workspaces.id, workspaceId))
      workspace.clockNow = step.due_at
    }
    return { ...contextFor(db, workspace), now: step.due_at }
  })
  try {
    await collectInvoice(ctx, provider, step.ref_id, { kind: 'run', ...(beforeCharge ? { beforeCharge } : {}) })
  } catch (error) {
    if (!(isWsbError(error)) || error.exitCode !== 5) throw error
    await db.write(async () => {
      await db.run('UPDATE due_steps SET due_at = ?, claimed_by = NULL, claimed_until = NULL WHERE id = ?', step.due_at + OUTAGE_RETRY_MS, step.id)
      await recordEvent(db, { workspaceId, at: ctx.now, kind: 'payment.provider_unavailable', refs: { invoiceId: step.ref_id }, data: { message: error.message, retryAt: new Date(step.due_at + OUTAGE_RETRY_MS).toISOString() } })
    })
  }
}
