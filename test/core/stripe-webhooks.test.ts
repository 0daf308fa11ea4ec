// Stripe webhooks through the core function the HTTP route calls, with events
// the stateful fake recorded and signed as Stripe signs them (Stripe-Signature
// t=…,v1=HMAC-SHA256(secret, "t.payload")): applied once, verified, out-of-order
// safe, acknowledged when they name nothing wsb knows.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Ctx } from '../../src/core/context.js'
import { isWsbError } from '../../src/core/errors.js'
import { addPaymentMethod, listPaymentMethods } from '../../src/core/payments/methods.js'
import { StripeProvider } from '../../src/core/payments/stripe.js'
import { receiveStripeWebhook } from '../../src/core/payments/webhooks.js'
import type { Db } from '../../src/core/store/open.js'
import { stripeWebhookEvents } from '../../src/core/store/schema/index.js'
import { addSubscription } from '../../src/core/subscriptions/add.js'
import { type StripeEvent, type StripeFake, startStripeFake } from '../helpers/stripe-fake.js'
import { paymentProbes } from '../helpers/payment-probes.js'
import { account, refresh, workspace } from '../builders.js'

const KEY = 'sk_test_wsb_webhooks_51Hq'
const SECRET = 'whsec_wsb_test_0123456789abcdef'
const START = Date.parse('2026-05-01T00:00:00Z')
const DAY = 24 * 60 * 60 * 1000
let fake: StripeFake
let stripe: StripeProvider

beforeAll(async () => {
  fake = await startStripeFake({ now: () => START })
  stripe = new StripeProvider(KEY, fake.url)
  fake.addCard('pm_card_threeDSecure', { last4: '3220', exp_month: 12, exp_year: 2099, behaviour: 'requires_action' })
})
afterAll(() => fake.close())

const { runTo, firstInvoice, attempts, kinds, subStatus, intentsOf } = paymentProbes(() => fake, () => stripe)
const eventKinds = async (ctx: Ctx, kind: string) => (await ctx.db.all<{ n: number }>(`SELECT count(*) AS n FROM events WHERE kind = ?`, kind))[0]?.n
const deliver = async (db: Db, event: StripeEvent | undefined) => {
  if (!event) throw new Error('no such event')
  return await receiveStripeWebhook(db, { ...fake.sign(event, SECRET), secret: SECRET })
}
/** The newest event of a type about an object. */
const eventFor = (type: string, objectId: string) => [...fake.events].reverse().find((e) => e.type === type && e.data.object.id === objectId)

async function subscribed(name: string, tokens: string[]) {
  const ctx = await workspace('single', { name: `${name} ws`, start: START })
  await account(ctx, name)
  for (const token of tokens)
    await addPaymentMethod(await refresh(ctx), stripe, { account: name, source: token, ...(/^pm_(sepa|usBank)/.test(token) ? { mandate: { acceptance: 'offline' as const } } : {}) })
  await addSubscription(await refresh(ctx), { account: name, items: { users: 1 }, trial: false })
  return ctx
}

