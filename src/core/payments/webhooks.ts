// Stripe webhooks (docs/payments.md "Webhooks"): an event is verified with the endpoint's
// signing secret (the SDK's constructEvent), applied at most once (its id is
// kept in stripe_webhook_events, in the transaction of the change it causes),
// never applied over a newer event about the same object, and applied to what
// it names: the attempt of a PaymentIntent (by id, else by its `wsb_attempt`
// metadata), a detached payment method, a deleted customer. An event naming
// nothing wsb knows is acknowledged and ignored. The daily lookups of
// collection stay the fallback when no webhook arrives. The HTTP face is a few
// lines: the raw body and the Stripe-Signature header in, this result out.
import { and, eq, max } from 'drizzle-orm'
import type Stripe from 'stripe'
import { type Ctx, contextFor } from '../context.js'
import { invalid } from '../errors.js'
import { recordEvent } from '../events/record.js'
import { schedule } from '../lifecycle/queue.js'
import { notify } from '../notifications/record.js'
import type { Db } from '../store/open.js'
import { billingAccounts, type PaymentAttemptRow, paymentAttempts, paymentMethods, stripeWebhookEvents } from '../store/schema/index.js'
import { resolveWorkspace } from '../workspaces/resolve.js'
import { recordAnswerHere } from './attempts.js'
import { awaitSettlement, loadInvoice, markPaid, markUnusable, needsCustomer, refsOf } from './invoice-state.js'
import { classifyIntent } from './outcome.js'
import { customerGone } from './problems.js'

export type WebhookResult = { received: true; eventId: string; type: string; applied: boolean }

/** The event types wsb acts on; every other verified event is acknowledged and ignored. */
export const HANDLED_EVENTS = [
  'payment_intent.succeeded',
  'payment_intent.payment_failed',
  'payment_intent.processing',
  'payment_intent.requires_action',
  'payment_intent.canceled',
  'payment_method.detached',
  'customer.deleted',
] as const

type IntentObject = Parameters<typeof classifyIntent>[0] & { metadata?: Record<string, string> | null }

export async function receiveStripeWebhook(db: Db, input: { payload: string; signature: string | undefined; secret: string }): Promise<WebhookResult> {
  if (!input.secret) throw invalid('STRIPE_WEBHOOK_SECRET is not set: wsb cannot verify Stripe webhooks without the endpoint signing secret (whsec_…)', {}, 'INVALID_ENVIRONMENT')
  const { default: StripeSdk } = await import('stripe')
  let event: Stripe.Event
  try {
    if (!input.signature) throw new Error('no Stripe-Signature header')
    event = StripeSdk.webhooks.constructEvent(input.payload, input.signature, input.secret)
  } catch (error) {
    // The SDK's message says which check failed (no signature, timestamp outside the tolerance, no match); it never holds the secret.
    throw invalid(`the webhook's Stripe-Signature does not verify with the endpoint secret: ${(error as Error).message.split('\n')[0]}`, {}, 'WEBHOOK_SIGNATURE_INVALID')
  }
  const object = event.data.object as unknown as { id?: string }
  const objectId = typeof object.id === 'string' ? object.id : null
  const applied = await db.write(async () => {
    const seen = (await db.orm.select({ id: stripeWebhookEvents.id }).from(stripeWebhookEvents).where(eq(stripeWebhookEvents.id, event.id)).limit(1))[0]
    if (seen) return false
    // Stripe does not deliver in order: an event older than one already applied to the same object changes nothing.
    const newest = objectId
      ? (await db.orm.select({ created: max(stripeWebhookEvents.created) }).from(stripeWebhookEvents).where(and(eq(stripeWebhookEvents.objectId, objectId), eq(stripeWebhookEvents.applied, true))).limit(1))[0]?.created
      : null
    const stale = newest !== null && newest !== undefined && event.created < newest
    const outcome = stale ? { workspaceId: await workspaceOf(db, event.type, object), applied: false } : await apply(db, event.type, object)
    await db.orm.insert(stripeWebhookEvents).values({ id: event.id, workspaceId: outcome.workspaceId, type: event.type, objectId, created: event.created, applied: outcome.applied, receivedAt: Date.now() })
    return outcome.applied
  })
  return { received: true, eventId: event.id, type: event.type, applied }
}

type Applied = { workspaceId: string | null; applied: boolean }

async function contextOf(db: Db, workspaceId: string): Promise<Ctx> {
  return contextFor(db, await resolveWorkspace(db, workspaceId))
}

