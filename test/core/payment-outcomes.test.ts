// Every class of provider answer (src/core/payments/outcome.ts), through the real
// stripe SDK against the strict local Stripe server, each checked on the invoice,
// the subscription, the attempts and the notifications afterwards. The lifecycle
// runs the collect steps (advanceClock with the Stripe provider), as catch-up does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listNotifications } from '../../src/core/notifications/list.js'
import { addPaymentMethod, listPaymentMethods, removePaymentMethod } from '../../src/core/payments/methods.js'
import { payInvoice } from '../../src/core/payments/pay.js'
import { StripeProvider } from '../../src/core/payments/stripe.js'
import { addSubscription } from '../../src/core/subscriptions/add.js'
import { type StripeFake, startStripeFake } from '../helpers/stripe-fake.js'
import { paymentProbes } from '../helpers/payment-probes.js'
import { account, refresh, workspace } from '../builders.js'

const KEY = 'sk_test_wsb_outcomes_51Hq'
const START = Date.parse('2026-05-01T00:00:00Z')
const HOUR = 60 * 60 * 1000
const DAY = 24 * HOUR
let fake: StripeFake
let stripe: StripeProvider

beforeAll(async () => {
  fake = await startStripeFake({ now: () => START })
  stripe = new StripeProvider(KEY, fake.url)
})
afterAll(() => fake.close())

const { runTo, intentPosts, firstInvoice, attempts, subStatus, kinds, collectSteps } = paymentProbes(() => fake, () => stripe)

/** A workspace whose account pays with `tokens` (default first) and has a 1-user subscription: $10.00 due at START. */
async function subscribed(name: string, tokens: string[]) {
  const ctx = await workspace('single', { name: `${name} ws`, start: START })
  await account(ctx, name)
  const methods = []
  // A bank debit is saved with the customer's mandate (accepted offline here).
  for (const token of tokens) methods.push(await addPaymentMethod(await refresh(ctx), stripe, { account: name, source: token, ...(/^pm_(sepaDebit|usBankAccount)/.test(token) ? { mandate: { acceptance: 'offline' as const } } : {}) }))
  await addSubscription(await refresh(ctx), { account: name, items: { users: 1 }, trial: false })
  return { ctx, methods }
}