describe('Stripe webhooks (issue 22)', () => {
  it('SPEC §3 the customer authenticates: payment_intent.succeeded pays the invoice, applied once however often it is delivered', async () => {
    const ctx = await subscribed('Webhook3DS', ['pm_card_threeDSecure'])
    await runTo(ctx, START)
    const invoice = await firstInvoice(ctx)
    const intent = intentsOf(invoice?.id)[0]?.id ?? ''
    fake.authenticate(intent)
    const event = eventFor('payment_intent.succeeded', intent)
    expect(await deliver(ctx.db, event)).toEqual({ received: true, eventId: event?.id, type: 'payment_intent.succeeded', applied: true })
    expect(await firstInvoice(ctx)).toMatchObject({ status: 'paid', amountPaid: { amount: 1000, currency: 'USD' } })
    expect(await attempts(ctx)).toEqual([['run-1', 'Visa ••••3220', 'succeeded', null]])
    expect(await subStatus(ctx)).toEqual(['active'])
    // Stripe delivers at least once: the same event again changes nothing.
    expect(await deliver(ctx.db, event)).toMatchObject({ eventId: event?.id, applied: false })
    expect(await eventKinds(ctx, 'invoice.paid')).toBe(1)
    expect(await eventKinds(ctx, 'payment.succeeded')).toBe(1)
    expect(intentsOf(invoice?.id).filter((pi) => pi.status === 'succeeded').length).toBe(1)
  })

  it('SPEC §3 a bad or missing signature is WEBHOOK_SIGNATURE_INVALID (exit 2) and changes nothing', async () => {
    const ctx = await subscribed('Forged', ['pm_card_threeDSecure'])
    await runTo(ctx, START)
    const invoice = await firstInvoice(ctx)
    const intent = intentsOf(invoice?.id)[0]?.id ?? ''
    fake.authenticate(intent)
    const event = eventFor('payment_intent.succeeded', intent) as StripeEvent
    const signed = fake.sign(event, SECRET)
    const attemptsBefore = await ctx.db.all('SELECT * FROM payment_attempts')
    const cases = [
      { ...signed, secret: 'whsec_some_other_secret' },
      { payload: signed.payload.replace('"succeeded"', '"processing"'), signature: signed.signature, secret: SECRET },
      { payload: signed.payload, signature: undefined, secret: SECRET },
      { payload: signed.payload, signature: 't=1,v1=00', secret: SECRET },
      // Signed right, but long ago: a replayed delivery.
      { ...fake.sign(event, SECRET, Math.floor(Date.now() / 1000) - 3600), secret: SECRET },
    ]
    for (const input of cases) {
      const error = await receiveStripeWebhook(ctx.db, input).catch((e: unknown) => e)
      expect(isWsbError(error) && [error.code, error.exitCode]).toEqual(['WEBHOOK_SIGNATURE_INVALID', 2])
      expect((error as Error).message).not.toContain(SECRET)
    }
    expect((await firstInvoice(ctx))?.status).toBe('open')
    expect(await ctx.db.all('SELECT * FROM payment_attempts')).toEqual(attemptsBefore)
    expect(await ctx.db.all('SELECT * FROM stripe_webhook_events')).toEqual([])
  })

  it('SPEC §3 an event naming nothing wsb knows is acknowledged and ignored; so is a type wsb does not act on', async () => {
    const ctx = await workspace('single', { name: 'Stranger ws', start: START })
    const foreign = fake.events.find((e) => e.type === 'payment_intent.created')
    const other = (await subscribed('Other', ['pm_card_visa']), fake.events.find((e) => e.type === 'setup_intent.succeeded'))
    await deliver(ctx.db, foreign) // a PaymentIntent of another database's attempt
    expect(await deliver(ctx.db, { ...(foreign as StripeEvent), id: 'evt_unknown_attempt', type: 'payment_intent.succeeded', data: { object: { id: 'pi_nobody', object: 'payment_intent', status: 'succeeded', metadata: {} } } })).toEqual({
      received: true,
      eventId: 'evt_unknown_attempt',
      type: 'payment_intent.succeeded',
      applied: false,
    })
    expect(await deliver(ctx.db, other)).toMatchObject({ applied: false, type: 'setup_intent.succeeded' })
    // Each is kept (a redelivery is acknowledged at once), none applied.
    expect((await ctx.db.orm.select().from(stripeWebhookEvents)).map((e) => [e.type, e.applied, e.workspaceId]).sort()).toEqual([
      ['payment_intent.created', false, null],
      ['payment_intent.succeeded', false, null],
      ['setup_intent.succeeded', false, null],
    ])
  })

  it("SPEC §3 an event arriving before the charge's own answer is applied to the pending attempt; the answer then changes nothing", async () => {
    const ctx = await subscribed('Early', ['pm_card_visa'])
    let delivered: Awaited<ReturnType<typeof receiveStripeWebhook>> | undefined
    let rowWhenDelivered: unknown
    fake.onAnswer = async (request) => {
      if (request.method !== 'POST' || request.path !== '/v1/payment_intents') return
      fake.onAnswer = undefined
      const intent = [...fake.paymentIntents.values()].at(-1)
      rowWhenDelivered = (await ctx.db.all('SELECT outcome FROM payment_attempts'))[0]
      delivered = await deliver(ctx.db, eventFor('payment_intent.succeeded', intent?.id ?? ''))
    }
    await runTo(ctx, START)
    expect(rowWhenDelivered).toEqual({ outcome: 'pending' })
    expect(delivered).toMatchObject({ applied: true })
    expect(await firstInvoice(ctx)).toMatchObject({ status: 'paid' })
    expect(await attempts(ctx)).toEqual([['run-1', 'Visa ••••4242', 'succeeded', null]])
    expect(await eventKinds(ctx, 'invoice.paid')).toBe(1)
    expect(await eventKinds(ctx, 'payment.succeeded')).toBe(1)
  })

  it('SPEC §3 out of order: succeeded before processing leaves the debit paid; a payment_failed after processing goes on to the next method', async () => {
    const ctx = await subscribed('Unordered', ['pm_sepaDebit_success'])
    await runTo(ctx, START)
    const invoice = await firstInvoice(ctx)
    const debit = invoice?.payments[0]?.providerPaymentId ?? ''
    fake.settle(debit, 'succeeded')
    const processing = eventFor('payment_intent.processing', debit)
    expect(await deliver(ctx.db, eventFor('payment_intent.succeeded', debit))).toMatchObject({ applied: true })
    expect(await deliver(ctx.db, processing)).toMatchObject({ applied: false })
    expect(await firstInvoice(ctx)).toMatchObject({ status: 'paid' })
    expect(await attempts(ctx)).toEqual([['run-1', 'SEPA debit ••••3000', 'succeeded', null]])

    const failing = await subscribed('FailsByWebhook', ['pm_sepaDebit_success', 'pm_card_visa'])
    await runTo(failing, START)
    const second = (await firstInvoice(failing))?.payments[0]?.providerPaymentId ?? ''
    fake.settle(second, { code: 'insufficient_funds', message: 'The account has insufficient funds.' })
    expect(await deliver(failing.db, eventFor('payment_intent.payment_failed', second))).toMatchObject({ applied: true })
    expect(await attempts(failing)).toEqual([['run-1', 'SEPA debit ••••3000', 'failed', 'insufficient_funds']])
    // The next catch-up (not a day later: the webhook scheduled it now) charges the card.
    await runTo(failing, START)
    expect(await attempts(failing)).toEqual([
      ['run-1', 'SEPA debit ••••3000', 'failed', 'insufficient_funds'],
      ['run-1', 'Visa ••••4242', 'succeeded', null],
    ])
    expect((await firstInvoice(failing))?.status).toBe('paid')
  })

  it('SPEC §3 payment_method.detached marks the method unusable; customer.deleted forgets the customer and says what to do', async () => {
    const ctx = await subscribed('Dashboard', ['pm_card_visa', 'pm_card_mastercard'])
    await runTo(ctx, START)
    const [visa] = (await listPaymentMethods(await refresh(ctx), 'Dashboard')).paymentMethods
    fake.detachPaymentMethod(visa?.providerId ?? '')
    expect(await deliver(ctx.db, eventFor('payment_method.detached', visa?.providerId ?? ''))).toMatchObject({ applied: true })
    expect((await listPaymentMethods(await refresh(ctx), 'Dashboard')).paymentMethods.map((m) => m.unusable?.reason ?? null)).toEqual(['detached', null])
    const customerId = (await ctx.db.get<{ provider_customer_id: string }>('SELECT provider_customer_id FROM billing_accounts'))?.provider_customer_id ?? ''
    fake.deleteCustomer(customerId)
    expect(await deliver(ctx.db, eventFor('customer.deleted', customerId))).toMatchObject({ applied: true })
    expect(await ctx.db.all('SELECT provider_customer_id, gone_provider_customer_id FROM billing_accounts')).toEqual([{ provider_customer_id: null, gone_provider_customer_id: customerId }])
    expect(await kinds(ctx)).toEqual(['payment_method_unusable', 'payment_customer_missing'])
  })

  it('SPEC §3 through HTTP as the serve route will do it (raw body and Stripe-Signature in, the result out), with the fake sending the event', async () => {
    const ctx = await subscribed('OverHttp', ['pm_card_threeDSecure'])
    await runTo(ctx, START)
    const intent = intentsOf((await firstInvoice(ctx))?.id)[0]?.id ?? ''
    fake.authenticate(intent)
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (chunk: Buffer) => chunks.push(chunk))
      req.on('end', () => {
        const signature = req.headers['stripe-signature']
        receiveStripeWebhook(ctx.db, { payload: Buffer.concat(chunks).toString('utf8'), signature: typeof signature === 'string' ? signature : undefined, secret: SECRET })
          .then((result) => res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(result)))
          .catch((error: unknown) => res.writeHead(isWsbError(error) && error.exitCode === 2 ? 400 : 500).end(JSON.stringify({ error: { code: (error as { code?: string }).code } })))
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/stripe/webhook`
      const event = eventFor('payment_intent.succeeded', intent) as StripeEvent
      const answer = await fake.send(event, url, SECRET)
      expect([answer.status, JSON.parse(answer.body)]).toEqual([200, { received: true, eventId: event.id, type: 'payment_intent.succeeded', applied: true }])
      expect((await fake.send(event, url, 'whsec_wrong')).status).toBe(400)
      expect((await firstInvoice(ctx))?.status).toBe('paid')
    } finally {
      server.close()
    }
    // A week later the lifecycle's own lookups find nothing left to do: no second charge.
    await runTo(ctx, START + 7 * DAY)
    expect(intentsOf((await firstInvoice(ctx))?.id).map((pi) => pi.status)).toEqual(['succeeded'])
  })
})
