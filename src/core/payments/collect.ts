// Collecting an invoice (R-PAY-1, R-PAY-2): try the default method, then each
// backup in the order added, stopping at the first success; record every
// attempt. When all fail the invoice stays open, the subscription turns
// past_due, and the whole sequence is retried 3, 5 and 7 days after the first
// failure; after the last failed retry the subscription is unpaid and the
// invoice uncollectible. Provider calls run outside transactions; each attempt
// is recorded right after it, keyed by (invoice, run, method), so a crash and
// re-run repeats nothing the provider has already done. What each class of
// provider answer leads to is decided here, on the classes of outcome.ts.
import { and, eq, isNotNull, like, ne, sql } from 'drizzle-orm'
import { type Ctx, contextFor } from '../context.js'
import { isWsbError, providerFailure } from '../errors.js'
import { redact } from '../redact.js'
import { recordEvent } from '../events/record.js'
import { schedule } from '../lifecycle/queue.js'
import { notify } from '../notifications/record.js'
import type { Db } from '../store/open.js'
import { billingAccounts, type InvoiceRow, invoices, paymentAttempts, type PaymentMethodRow, paymentMethods, subscriptions, workspaces } from '../store/schema/index.js'
import { addDaysUtc } from '../subscriptions/periods.js'
import { resolveWorkspace } from '../workspaces/resolve.js'
import { methodLabel } from './label.js'
import { methodsInOrder } from './methods.js'
import type { ChargeResult } from './outcome.js'
import type { PaymentProvider } from './provider.js'

/** Days after the first failure at which the whole sequence is retried (R-PAY-2). */
export const RETRY_DAYS = [3, 5, 7] as const
/** The first run plus its retries. */
const LAST_RUN = RETRY_DAYS.length + 1
/** A provider outage is not a decline: the run is tried again 1 h later, doubling per outage up to a day. */
const OUTAGE_RETRY_MS = 60 * 60 * 1000
const OUTAGE_RETRY_MAX_MS = 24 * OUTAGE_RETRY_MS
export const outageDelay = (errors: number): number => Math.min(OUTAGE_RETRY_MS * 2 ** Math.max(0, errors - 1), OUTAGE_RETRY_MAX_MS)
/** An in-flight payment (a bank debit) is looked up again this much later. */
export const SETTLE_POLL_MS = 24 * 60 * 60 * 1000

/** A lifecycle run renews its claim on the collect step before each provider call (lifecycle/queue.ts). */
export type CollectMode = { kind: 'run'; beforeCharge?: () => Promise<void> } | { kind: 'manual' }

export type CollectOutcome = {
  invoiceId: string
  status: InvoiceRow['status']
  paid: boolean
  attempts: number
  /** Stopped because a payment is in flight, or because the customer must authenticate. */
  pending?: 'processing' | 'requires_action'
}

/** How a class is stored on the attempt row. */
const STORED = { succeeded: 'succeeded', declined: 'failed', unusable: 'failed', requires_action: 'requires_action', processing: 'processing', outage: 'error' } as const

type AttemptRow = typeof paymentAttempts.$inferSelect

/** A stored attempt back in its class (a re-run after a crash repeats nothing). */
function fromRow(row: AttemptRow): ChargeResult {
  const paymentId = row.providerPaymentId
  const text = { declineCode: row.declineCode ?? '', message: row.message ?? '' }
  if (row.outcome === 'succeeded') return { outcome: 'succeeded', paymentId: paymentId ?? '' }
  if (row.outcome === 'processing') return { outcome: 'processing', paymentId: paymentId ?? '' }
  if (row.outcome === 'requires_action') return { outcome: 'requires_action', paymentId, ...text }
  if (row.outcome === 'error') return { outcome: 'outage', message: text.message, status: null }
  return { outcome: 'declined', paymentId, ...text }
}

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

