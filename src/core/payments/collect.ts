// Collecting an invoice (R-PAY-1, R-PAY-2): try the default method, then each
// backup in the order added, stopping at the first success; record every
// attempt. When all fail the invoice stays open, the subscription turns
// past_due, and the whole sequence is retried 3, 5 and 7 days after the first
// failure (invoice-state.ts). Provider calls run outside transactions; each
// attempt's row is committed `pending` before the call and given the answer
// after it, keyed by (invoice, run, method). Before anything new is charged,
// every attempt whose PaymentIntent may still change is looked up (by id, else
// by its `wsb_attempt` metadata): succeeded → paid, in flight → wait, failed →
// next method, waiting for the customer → canceled first (or, for the
// lifecycle, left to the customer). So no invoice ever has a second
// PaymentIntent while one can still succeed. What each class of answer leads
// to is decided here, on the classes of outcome.ts.
import { and, eq, inArray, like, sql } from 'drizzle-orm'
import { type Ctx, contextFor } from '../context.js'
import { isWsbError } from '../errors.js'
import { recordEvent } from '../events/record.js'
import type { Db } from '../store/open.js'
import { type BillingAccountRow, billingAccounts, type InvoiceRow, type PaymentAttemptRow, paymentAttempts, type PaymentMethodRow, paymentMethods, workspaces } from '../store/schema/index.js'
import { resolveWorkspace } from '../workspaces/resolve.js'
import { attemptByKey, beginAttempt, fromRow, recordAnswer, UNKNOWN, UNRESOLVED } from './attempts.js'
import { awaitSettlement, dunning, loadInvoice, markPaid, markUnusable, needsCustomer, removeCollectSteps } from './invoice-state.js'
import { customerActionText } from './label.js'
import { methodsInOrder } from './methods.js'
import { type ChargeResult, isStopping } from './outcome.js'
import { customerMissingError, stopCollection } from './problems.js'
import type { PaymentProvider } from './provider.js'

export { RETRY_DAYS, SETTLE_POLL_MS } from './invoice-state.js'

/** A run that cannot go on (an outage, a refused request or key, a deleted customer) is tried again 1 h later, doubling up to a day. */
const OUTAGE_RETRY_MS = 60 * 60 * 1000
const OUTAGE_RETRY_MAX_MS = 24 * OUTAGE_RETRY_MS
export const outageDelay = (errors: number): number => Math.min(OUTAGE_RETRY_MS * 2 ** Math.max(0, errors - 1), OUTAGE_RETRY_MAX_MS)

/** A lifecycle run renews its claim on the collect step before each provider call (lifecycle/queue.ts). */
export type CollectMode = { kind: 'run'; beforeCharge?: () => Promise<void> } | { kind: 'manual' }

export type CollectOutcome = {
  invoiceId: string
  status: InvoiceRow['status']
  paid: boolean
  attempts: number
  /** Stopped because a payment is in flight, or because the customer must act. */
  pending?: 'processing' | 'requires_action'
  /** What the customer must do, in words, when `pending` is requires_action. */
  action?: string
  /** Settled by looking up an earlier attempt: this collection charged nothing new. */
  earlier?: true
}

type Account = Pick<BillingAccountRow, 'id' | 'providerCustomerId' | 'goneProviderCustomerId'>

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
    .where(and(eq(paymentAttempts.invoiceId, invoice.id), like(paymentAttempts.run, 'manual-%'), inArray(paymentAttempts.outcome, [...UNKNOWN]))).limit(1))[0]
  return unfinished?.run ?? `manual-${(manual?.n ?? 0) + 1}`
}

/** Stands for a method removed since its attempt (its label: "removed method"). */
const removedMethod = (row: PaymentAttemptRow): PaymentMethodRow => ({
  id: row.paymentMethodId, workspaceId: row.workspaceId, accountId: '', provider: row.provider as PaymentMethodRow['provider'], providerId: '', source: '', type: 'card', brand: '', last4: '',
  expMonth: 12, expYear: 9999, isDefault: false, mandateId: null, unusableAt: null, unusableReason: null, createdAt: row.at,
})

const methodById = async (db: Db, id: string): Promise<PaymentMethodRow | undefined> => (await db.orm.select().from(paymentMethods).where(eq(paymentMethods.id, id)).limit(1))[0]

/** `notCharged`: keys of this run's unknown attempts that the provider has no payment for (charged again when the run reaches them). */
type Step = { done: CollectOutcome } | { next: true; continueRun?: string; notCharged: Set<string> }

