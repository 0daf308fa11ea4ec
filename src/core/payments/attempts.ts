// Payment attempt rows (R-PAY-1): one per (invoice, run, method), written
// `pending` and committed before the provider is asked, then given the class of
// the answer. An answer never moves a row back: a webhook may settle an attempt
// before the charge's own answer is recorded, and the later, older answer keeps it.
import { eq, sql } from 'drizzle-orm'
import type { Ctx } from '../context.js'
import { recordEvent } from '../events/record.js'
import { redact } from '../redact.js'
import { type InvoiceRow, type PaymentAttemptRow, type PaymentMethodRow, paymentAttempts } from '../store/schema/index.js'
import type { ChargeResult } from './outcome.js'

export type AttemptOutcome = PaymentAttemptRow['outcome']

/** How a class is stored on the attempt row. */
export const STORED: Record<ChargeResult['outcome'], AttemptOutcome> = {
  succeeded: 'succeeded',
  declined: 'failed',
  unusable: 'failed',
  requires_action: 'requires_action',
  processing: 'processing',
  canceled: 'canceled',
  customer_missing: 'error',
  refused: 'error',
  key_rejected: 'error',
  outage: 'error',
}

/** Attempts whose PaymentIntent may still change: looked up before anything else is charged for the invoice. */
export const UNRESOLVED: readonly AttemptOutcome[] = ['pending', 'error', 'processing', 'requires_action']
/** Attempts whose outcome is unknown: the charge may or may not exist. */
export const UNKNOWN: readonly AttemptOutcome[] = ['pending', 'error']

/** How far along a PaymentIntent's life a stored outcome is: an answer of a lower rank never replaces a higher one. */
const RANK: Record<AttemptOutcome, number> = { pending: 0, error: 0, requires_action: 1, processing: 2, failed: 3, canceled: 3, succeeded: 4 }

/** A stored attempt back in its class (a re-run after a crash repeats nothing). */
export function fromRow(row: PaymentAttemptRow): ChargeResult {
  const paymentId = row.providerPaymentId
  const text = { declineCode: row.declineCode ?? '', message: row.message ?? '' }
  switch (row.outcome) {
    case 'succeeded':
      return { outcome: 'succeeded', paymentId: paymentId ?? '' }
    case 'processing':
      return { outcome: 'processing', paymentId: paymentId ?? '' }
    case 'requires_action':
      return { outcome: 'requires_action', paymentId, ...text, action: row.declineCode === 'verify_with_microdeposits' ? 'verify_microdeposits' : 'authenticate' }
    case 'canceled':
      return { outcome: 'canceled', paymentId: paymentId ?? '', message: text.message }
    case 'pending':
    case 'error':
      return { outcome: 'outage', message: text.message, status: null }
    default:
      return { outcome: 'declined', paymentId, ...text }
  }
}

export async function attemptByKey(ctx: Ctx, key: string): Promise<PaymentAttemptRow | undefined> {
  return (await ctx.db.orm.select().from(paymentAttempts).where(eq(paymentAttempts.idempotencyKey, key)).limit(1))[0]
}

/** A new attempt row of (invoice, run, method) keyed `key`. */
const newRow = (ctx: Ctx, invoice: InvoiceRow, run: string, methodId: string, key: string, provider: string) => ({
  workspaceId: invoice.workspaceId,
  invoiceId: invoice.id,
  run,
  paymentMethodId: methodId,
  provider,
  amount: invoice.amountDue,
  currency: invoice.currency,
  idempotencyKey: key,
  at: ctx.now,
})

/** The attempt row, written and committed before the provider is asked: a crash after the charge leaves it `pending`, and the next run looks it up. */
export async function beginAttempt(ctx: Ctx, invoice: InvoiceRow, run: string, method: PaymentMethodRow, key: string, provider: string): Promise<void> {
  await ctx.db.write(async () => {
    await ctx.db.orm.insert(paymentAttempts).values({ ...newRow(ctx, invoice, run, method.id, key, provider), outcome: 'pending' }).onConflictDoNothing()
  })
}

/**
 * Records the provider's answer on the attempt keyed `key` (in its own transaction, with its
 * event) and returns what the row says afterwards: the answer, or the further state a webhook
 * already recorded. What a provider said is stored only after redaction: a server may echo anything back.
 */
export async function recordAnswer(ctx: Ctx, invoice: InvoiceRow, run: string, method: PaymentMethodRow, key: string, provider: string, answer: ChargeResult): Promise<ChargeResult> {
  return (await ctx.db.write(async () => await recordAnswerHere(ctx, invoice, run, method.id, key, provider, answer))).answer
}

/** recordAnswer inside a transaction the caller holds (a webhook's); `changed` says whether the row took this answer. */
export async function recordAnswerHere(ctx: Ctx, invoice: InvoiceRow, run: string, methodId: string, key: string, provider: string, answer: ChargeResult): Promise<{ answer: ChargeResult; changed: boolean }> {
  const outcome = STORED[answer.outcome]
  const paymentId = 'paymentId' in answer ? answer.paymentId : null
  const declineCode = 'declineCode' in answer ? redact(answer.declineCode) : null
  const message = 'message' in answer ? redact(answer.message) : null
  const errors = outcome === 'error' ? 1 : 0
  const existing = await attemptByKey(ctx, key)
  if (existing && RANK[existing.outcome] > RANK[outcome]) return { answer: fromRow(existing), changed: false }
  // The same news twice (a webhook and the charge's own answer) is recorded once.
  if (existing && existing.outcome === outcome && outcome !== 'error' && (existing.providerPaymentId !== null || paymentId === null)) return { answer: fromRow(existing), changed: false }
  await ctx.db.orm
    .insert(paymentAttempts)
    .values({ ...newRow(ctx, invoice, run, methodId, key, provider), providerPaymentId: paymentId, outcome, declineCode, message, errors })
    .onConflictDoUpdate({
      target: paymentAttempts.idempotencyKey,
      set: {
        outcome,
        // A lookup that failed again keeps the PaymentIntent id already known.
        ...(paymentId ? { providerPaymentId: paymentId } : {}),
        declineCode,
        message,
        errors: sql`${paymentAttempts.errors} + ${errors}`,
        // An in-flight payment keeps the time it was made (bank debits settle by it).
        ...(outcome === 'processing' ? {} : { at: ctx.now }),
      },
    })
  if (outcome !== 'error') await ctx.db.run('UPDATE payment_provider_status SET key_rejected_at = NULL, status = NULL, message = NULL WHERE workspace_id = ? AND key_rejected_at IS NOT NULL', invoice.workspaceId)
  await recordEvent(ctx.db, {
    workspaceId: invoice.workspaceId,
    at: ctx.now,
    kind: `payment.${outcome}`,
    refs: { invoiceId: invoice.id, accountId: invoice.accountId, paymentMethodId: methodId },
    data: { provider, run, class: answer.outcome, amount: { amount: invoice.amountDue, currency: invoice.currency }, ...(declineCode !== null ? { declineCode } : {}) },
  })
  return { answer, changed: true }
}