async function record(ctx: Ctx, invoice: InvoiceRow, run: string, method: PaymentMethodRow, key: string, provider: string, answer: ChargeResult): Promise<void> {
  // What a provider said is stored only after redaction: a server may echo anything back.
  const outcome = STORED[answer.outcome]
  const paymentId = 'paymentId' in answer ? answer.paymentId : null
  const declineCode = 'declineCode' in answer ? redact(answer.declineCode) : null
  const message = 'message' in answer ? redact(answer.message) : null
  const errors = answer.outcome === 'outage' ? 1 : 0
  await ctx.db.write(async () => {
    await ctx.db.orm
      .insert(paymentAttempts)
      .values({
        workspaceId: invoice.workspaceId,
        invoiceId: invoice.id,
        run,
        paymentMethodId: method.id,
        provider,
        providerPaymentId: paymentId,
        outcome,
        declineCode,
        message,
        amount: invoice.amountDue,
        currency: invoice.currency,
        idempotencyKey: key,
        errors,
        at: ctx.now,
      })
      .onConflictDoUpdate({
        // An outage recorded earlier is replaced by the answer of the retry; an in-flight payment keeps its time.
        target: paymentAttempts.idempotencyKey,
        set: {
          outcome,
          // A lookup that failed again keeps the PaymentIntent id already known.
          ...(paymentId ? { providerPaymentId: paymentId } : {}),
          declineCode,
          message,
          errors: sql`${paymentAttempts.errors} + ${errors}`,
          ...(outcome === 'processing' ? {} : { at: ctx.now }),
        },
      })
    await recordEvent(ctx.db, {
      workspaceId: invoice.workspaceId,
      at: ctx.now,
      kind: `payment.${outcome}`,
      refs: { invoiceId: invoice.id, accountId: invoice.accountId, paymentMethodId: method.id },
      data: { provider, run, class: answer.outcome, amount: { amount: invoice.amountDue, currency: invoice.currency }, ...(declineCode !== null ? { declineCode } : {}) },
    })
  })
}

const refsOf = (invoice: InvoiceRow) => ({ invoiceId: invoice.id, accountId: invoice.accountId, ...(invoice.subscriptionId ? { subscriptionId: invoice.subscriptionId } : {}) })

/** Gone or not the customer's: never charged again, the operator is told, the next method is tried. */
async function markUnusable(ctx: Ctx, invoice: InvoiceRow, method: PaymentMethodRow, answer: { declineCode: string; message: string }): Promise<void> {
  await ctx.db.write(async () => {
    await ctx.db.orm.update(paymentMethods).set({ unusableAt: ctx.now, unusableReason: redact(answer.declineCode) }).where(eq(paymentMethods.id, method.id))
    await recordEvent(ctx.db, { workspaceId: invoice.workspaceId, at: ctx.now, kind: 'payment_method.unusable', refs: { accountId: invoice.accountId, paymentMethodId: method.id }, data: { reason: redact(answer.declineCode) } })
    await notify(ctx, 'payment_method_unusable', `payment_method_unusable:${method.id}`,
      `Payment method ${method.id} (${methodLabel(method)}) can no longer be charged (${redact(answer.declineCode)}: ${redact(answer.message)}); wsb skips it from now on. Add another with: wsb pm add ${invoice.accountId} pm_…, then remove it with: wsb pm remove ${invoice.accountId} ${method.id}.`,
      { accountId: invoice.accountId, paymentMethodId: method.id, invoiceId: invoice.id })
  })
}

/** 3-D Secure: failover stops for this invoice; it stays open and is not retried until someone acts. */
async function needsCustomer(ctx: Ctx, invoice: InvoiceRow, method: PaymentMethodRow, mode: CollectMode): Promise<void> {
  const { db, now } = ctx
  await db.write(async () => {
    if (mode.kind === 'run') await removeCollectSteps(db, invoice)
    const refs = refsOf(invoice)
    const sub = invoice.subscriptionId ? (await db.orm.select().from(subscriptions).where(eq(subscriptions.id, invoice.subscriptionId)).limit(1))[0] : undefined
    if (sub && sub.status === 'active') {
      await db.orm.update(subscriptions).set({ status: 'past_due' }).where(eq(subscriptions.id, sub.id))
      await recordEvent(db, { workspaceId: invoice.workspaceId, at: now, kind: 'subscription.past_due', refs, data: { reason: 'authentication_required' } })
    }
    await notify(ctx, 'payment_action_required', `payment_action_required:${invoice.id}:${method.id}`,
      `Invoice ${invoice.id}: the bank asks the customer to authenticate the payment on ${methodLabel(method)} (3-D Secure); wsb will not retry it on its own. Once the customer has authenticated (or added another method), run: wsb invoice pay ${invoice.id}`,
      refs)
  })
}

/** Charges nothing else while a payment is in flight; the lifecycle looks it up again later. */
async function awaitSettlement(ctx: Ctx, invoice: InvoiceRow, mode: CollectMode): Promise<void> {
  await ctx.db.write(async () => {
    if (mode.kind === 'run') await removeCollectSteps(ctx.db, invoice)
    await schedule(ctx.db, invoice.workspaceId, 'collect', invoice.id, ctx.now + SETTLE_POLL_MS)
  })
}