/** What collection returns once the invoice is paid, in flight or waiting for the customer. */
async function settleOn(ctx: Ctx, invoice: InvoiceRow, method: PaymentMethodRow, provider: string, answer: ChargeResult, attempts: number): Promise<CollectOutcome | undefined> {
  const base = { invoiceId: invoice.id, status: invoice.status, paid: false, attempts }
  if (answer.outcome === 'succeeded') {
    await markPaid(ctx, invoice, method.id, provider)
    return { ...base, status: 'paid', paid: true }
  }
  if (answer.outcome === 'processing') {
    await awaitSettlement(ctx, invoice)
    return { ...base, pending: 'processing' }
  }
  if (answer.outcome === 'requires_action') {
    await needsCustomer(ctx, invoice, method, answer.action)
    return { ...base, pending: 'requires_action', action: customerActionText(method, answer.action) }
  }
  return undefined
}

/**
 * Every earlier attempt whose PaymentIntent may still change is looked up before
 * anything is charged. A payment waiting for the customer is left to them by the
 * lifecycle; `invoice pay` cancels it first (the operator says the customer acted
 * or added another method), unless it completed meanwhile.
 */
async function reconcile(ctx: Ctx, provider: PaymentProvider, invoice: InvoiceRow, account: Account, run: string, mode: CollectMode): Promise<Step> {
  const { db } = ctx
  const open: PaymentAttemptRow[] = await db.orm
    .select()
    .from(paymentAttempts)
    .where(and(eq(paymentAttempts.invoiceId, invoice.id), inArray(paymentAttempts.outcome, [...UNRESOLVED])))
    .orderBy(paymentAttempts.id)
  let continueRun: string | undefined
  const notCharged = new Set<string>()
  for (const row of open) {
    if (row.provider !== provider.name) continue
    // A removed method's payment is still looked up (and canceled if it waits for the customer): it could still succeed.
    const onFile = await methodById(db, row.paymentMethodId)
    const method = onFile ?? removedMethod(row)
    if (!account.providerCustomerId && !row.providerPaymentId) throw customerMissingError(provider.name, account.id, account.goneProviderCustomerId)
    if (mode.kind === 'run') await mode.beforeCharge?.()
    const lookup = { customerId: account.providerCustomerId ?? '', paymentId: row.providerPaymentId, attemptKey: row.idempotencyKey, paymentMethodId: method.providerId, chargedAt: row.at, at: ctx.now }
    let found = await provider.lookup(lookup)
    if (found && isStopping(found)) {
      // Counted on the attempt, so the run's retries back off.
      await db.write(async () => await db.run('UPDATE payment_attempts SET errors = errors + 1 WHERE id = ?', row.id))
      throw await stopCollection(ctx, provider.name, invoice, found, account.providerCustomerId)
    }
    if (found?.outcome === 'requires_action' && (mode.kind === 'manual' || !onFile) && found.paymentId) {
      const canceled = await provider.cancel(found.paymentId)
      if (isStopping(canceled)) throw await stopCollection(ctx, provider.name, invoice, canceled, account.providerCustomerId)
      found = canceled
    }
    // None made for this run's own unknown attempt: charged again when the run reaches its method.
    if (!found && row.run === run && UNKNOWN.includes(row.outcome)) {
      notCharged.add(row.idempotencyKey)
      continue
    }
    // No PaymentIntent: the attempt was never charged (a crash before the request reached the provider).
    const answer: ChargeResult = found ?? { outcome: 'declined', paymentId: null, declineCode: 'not_charged', message: 'the provider has no payment for this attempt' }
    const recorded = await recordAnswer(ctx, invoice, row.run, method, row.idempotencyKey, row.provider, answer)
    const done = await settleOn(ctx, invoice, method, row.provider, recorded, 1)
    if (done) return { done: { ...done, earlier: true } }
    if (recorded.outcome === 'unusable' && onFile) await markUnusable(ctx, invoice, method, recorded)
    // A debit that failed after processing: the rest of its run is tried now (the next method).
    if (row.outcome === 'processing') continueRun = row.run
  }
  return { next: true, notCharged, ...(continueRun ? { continueRun } : {}) }
}