describe('provider answers, one class each (SPEC §3, R-PAY-1, R-PAY-2)', () => {
  it('succeeded: the invoice is paid at once with one PaymentIntent of $10.00', async () => {
    const { ctx } = await subscribed('Succeeds', ['pm_card_visa'])
    const before = intentPosts().length
    await runTo(ctx, START)
    expect(await firstInvoice(ctx)).toMatchObject({ status: 'paid', amountPaid: { amount: 1000, currency: 'USD' } })
    expect(await attempts(ctx)).toEqual([['run-1', 'Visa ••••4242', 'succeeded', null]])
    expect(intentPosts().length - before).toBe(1)
    expect(await subStatus(ctx)).toEqual(['active'])
    expect(await kinds(ctx)).toEqual([])
  })

  it('declined: a card_error whose decline_code is empty is recorded with its code; failover, then dunning when all decline', async () => {
    const { ctx } = await subscribed('Declines', ['pm_card_visa', 'pm_card_mastercard'])
    // Stripe reports expired_card in `code`; the SDK leaves decline_code ''.
    fake.failNext(1, { status: 402, error: { type: 'card_error', code: 'expired_card', decline_code: '', message: 'Your card has expired.' } })
    await runTo(ctx, START)
    expect(await attempts(ctx)).toEqual([
      ['run-1', 'Visa ••••4242', 'failed', 'expired_card'],
      ['run-1', 'Mastercard ••••4444', 'succeeded', null],
    ])
    expect((await firstInvoice(ctx))?.status).toBe('paid')

    const { ctx: all } = await subscribed('AllDecline', ['pm_card_chargeCustomerFail'])
    await runTo(all, START)
    expect(await attempts(all)).toEqual([['run-1', 'Visa ••••0341', 'failed', 'generic_decline']])
    expect((await firstInvoice(all))?.status).toBe('open')
    expect(await subStatus(all)).toEqual(['past_due'])
    expect(await kinds(all)).toEqual(['payment_failed'])
    expect(await collectSteps(all)).toEqual([{ due_at: START + 3 * DAY }])
  })

  it('requires_action: authentication_required stops failover, keeps the invoice open, notifies the next step and is not retried blindly', async () => {
    const { ctx } = await subscribed('Authenticates', ['pm_card_authenticationRequired', 'pm_card_visa'])
    const before = intentPosts().length
    await runTo(ctx, START)
    expect(await attempts(ctx)).toEqual([['run-1', 'Visa ••••3184', 'requires_action', 'authentication_required']])
    expect(intentPosts().length - before).toBe(1) // the backup was not charged
    expect((await firstInvoice(ctx))?.status).toBe('open')
    expect(await subStatus(ctx)).toEqual(['past_due'])
    const notes = (await listNotifications(await refresh(ctx))).notifications
    expect(notes.map((n) => n.kind)).toEqual(['payment_action_required'])
    expect(notes[0]?.message).toContain(`wsb invoice pay ${(await firstInvoice(ctx))?.id}`)
    // Nothing is scheduled: a week later the card has not been tried again.
    expect(await collectSteps(ctx)).toEqual([])
    await runTo(ctx, START + 7 * DAY)
    expect(intentPosts().length - before).toBe(1)
    // A 200 answer with status requires_action is the same class.
    fake.addCard('pm_card_threeDSecure', { last4: '3220', exp_month: 12, exp_year: 2099, behaviour: 'requires_action' })
    const { ctx: other } = await subscribed('ThreeDS', ['pm_card_threeDSecure'])
    await runTo(other, START)
    expect(await attempts(other)).toEqual([['run-1', 'Visa ••••3220', 'requires_action', 'authentication_required']])
    // The operator's next step after the customer authenticated: invoice pay, which exits 5 PAYMENT_ACTION_REQUIRED while it still needs it.
    await expect(payInvoice(await refresh(other), stripe, (await firstInvoice(other))?.id ?? '')).rejects.toMatchObject({ code: 'PAYMENT_ACTION_REQUIRED', exitCode: 5 })
  })

  it('processing: a bank debit in flight charges nothing else, is looked up during catch-up and settles to paid', async () => {
    const { ctx, methods } = await subscribed('Debits', ['pm_sepaDebit_success', 'pm_card_visa'])
    expect(methods.map((m) => m.label)).toEqual(['SEPA debit ••••3000', 'Visa ••••4242'])
    const before = intentPosts().length
    await runTo(ctx, START)
    expect(await attempts(ctx)).toEqual([['run-1', 'SEPA debit ••••3000', 'processing', null]])
    const intent = (await firstInvoice(ctx))?.payments[0]?.providerPaymentId ?? ''
    expect(fake.paymentIntents.get(intent)?.status).toBe('processing')
    // A day later it is looked up (GET), still processing: no second charge, the backup untouched.
    await runTo(ctx, START + DAY)
    expect(fake.requests.at(-1)).toMatchObject({ method: 'GET', path: `/v1/payment_intents/${intent}` })
    expect(intentPosts().length - before).toBe(1)
    expect((await firstInvoice(ctx))?.status).toBe('open')
    expect(await subStatus(ctx)).toEqual(['active'])
    fake.settle(intent, 'succeeded')
    await runTo(ctx, START + 2 * DAY)
    expect(await firstInvoice(ctx)).toMatchObject({ status: 'paid', amountPaid: { amount: 1000, currency: 'USD' } })
    expect(await attempts(ctx)).toEqual([['run-1', 'SEPA debit ••••3000', 'succeeded', null]])
    expect(intentPosts().length - before).toBe(1)
    expect(await collectSteps(ctx)).toEqual([])
  })

  it('processing then failed: a debit that fails after processing enters dunning (past_due, retry in 3 days)', async () => {
    const { ctx } = await subscribed('DebitFails', ['pm_usBankAccount_success'])
    await runTo(ctx, START)
    const intent = (await firstInvoice(ctx))?.payments[0]?.providerPaymentId ?? ''
    fake.settle(intent, { code: 'insufficient_funds', message: 'The account has insufficient funds.' })
    await runTo(ctx, START + DAY)
    expect(await attempts(ctx)).toEqual([['run-1', 'US bank account ••••6789', 'failed', 'insufficient_funds']])
    expect((await firstInvoice(ctx))?.status).toBe('open')
    expect(await subStatus(ctx)).toEqual(['past_due'])
    expect(await kinds(ctx)).toEqual(['payment_failed'])
    // firstFailedAt is the settle time (START + 1 day): the first retry 3 days after it.
    expect(await collectSteps(ctx)).toEqual([{ due_at: START + 4 * DAY }])
  })

  it('unusable: resource_missing and a foreign method mark the method, notify, fail over; later invoices skip it; it stays removable', async () => {
    const { ctx, methods } = await subscribed('Gone', ['pm_card_visa', 'pm_card_mastercard', 'pm_card_amex'])
    fake.failNext(1, { status: 400, error: { type: 'invalid_request_error', code: 'resource_missing', param: 'payment_method', message: "No such PaymentMethod: 'pm_deleted'" } })
    fake.failNext(1, { status: 400, error: { type: 'invalid_request_error', param: 'payment_method', message: 'The provided PaymentMethod does not belong to the Customer.' } })
    await runTo(ctx, START)
    expect(await attempts(ctx)).toEqual([
      ['run-1', 'Visa ••••4242', 'failed', 'resource_missing'],
      ['run-1', 'Mastercard ••••4444', 'failed', 'payment_method_unusable'],
      ['run-1', 'American Express ••••8431', 'succeeded', null],
    ])
    expect((await firstInvoice(ctx))?.status).toBe('paid')
    expect(await subStatus(ctx)).toEqual(['active'])
    expect(await kinds(ctx)).toEqual(['payment_method_unusable', 'payment_method_unusable'])
    const listed = (await listPaymentMethods(await refresh(ctx), 'Gone')).paymentMethods
    expect(listed.map((m) => [m.id, m.unusable?.reason ?? null])).toEqual([
      [methods[0]?.id, 'resource_missing'],
      [methods[1]?.id, 'payment_method_unusable'],
      [methods[2]?.id, null],
    ])
    // The next period's invoice skips the unusable methods: one PaymentIntent, on the Amex.
    const before = intentPosts().length
    await runTo(ctx, Date.parse('2026-06-01T00:00:00Z'))
    expect(intentPosts().slice(before).map((r) => r.body.payment_method)).toEqual([methods[2]?.providerId])
    // The deleted card can still be removed: Stripe's resource_missing on detach means it is already gone.
    fake.failNext(1, { status: 404, error: { type: 'invalid_request_error', code: 'resource_missing', param: 'payment_method', message: "No such PaymentMethod: 'pm_deleted'" } })
    const after = await removePaymentMethod(await refresh(ctx), stripe, { account: 'Gone', method: methods[0]?.id ?? '' })
    // The default goes to the oldest method that can still be charged, not to the unusable Mastercard.
    expect(after.paymentMethods.map((m) => [m.id, m.isDefault])).toEqual([[methods[2]?.id, true], [methods[1]?.id, false]])
  })

  it('outage: 5xx is retried later with backoff (1 h, then 2 h); the lookup finds no charge, so the retry gets a fresh key and pays once', async () => {
    const { ctx } = await subscribed('Outage', ['pm_card_visa'])
    fake.failNext(1, 500) // the SDK does not retry: one request, one 500
    await runTo(ctx, START)
    expect(await attempts(ctx)).toEqual([['run-1', 'Visa ••••4242', 'error', null]])
    expect(await collectSteps(ctx)).toEqual([{ due_at: START + HOUR }])
    expect(await subStatus(ctx)).toEqual(['active'])
    // The lookup itself fails: nothing is charged, the next try is 2 h later.
    fake.failNext(1, 503)
    const before = intentPosts().length
    await runTo(ctx, START + HOUR)
    expect(intentPosts().length).toBe(before)
    expect(await collectSteps(ctx)).toEqual([{ due_at: START + 3 * HOUR }])
    await runTo(ctx, START + 3 * HOUR)
    expect((await firstInvoice(ctx))?.status).toBe('paid')
    const keys = intentPosts().map((r) => r.idempotencyKey)
    const base = keys[before - 1] ?? ''
    expect(keys.slice(before)).toEqual([`${base}_r2`])
    expect([...fake.paymentIntents.values()].filter((pi) => pi.metadata.wsb_attempt === base).map((pi) => pi.status)).toEqual(['succeeded'])
  })

  it('outage: a 429 rate_limit and an idempotency_error are outages, not declines or unusable methods: the method stays usable and the run is retried', async () => {
    const { ctx, methods } = await subscribed('Throttled', ['pm_card_visa'])
    fake.failNext(1, { status: 429, error: { type: 'invalid_request_error', code: 'rate_limit', message: 'Too many requests hit the API too quickly.' } })
    await runTo(ctx, START)
    fake.clearFailures()
    expect(await attempts(ctx)).toEqual([['run-1', 'Visa ••••4242', 'error', null]])
    // The lookup before the retry finds nothing; the retry's POST meets an idempotency_error.
    fake.onRequest = (request) => {
      if (request.method === 'POST' && request.path === '/v1/payment_intents') {
        fake.failNext(1, { status: 400, error: { type: 'idempotency_error', message: 'Keys for idempotent requests can only be used with the same parameters they were first used with.' } })
        fake.onRequest = undefined
      }
    }
    await runTo(ctx, START + HOUR)
    fake.clearFailures()
    expect(await attempts(ctx)).toEqual([['run-1', 'Visa ••••4242', 'error', null]])
    expect(await collectSteps(ctx)).toEqual([{ due_at: START + 3 * HOUR }])
    expect((await listPaymentMethods(await refresh(ctx), 'Throttled')).paymentMethods.map((m) => [m.id, m.unusable])).toEqual([[methods[0]?.id, null]])
    expect(await subStatus(ctx)).toEqual(['active'])
    await runTo(ctx, START + 3 * HOUR)
    expect((await firstInvoice(ctx))?.status).toBe('paid')
  })

  it('unknown outcome: an answer lost after the charge, with the key expired, is found by lookup and never charged twice', async () => {
    const { ctx } = await subscribed('Lost', ['pm_card_visa'])
    fake.failNext(2, 'network', 'after') // the SDK retries a closed connection once, with the same key
    await runTo(ctx, START)
    expect(await attempts(ctx)).toEqual([['run-1', 'Visa ••••4242', 'error', null]])
    fake.forgetIdempotencyKeys() // 24 hours later Stripe no longer knows the key
    const before = intentPosts().length
    await runTo(ctx, START + HOUR)
    expect(intentPosts().length).toBe(before)
    expect(await attempts(ctx)).toEqual([['run-1', 'Visa ••••4242', 'succeeded', null]])
    const invoice = await firstInvoice(ctx)
    expect(invoice).toMatchObject({ status: 'paid', amountPaid: { amount: 1000, currency: 'USD' } })
    expect([...fake.paymentIntents.values()].filter((pi) => pi.metadata.wsb_invoice_id === invoice?.id).length).toBe(1)
  })

  it('unknown outcome: invoice pay after a lost answer looks the lifecycle attempt up instead of charging under its own key', async () => {
    const { ctx } = await subscribed('PayAfterLoss', ['pm_card_visa'])
    fake.failNext(2, 'network', 'after') // the SDK retries a closed connection once, with the same key
    await runTo(ctx, START)
    const invoice = await firstInvoice(ctx)
    const before = intentPosts().length
    const view = await payInvoice(await refresh(ctx), stripe, invoice?.id ?? '')
    expect(view).toMatchObject({ status: 'paid', amountPaid: { amount: 1000, currency: 'USD' } })
    expect(intentPosts().length).toBe(before)
    expect(await attempts(ctx)).toEqual([['run-1', 'Visa ••••4242', 'succeeded', null]])
    expect([...fake.paymentIntents.values()].filter((pi) => pi.metadata.wsb_invoice_id === invoice?.id).length).toBe(1)
    expect(await collectSteps(ctx)).toEqual([])
  })
})