const outageError = (provider: PaymentProvider, message: string) => providerFailure('PROVIDER_ERROR', `the payment provider failed: ${message}`, { provider: provider.name })

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
    // Paid in full, an unpaid subscription turns active again: its capacity returns to the pool.
    await ctx.db.excludeMetering(invoice.workspaceId)
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

/** Settles the invoice's in-flight payment, if any: undefined when there is none, else what collection should return. */
async function settleInFlight(ctx: Ctx, provider: PaymentProvider, invoice: InvoiceRow, customerId: string | null, mode: CollectMode): Promise<CollectOutcome | undefined> {
  const { db } = ctx
  const inflight = (await db.orm.select().from(paymentAttempts).where(and(eq(paymentAttempts.invoiceId, invoice.id), eq(paymentAttempts.outcome, 'processing'))).limit(1))[0]
  if (!inflight) return undefined
  const method = (await db.orm.select().from(paymentMethods).where(eq(paymentMethods.id, inflight.paymentMethodId)).limit(1))[0]
  const base = { invoiceId: invoice.id, status: invoice.status, paid: false, attempts: 0 }
  const answer = method
    ? await provider.lookup({ customerId: customerId ?? '', paymentId: inflight.providerPaymentId, attemptKey: inflight.idempotencyKey, paymentMethodId: method.providerId, chargedAt: inflight.at, at: ctx.now })
    : null
  if (answer?.outcome === 'outage') throw outageError(provider, answer.message)
  if (!method || !answer || answer.outcome === 'processing') {
    await awaitSettlement(ctx, invoice, mode)
    return { ...base, pending: 'processing' }
  }
  await record(ctx, invoice, inflight.run, method, inflight.idempotencyKey, inflight.provider, answer)
  if (answer.outcome === 'succeeded') {
    await markPaid(ctx, invoice, method, inflight.provider)
    return { ...base, status: 'paid', paid: true, attempts: 1 }
  }
  // A debit that failed after processing counts as that run failing: dunning (R-PAY-2).
  if (answer.outcome === 'requires_action') await needsCustomer(ctx, invoice, method, mode)
  else await dunning(ctx, invoice, invoice.attemptRuns + 1)
  const after = (await loadInvoice(db, invoice.id)) as InvoiceRow
  return { ...base, status: after.status, attempts: 1, ...(answer.outcome === 'requires_action' ? { pending: 'requires_action' as const } : {}) }
}

/**
 * Attempts of other runs whose outcome is unknown (an outage, then `invoice pay`, or
 * the next dunning run): looked up before anything new is charged, so a charge
 * whose answer was lost is never made a second time under another run's key.
 */
async function settleUnknown(ctx: Ctx, provider: PaymentProvider, invoice: InvoiceRow, customerId: string | null, run: string, mode: CollectMode): Promise<CollectOutcome | undefined> {
  const { db } = ctx
  const unknown = await db.orm.select().from(paymentAttempts).where(and(eq(paymentAttempts.invoiceId, invoice.id), eq(paymentAttempts.outcome, 'error'), ne(paymentAttempts.run, run)))
  for (const row of unknown) {
    const method = (await db.orm.select().from(paymentMethods).where(eq(paymentMethods.id, row.paymentMethodId)).limit(1))[0]
    if (!method || !customerId || row.provider !== provider.name) continue
    const found = await provider.lookup({ customerId, paymentId: row.providerPaymentId, attemptKey: row.idempotencyKey, paymentMethodId: method.providerId, chargedAt: row.at, at: ctx.now })
    if (found?.outcome === 'outage') throw outageError(provider, found.message)
    const answer: ChargeResult = found ?? { outcome: 'declined', paymentId: null, declineCode: 'not_charged', message: 'the provider has no payment for this attempt' }
    await record(ctx, invoice, row.run, method, row.idempotencyKey, row.provider, answer)
    if (answer.outcome === 'succeeded') {
      await markPaid(ctx, invoice, method, row.provider)
      return { invoiceId: invoice.id, status: 'paid', paid: true, attempts: 1 }
    }
    if (answer.outcome === 'processing') {
      await awaitSettlement(ctx, invoice, mode)
      return { invoiceId: invoice.id, status: invoice.status, paid: false, attempts: 1, pending: 'processing' }
    }
  }
  return undefined
}