/** The attempt a PaymentIntent event names: by the intent's id, else by the attempt key in its metadata (an answer not yet recorded). */
async function attemptOf(db: Db, intent: IntentObject): Promise<PaymentAttemptRow | undefined> {
  const byId = (await db.orm.select().from(paymentAttempts).where(eq(paymentAttempts.providerPaymentId, intent.id)).limit(1))[0]
  if (byId) return byId
  const key = intent.metadata?.wsb_attempt
  return key ? (await db.orm.select().from(paymentAttempts).where(eq(paymentAttempts.idempotencyKey, key)).limit(1))[0] : undefined
}

async function workspaceOf(db: Db, type: string, object: unknown): Promise<string | null> {
  if (type.startsWith('payment_intent.')) return (await attemptOf(db, object as IntentObject))?.workspaceId ?? null
  return null
}

async function apply(db: Db, type: string, object: unknown): Promise<Applied> {
  if (type.startsWith('payment_intent.') && (HANDLED_EVENTS as readonly string[]).includes(type)) return await applyIntent(db, object as IntentObject)
  if (type === 'payment_method.detached') return await applyDetached(db, (object as { id: string }).id)
  if (type === 'customer.deleted') return await applyCustomerDeleted(db, (object as { id: string }).id)
  return { workspaceId: null, applied: false }
}

async function applyIntent(db: Db, intent: IntentObject): Promise<Applied> {
  const attempt = await attemptOf(db, intent)
  if (!attempt) return { workspaceId: null, applied: false }
  const ctx = await contextOf(db, attempt.workspaceId)
  const invoice = await loadInvoice(db, attempt.invoiceId)
  const method = (await db.orm.select().from(paymentMethods).where(eq(paymentMethods.id, attempt.paymentMethodId)).limit(1))[0]
  if (!invoice) return { workspaceId: attempt.workspaceId, applied: false }
  const answer = classifyIntent(intent)
  // Already known (the charge's own answer, a lookup, a later event): nothing changes.
  const { changed } = await recordAnswerHere(ctx, invoice, attempt.run, attempt.paymentMethodId, attempt.idempotencyKey, attempt.provider, answer)
  if (!changed) return { workspaceId: attempt.workspaceId, applied: false }
  const open = invoice.status === 'open' || invoice.status === 'uncollectible'
  switch (answer.outcome) {
    case 'succeeded':
      if (invoice.status === 'paid') await paidTwice(ctx, invoice.id, attempt, intent.id)
      else if (open) await markPaid(ctx, invoice, attempt.paymentMethodId, attempt.provider)
      break
    case 'processing':
      if (open) await awaitSettlement(ctx, invoice)
      break
    case 'requires_action':
      if (open && method) await needsCustomer(ctx, invoice, method, answer.action)
      break
    default:
      // Failed or canceled: the invoice's collection goes on with the next method at the next catch-up.
      if (answer.outcome === 'unusable' && method) await markUnusable(ctx, invoice, method, answer)
      if (open) await schedule(db, invoice.workspaceId, 'collect', invoice.id, ctx.now)
  }
  return { workspaceId: attempt.workspaceId, applied: true }
}

/** A second PaymentIntent of an invoice succeeded: never by wsb's own doing, but told at once so one can be refunded. */
async function paidTwice(ctx: Ctx, invoiceId: string, attempt: PaymentAttemptRow, paymentId: string): Promise<void> {
  const invoice = await loadInvoice(ctx.db, invoiceId)
  if (!invoice) return
  await recordEvent(ctx.db, { workspaceId: invoice.workspaceId, at: ctx.now, kind: 'payment.duplicate', refs: refsOf(invoice), data: { paymentId, attempt: attempt.idempotencyKey } })
  await notify(ctx, 'payment_duplicate', `payment_duplicate:${paymentId}`, `Invoice ${invoice.displayNumber ?? invoice.id} was already paid when Stripe reported another successful payment (${paymentId}); refund one of them in Stripe.`, refsOf(invoice))
}

async function applyDetached(db: Db, providerId: string): Promise<Applied> {
  const methods = await db.orm.select().from(paymentMethods).where(and(eq(paymentMethods.provider, 'stripe'), eq(paymentMethods.providerId, providerId)))
  let applied = false
  for (const method of methods) {
    if (method.unusableAt !== null) continue
    await markUnusable(await contextOf(db, method.workspaceId), null, method, { declineCode: 'detached', message: 'the payment method was detached from the customer in Stripe' })
    applied = true
  }
  return { workspaceId: methods[0]?.workspaceId ?? null, applied }
}

async function applyCustomerDeleted(db: Db, customerId: string): Promise<Applied> {
  const accounts = await db.orm.select().from(billingAccounts).where(eq(billingAccounts.providerCustomerId, customerId))
  for (const account of accounts) await customerGone(await contextOf(db, account.workspaceId), account.id, customerId)
  return { workspaceId: accounts[0]?.workspaceId ?? null, applied: accounts.length > 0 }
}