/** One charge of one method, or the answer already known for its key (after a lookup when the outcome was unknown and not looked up yet). */
async function attempt(ctx: Ctx, provider: PaymentProvider, invoice: InvoiceRow, account: { id: string; providerCustomerId: string }, run: string, method: PaymentMethodRow, key: string, mode: CollectMode, notCharged: Set<string>): Promise<ChargeResult> {
  const done = await attemptByKey(ctx, key)
  if (done && !UNKNOWN.includes(done.outcome)) return fromRow(done)
  if (mode.kind === 'run') await mode.beforeCharge?.()
  if (done && !notCharged.has(key)) {
    // The outcome is unknown (a crash, a lost answer, a 5xx, a key Stripe may have forgotten): ask before charging again.
    const found = await provider.lookup({ customerId: account.providerCustomerId, paymentId: done.providerPaymentId, attemptKey: key, paymentMethodId: method.providerId, chargedAt: done.at, at: ctx.now })
    if (found) return await recordAnswer(ctx, invoice, run, method, key, provider.name, found)
  } else if (!done) {
    await beginAttempt(ctx, invoice, run, method, key, provider.name)
  }
  const result = await provider.charge({
    customerId: account.providerCustomerId,
    paymentMethodId: method.providerId,
    mandateId: method.mandateId,
    amount: invoice.amountDue,
    currency: invoice.currency,
    // Stripe replays a key's first answer (a 500 or a 400 too) for a day: once a lookup found no charge after such an
    // answer, the retry gets a key of its own. An attempt cut off before any answer (a crash) is sent again under its key.
    idempotencyKey: done && done.errors > 0 ? `${key}_r${done.errors}` : key,
    // Fixed for the invoice: a rename of the account between retries must not change a keyed request.
    description: `Invoice #${invoice.number} (${invoice.id})`,
    metadata: { wsb_invoice_id: invoice.id, wsb_invoice_number: String(invoice.number), wsb_account_id: account.id, wsb_run: run, wsb_attempt: key },
    at: ctx.now,
  })
  return await recordAnswer(ctx, invoice, run, method, key, provider.name, result)
}

/** Runs one collection of an invoice. A run that cannot go on throws exit 5 (PROVIDER_ERROR, PROVIDER_REFUSED, …) after recording what it met. */
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
  const reconciled = await reconcile(ctx, provider, invoice, account, await runLabel(db, invoice, mode), mode)
  if ('done' in reconciled) return reconciled.done
  const run = reconciled.continueRun ?? (await runLabel(db, invoice, mode))
  const methods = (await methodsInOrder(db, account.id)).filter((method) => method.unusableAt === null)
  if (!account.providerCustomerId && methods.some((method) => method.provider === provider.name)) throw customerMissingError(provider.name, account.id, account.goneProviderCustomerId)
  let attempts = 0
  for (const method of methods) {
    const key = `wsb_${invoice.id}_${run}_${method.id}`
    let result: ChargeResult
    if (method.provider !== provider.name || !account.providerCustomerId) {
      result = { outcome: 'declined', paymentId: null, declineCode: 'provider_mismatch', message: `this method was added under the ${method.provider} provider; wsb now uses ${provider.name}` }
      if (!(await attemptByKey(ctx, key))) await recordAnswer(ctx, invoice, run, method, key, provider.name, result)
    } else {
      result = await attempt(ctx, provider, invoice, { id: account.id, providerCustomerId: account.providerCustomerId }, run, method, key, mode, reconciled.notCharged)
    }
    attempts++
    if (isStopping(result)) throw await stopCollection(ctx, provider.name, invoice, result, account.providerCustomerId)
    const done = await settleOn(ctx, invoice, method, provider.name, result, attempts)
    if (done) return done
    if (result.outcome === 'unusable') await markUnusable(ctx, invoice, method, result)
  }
  if (mode.kind === 'run') await dunning(ctx, invoice, invoice.attemptRuns + 1, attempts)
  const after = (await loadInvoice(db, invoiceId)) as InvoiceRow
  return { invoiceId, status: after.status, paid: false, attempts }
}

/** The lifecycle's collect step: a run that cannot go on reschedules itself with backoff instead of failing the command. */
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
    if (!isWsbError(error) || error.exitCode !== 5) throw error
    // Backoff by the runs this invoice could not complete: 1 h, 2 h, 4 h … up to a day.
    const seen = await db.get<{ errors: number | null }>('SELECT max(errors) AS errors FROM payment_attempts WHERE invoice_id = ?', step.ref_id)
    // A deleted customer is waited for once a day: `pm add` reschedules the run as soon as it makes a new one.
    const retryAt = step.due_at + (error.code === 'PAYMENT_CUSTOMER_MISSING' ? OUTAGE_RETRY_MAX_MS : outageDelay(Number(seen?.errors ?? 1)))
    const kind = error.code === 'PROVIDER_ERROR' ? 'payment.provider_unavailable' : 'payment.collection_blocked'
    await db.write(async () => {
      await db.run('UPDATE due_steps SET due_at = ?, claimed_by = NULL, claimed_until = NULL WHERE id = ?', retryAt, step.id)
      await recordEvent(db, { workspaceId, at: ctx.now, kind, refs: { invoiceId: step.ref_id }, data: { reason: error.code, message: error.message, retryAt: new Date(retryAt).toISOString() } })
    })
  }
}