/** One charge of one method, or the answer already known for its key (after a lookup when the outcome was unknown). */
async function attempt(ctx: Ctx, provider: PaymentProvider, invoice: InvoiceRow, account: { id: string; providerCustomerId: string }, run: string, method: PaymentMethodRow, key: string, mode: CollectMode): Promise<ChargeResult> {
  const done = (await ctx.db.orm.select().from(paymentAttempts).where(eq(paymentAttempts.idempotencyKey, key)).limit(1))[0]
  if (done && done.outcome !== 'error') return fromRow(done)
  if (mode.kind === 'run') await mode.beforeCharge?.()
  if (done) {
    // The outcome is unknown (a lost answer, a 5xx, a key Stripe may have forgotten): ask before charging again.
    const found = await provider.lookup({ customerId: account.providerCustomerId, paymentId: done.providerPaymentId, attemptKey: key, paymentMethodId: method.providerId, chargedAt: done.at, at: ctx.now })
    if (found) {
      await record(ctx, invoice, run, method, key, provider.name, found)
      return found
    }
  }
  const result = await provider.charge({
    customerId: account.providerCustomerId,
    paymentMethodId: method.providerId,
    amount: invoice.amountDue,
    currency: invoice.currency,
    // Stripe replays a stored 5xx for a day: once a lookup found no charge, the retry gets a key of its own.
    idempotencyKey: done ? `${key}_r${done.errors}` : key,
    // Fixed for the invoice: a rename of the account between retries must not change a keyed request.
    description: `Invoice #${invoice.number} (${invoice.id})`,
    metadata: { wsb_invoice_id: invoice.id, wsb_invoice_number: String(invoice.number), wsb_account_id: account.id, wsb_run: run, wsb_attempt: key },
    at: ctx.now,
  })
  await record(ctx, invoice, run, method, key, provider.name, result)
  return result
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
  const settled = await settleInFlight(ctx, provider, invoice, account.providerCustomerId, mode)
  if (settled) return settled
  const run = await runLabel(db, invoice, mode)
  const resolved = await settleUnknown(ctx, provider, invoice, account.providerCustomerId, run, mode)
  if (resolved) return resolved
  let attempts = 0
  for (const method of await methodsInOrder(db, account.id)) {
    if (method.unusableAt !== null) continue
    const key = `wsb_${invoice.id}_${run}_${method.id}`
    let result: ChargeResult
    if (method.provider !== provider.name || !account.providerCustomerId) {
      result = { outcome: 'declined', paymentId: null, declineCode: 'provider_mismatch', message: `this method was added under the ${method.provider} provider; wsb now uses ${provider.name}` }
      const done = (await db.orm.select().from(paymentAttempts).where(eq(paymentAttempts.idempotencyKey, key)).limit(1))[0]
      if (!done) await record(ctx, invoice, run, method, key, provider.name, result)
    } else {
      result = await attempt(ctx, provider, invoice, { id: account.id, providerCustomerId: account.providerCustomerId }, run, method, key, mode)
    }
    attempts++
    switch (result.outcome) {
      case 'succeeded':
        await markPaid(ctx, invoice, method, provider.name)
        return { invoiceId, status: 'paid', paid: true, attempts }
      case 'outage':
        throw outageError(provider, result.message)
      case 'processing':
        await awaitSettlement(ctx, invoice, mode)
        return { invoiceId, status: invoice.status, paid: false, attempts, pending: 'processing' }
      case 'requires_action':
        await needsCustomer(ctx, invoice, method, mode)
        return { invoiceId, status: invoice.status, paid: false, attempts, pending: 'requires_action' }
      case 'unusable':
        await markUnusable(ctx, invoice, method, result)
        break
      case 'declined':
        break
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
    // Backoff by the outages this invoice has met: 1 h, 2 h, 4 h … up to a day.
    const seen = await db.get<{ errors: number | null }>('SELECT max(errors) AS errors FROM payment_attempts WHERE invoice_id = ?', step.ref_id)
    const retryAt = step.due_at + outageDelay(Number(seen?.errors ?? 1))
    await db.write(async () => {
      await db.run('UPDATE due_steps SET due_at = ?, claimed_by = NULL, claimed_until = NULL WHERE id = ?', retryAt, step.id)
      await recordEvent(db, { workspaceId, at: ctx.now, kind: 'payment.provider_unavailable', refs: { invoiceId: step.ref_id }, data: { message: error.message, retryAt: new Date(retryAt).toISOString() } })
    })
  }
}
