// Issue 22's defects, each against the stateful Stripe fake through the real SDK:
// a payment waiting for the customer is never charged twice, one bad answer never
// stops collection for good, a deleted customer is repaired by pm add, a rejected
// key is told at once and shown by doctor, a failed debit goes on to the next
// method, bank debits carry their mandate. In every test no invoice has more than
// one succeeded PaymentIntent, and collection resumes by itself once a fault is fixed.
import Stripe from 'stripe'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Ctx } from '../../src/core/context.js'
import { runDoctor } from '../../src/core/doctor/run.js'
import { listInvoices } from '../../src/core/invoices/list.js'
import { advanceClock } from '../../src/core/lifecycle/clock.js'
import { listNotifications } from '../../src/core/notifications/list.js'
import { addPaymentMethod, listPaymentMethods, removePaymentMethod, setDefaultPaymentMethod } from '../../src/core/payments/methods.js'
import { payInvoice } from '../../src/core/payments/pay.js'
import type { MandateInput } from '../../src/core/payments/provider.js'
import { StripeProvider } from '../../src/core/payments/stripe.js'
import { addSubscription } from '../../src/core/subscriptions/add.js'
import { type StripeFake, startStripeFake } from '../helpers/stripe-fake.js'
import { paymentProbes } from '../helpers/payment-probes.js'
import { account, refresh, workspace } from '../builders.js'

const KEY = 'sk_test_wsb_recovery_51Hq'
const START = Date.parse('2026-05-01T00:00:00Z')
const HOUR = 60 * 60 * 1000
const DAY = 24 * HOUR
let fake: StripeFake
let stripe: StripeProvider
/** The same fake driven directly, as the customer's checkout or the Dashboard would. */
let dashboard: Stripe

beforeAll(async () => {
  fake = await startStripeFake({ now: () => START })
  stripe = new StripeProvider(KEY, fake.url)
  dashboard = new Stripe('sk_test_dashboard_0001', { host: fake.host, port: fake.port, protocol: 'http', maxNetworkRetries: 0 })
  fake.addCard('pm_card_threeDSecure', { last4: '3220', exp_month: 12, exp_year: 2099, behaviour: 'requires_action' })
})
afterAll(() => fake.close())

const { runTo, intentPosts, firstInvoice, attempts, subStatus, kinds, collectSteps, intentsOf } = paymentProbes(() => fake, () => stripe)
/** No invoice is ever charged twice: at most one succeeded PaymentIntent each. */
async function chargedOnce(ctx: Ctx): Promise<void> {
  for (const invoice of (await listInvoices(await refresh(ctx))).invoices) expect(intentsOf(invoice.id ?? '').filter((pi) => pi.status === 'succeeded').length).toBeLessThanOrEqual(1)
}
const isDebit = (token: string) => /^pm_(sepaDebit|usBankAccount)/.test(token)
const OFFLINE: MandateInput = { acceptance: 'offline' }

/** An account paying with `tokens` (default first) and a 1-user subscription: $10.00 due at START. */
async function subscribed(name: string, tokens: string[]) {
  const ctx = await workspace('single', { name: `${name} ws`, start: START })
  await account(ctx, name)
  const methods = []
  for (const token of tokens) methods.push(await addPaymentMethod(await refresh(ctx), stripe, { account: name, source: token, ...(isDebit(token) ? { mandate: OFFLINE } : {}) }))
  await addSubscription(await refresh(ctx), { account: name, items: { users: 1 }, trial: false })
  const customerId = (await ctx.db.get<{ provider_customer_id: string }>('SELECT provider_customer_id FROM billing_accounts'))?.provider_customer_id ?? ''
  return { ctx, methods, customerId }
}

describe('a payment waiting for the customer is never charged twice (issue 22 defect 1)', () => {
  it('R-PAY-1 the customer authenticates the first PaymentIntent, then invoice pay: it is looked up and paid, no second PaymentIntent', async () => {
    const { ctx } = await subscribed('Authenticated', ['pm_card_threeDSecure', 'pm_card_visa'])
    await runTo(ctx, START)
    expect(await attempts(ctx)).toEqual([['run-1', 'Visa ••••3220', 'requires_action', 'authentication_required']])
    const invoice = await firstInvoice(ctx)
    const [first] = intentsOf(invoice?.id)
    fake.authenticate(first?.id ?? '')
    const posted = intentPosts().length
    const paid = await payInvoice(await refresh(ctx), stripe, invoice?.id ?? '')
    expect(paid).toMatchObject({ status: 'paid', amountPaid: { amount: 1000, currency: 'USD' } })
    expect(intentPosts().length).toBe(posted)
    expect(intentsOf(invoice?.id).map((pi) => pi.status)).toEqual(['succeeded'])
    expect(await attempts(ctx)).toEqual([['run-1', 'Visa ••••3220', 'succeeded', null]])
    expect(await subStatus(ctx)).toEqual(['active'])
  })

  it('R-PAY-1 each invoice pay before the customer acts cancels the waiting PaymentIntent first: one can succeed at a time, and the invoice is paid once', async () => {
    const { ctx } = await subscribed('Impatient', ['pm_card_threeDSecure'])
    await runTo(ctx, START)
    const invoice = await firstInvoice(ctx)
    for (let i = 0; i < 3; i++) await expect(payInvoice(await refresh(ctx), stripe, invoice?.id ?? '')).rejects.toMatchObject({ code: 'PAYMENT_ACTION_REQUIRED', exitCode: 5 })
    const intents = intentsOf(invoice?.id)
    expect(intents.map((pi) => pi.status)).toEqual(['canceled', 'canceled', 'canceled', 'requires_action'])
    expect(intents.slice(0, 3).map((pi) => pi.cancellation_reason)).toEqual(['abandoned', 'abandoned', 'abandoned'])
    expect(() => fake.authenticate(intents[0]?.id ?? '')).toThrow(/canceled/)
    fake.authenticate(intents[3]?.id ?? '')
    expect(await payInvoice(await refresh(ctx), stripe, invoice?.id ?? '')).toMatchObject({ status: 'paid' })
    expect((await attempts(ctx))?.map((a) => a[2])).toEqual(['canceled', 'canceled', 'canceled', 'succeeded'])
    await chargedOnce(ctx)
  })

  it('R-PAY-1 a card declined off-session for authentication that the customer completes on-session is found, not charged again', async () => {
    const { ctx } = await subscribed('OnSession', ['pm_card_authenticationRequired'])
    await runTo(ctx, START)
    const invoice = await firstInvoice(ctx)
    expect(await attempts(ctx)).toEqual([['run-1', 'Visa ••••3184', 'requires_action', 'authentication_required']])
    fake.authenticate(intentsOf(invoice?.id)[0]?.id ?? '')
    const posted = intentPosts().length
    expect(await payInvoice(await refresh(ctx), stripe, invoice?.id ?? '')).toMatchObject({ status: 'paid' })
    expect(intentPosts().length).toBe(posted)
    expect(intentsOf(invoice?.id).map((pi) => pi.status)).toEqual(['succeeded'])
  })

  it('R-PAY-1 a payment waiting for the customer on a method removed since is canceled before the next method is charged', async () => {
    const { ctx, methods } = await subscribed('Removed', ['pm_card_threeDSecure', 'pm_card_visa'])
    await runTo(ctx, START)
    const invoice = await firstInvoice(ctx)
    const [waiting] = intentsOf(invoice?.id)
    await removePaymentMethod(await refresh(ctx), stripe, { account: 'Removed', method: methods[0]?.id ?? '' })
    expect(await payInvoice(await refresh(ctx), stripe, invoice?.id ?? '')).toMatchObject({ status: 'paid' })
    expect(fake.paymentIntents.get(waiting?.id ?? '')?.status).toBe('canceled')
    expect(() => fake.authenticate(waiting?.id ?? '')).toThrow(/canceled/)
    expect(intentsOf(invoice?.id).map((pi) => pi.status)).toEqual(['canceled', 'succeeded'])
    await chargedOnce(ctx)
  })

  it('R-PAY-1 when the customer completes it while wsb cancels, the cancel answers succeeded and nothing new is charged', async () => {
    const { ctx } = await subscribed('Race', ['pm_card_threeDSecure'])
    await runTo(ctx, START)
    const invoice = await firstInvoice(ctx)
    const waiting = intentsOf(invoice?.id)[0]?.id ?? ''
    fake.onRequest = (request) => {
      if (request.path !== `/v1/payment_intents/${waiting}/cancel`) return
      fake.onRequest = undefined
      fake.authenticate(waiting)
    }
    const posted = intentPosts().length
    expect(await payInvoice(await refresh(ctx), stripe, invoice?.id ?? '')).toMatchObject({ status: 'paid' })
    expect(intentPosts().length).toBe(posted)
    expect(intentsOf(invoice?.id).map((pi) => pi.status)).toEqual(['succeeded'])
  })

  it('R-PAY-1 the attempt row is committed pending, with its key and time, before the PaymentIntent is requested', async () => {
    const { ctx } = await subscribed('Pending', ['pm_card_visa'])
    const seen: unknown[] = []
    fake.onRequest = async (request) => {
      if (request.method !== 'POST' || request.path !== '/v1/payment_intents') return
      fake.onRequest = undefined
      seen.push(...(await ctx.db.all('SELECT outcome, idempotency_key, at FROM payment_attempts')))
    }
    await runTo(ctx, START)
    const invoice = await firstInvoice(ctx)
    expect(seen).toEqual([{ outcome: 'pending', idempotency_key: `wsb_${invoice?.id}_run-1_${invoice?.payments[0]?.paymentMethodId}`, at: START }])
    expect(await attempts(ctx)).toEqual([['run-1', 'Visa ••••4242', 'succeeded', null]])
  })

  it('R-PAY-1 an attempt left pending (a crash before the answer was recorded) is looked up by its metadata first, also after Stripe forgot the key', async () => {
    const { ctx } = await subscribed('Crashed', ['pm_card_visa'])
    const invoiceId = (await firstInvoice(ctx))?.id ?? ''
    const method = (await listPaymentMethods(await refresh(ctx), 'Crashed')).paymentMethods[0]
    const key = `wsb_${invoiceId}_run-1_${method?.id}`
    // What a process killed between the charge and its record leaves: the pending row, and a PaymentIntent made under its key.
    await ctx.db.write(async () => {
      await ctx.db.run(`INSERT INTO payment_attempts (workspace_id, invoice_id, run, payment_method_id, provider, outcome, amount, currency, idempotency_key, errors, at) VALUES (?, ?, 'run-1', ?, 'stripe', 'pending', 1000, 'USD', ?, 0, ?)`, ctx.workspace.id, invoiceId, method?.id ?? '', key, START)
    })
    const customer = (await ctx.db.get<{ provider_customer_id: string }>('SELECT provider_customer_id FROM billing_accounts'))?.provider_customer_id ?? ''
    await dashboard.paymentIntents.create(
      { amount: 1000, currency: 'usd', customer, payment_method: method?.providerId ?? '', off_session: true, confirm: true, automatic_payment_methods: { enabled: true, allow_redirects: 'never' }, metadata: { wsb_invoice_id: invoiceId, wsb_attempt: key } },
      { idempotencyKey: key },
    )
    fake.advanceTime(25 * HOUR) // Stripe no longer knows the key
    // Meanwhile another method became the default: it is not charged before the pending attempt is looked up.
    const mastercard = await addPaymentMethod(await refresh(ctx), stripe, { account: 'Crashed', source: 'pm_card_mastercard' })
    await setDefaultPaymentMethod(await refresh(ctx), stripe, { account: 'Crashed', method: mastercard.id })
    const posted = intentPosts().length
    await runTo(ctx, START + HOUR)
    expect(intentPosts().length).toBe(posted)
    expect(fake.requests.at(-1)).toMatchObject({ method: 'GET', path: '/v1/payment_intents', query: { customer } })
    expect(await attempts(ctx)).toEqual([['run-1', 'Visa ••••4242', 'succeeded', null]])
    expect((await firstInvoice(ctx))?.status).toBe('paid')
    expect(intentsOf(invoiceId).map((pi) => pi.status)).toEqual(['succeeded'])
  })
})

describe('one bad answer never stops collection for good (issue 22 defects 2, 3, 5)', () => {
  it('SPEC §3 a 400 about the request (parameter_unknown) marks no method, notifies once, is retried with backoff and collects by itself once fixed', async () => {
    const { ctx, methods } = await subscribed('Misconfigured', ['pm_card_visa', 'pm_card_mastercard'])
    const refused = { status: 400, error: { type: 'invalid_request_error' as const, code: 'parameter_unknown', param: 'hooks', message: 'Received unknown parameter: hooks' } }
    fake.failNext(1, refused)
    await runTo(ctx, START)
    expect(await attempts(ctx)).toEqual([['run-1', 'Visa ••••4242', 'error', 'parameter_unknown']])
    expect((await listPaymentMethods(await refresh(ctx), 'Misconfigured')).paymentMethods.map((m) => m.unusable)).toEqual([null, null])
    expect(await kinds(ctx)).toEqual(['payment_request_refused'])
    expect(await subStatus(ctx)).toEqual(['active'])
    expect(await collectSteps(ctx)).toEqual([{ due_at: START + HOUR }])
    // Still broken an hour later (the lookup finds nothing; the retry is refused again): still one notification.
    fake.onRequest = (request) => {
      if (request.method !== 'POST' || request.path !== '/v1/payment_intents') return
      fake.onRequest = undefined
      fake.failNext(1, refused)
    }
    await runTo(ctx, START + HOUR)
    expect(await kinds(ctx)).toEqual(['payment_request_refused'])
    expect(await collectSteps(ctx)).toEqual([{ due_at: START + 3 * HOUR }])
    // Fixed: the next run pays with the default method, under a key of its own.
    await runTo(ctx, START + 3 * HOUR)
    expect(await firstInvoice(ctx)).toMatchObject({ status: 'paid', amountPaid: { amount: 1000, currency: 'USD' } })
    expect(intentPosts().at(-1)?.body.payment_method).toBe(methods[0]?.providerId)
    expect(await subStatus(ctx)).toEqual(['active'])
    await chargedOnce(ctx)
  })

  it('SPEC §3 a method marked unusable by mistake (as a 400 about the request once did) is restored by pm add of the same PaymentMethod, and charged again', async () => {
    const { ctx, methods } = await subscribed('Restored', ['pm_card_visa'])
    await ctx.db.write(async () => await ctx.db.run(`UPDATE payment_methods SET unusable_at = ?, unusable_reason = 'invalid_request'`, START))
    await runTo(ctx, START)
    expect((await firstInvoice(ctx))?.status).toBe('open')
    const again = await addPaymentMethod(await refresh(ctx), stripe, { account: 'Restored', source: methods[0]?.providerId ?? '' })
    expect(again).toMatchObject({ id: methods[0]?.id, unusable: null, isDefault: true })
    expect((await listPaymentMethods(await refresh(ctx), 'Restored')).paymentMethods.length).toBe(1)
    await expect(addPaymentMethod(await refresh(ctx), stripe, { account: 'Restored', source: methods[0]?.providerId ?? '' })).rejects.toMatchObject({ code: 'PAYMENT_METHOD_EXISTS' })
    await payInvoice(await refresh(ctx), stripe, (await firstInvoice(ctx))?.id ?? '')
    expect((await firstInvoice(ctx))?.status).toBe('paid')
    await chargedOnce(ctx)
  })

  it('SPEC §3 a deleted Stripe customer marks no method by itself; pm add makes a new customer, the old methods retire, and collection resumes at once', async () => {
    const { ctx, customerId } = await subscribed('Deleted', ['pm_card_visa'])
    await runTo(ctx, START)
    expect((await firstInvoice(ctx))?.status).toBe('paid')
    const old = (await listPaymentMethods(await refresh(ctx), 'Deleted')).paymentMethods
    fake.deleteCustomer(customerId)
    await runTo(ctx, START + 31 * DAY) // the June invoice is issued and charged
    const june = (await listInvoices(await refresh(ctx))).invoices.find((i) => i.periodStart.startsWith('2026-06'))
    expect(june?.payments.map((p) => [p.outcome, p.declineCode])).toEqual([['error', 'resource_missing']])
    expect(await kinds(ctx)).toContain('payment_customer_missing')
    expect((await listPaymentMethods(await refresh(ctx), 'Deleted')).paymentMethods.map((m) => m.unusable)).toEqual([null])
    // Blocked, nothing is asked of Stripe until pm add: a day later not one request.
    const before = fake.requests.length
    await runTo(ctx, START + 32 * DAY)
    expect(fake.requests.length).toBe(before)
    const added = await addPaymentMethod(await refresh(ctx), stripe, { account: 'Deleted', source: 'pm_card_mastercard' })
    const customers = [...fake.customers.values()].filter((c) => c.metadata.wsb_account_id === old[0]?.accountId)
    expect(customers.length).toBe(1)
    expect(fake.paymentMethods.get(added.providerId)?.object.customer).toBe(customers[0]?.id)
    expect((await listPaymentMethods(await refresh(ctx), 'Deleted')).paymentMethods.map((m) => [m.label, m.unusable?.reason ?? null])).toEqual([
      ['Visa ••••4242', 'customer_deleted'],
      ['Mastercard ••••4444', null],
    ])
    await runTo(ctx, START + 32 * DAY)
    const paid = (await listInvoices(await refresh(ctx))).invoices.find((i) => i.periodStart.startsWith('2026-06'))
    expect(paid).toMatchObject({ status: 'paid' })
    expect(paid?.payments.at(-1)).toMatchObject({ outcome: 'succeeded', method: 'Mastercard ••••4444' })
    await chargedOnce(ctx)
  })

  it('SPEC §3 pm add on a customer deleted in Stripe without wsb knowing makes a new customer and attaches there (no UNKNOWN_PAYMENT_METHOD)', async () => {
    const ctx = await workspace('single', { name: 'Silent ws', start: START })
    await account(ctx, 'Silent')
    await addPaymentMethod(await refresh(ctx), stripe, { account: 'Silent', source: 'pm_card_visa' })
    const first = (await ctx.db.get<{ provider_customer_id: string }>('SELECT provider_customer_id FROM billing_accounts'))?.provider_customer_id ?? ''
    fake.deleteCustomer(first)
    const added = await addPaymentMethod(await refresh(ctx), stripe, { account: 'Silent', source: 'pm_card_amex' })
    const second = (await ctx.db.get<{ provider_customer_id: string }>('SELECT provider_customer_id FROM billing_accounts'))?.provider_customer_id ?? ''
    expect(second).not.toBe(first)
    expect(fake.customers.has(second)).toBe(true)
    expect(fake.paymentMethods.get(added.providerId)?.object.customer).toBe(second)
    expect(fake.requests.filter((r) => r.path === '/v1/customers' && r.method === 'POST').at(-1)?.idempotencyKey).toBe(`wsb-customer-${added.accountId}-after-${first}`)
  })

  it('SPEC §3 a rolled key (401) is notified at once and shown by doctor; collection backs off and resumes by itself with a working key', async () => {
    const key = 'sk_test_wsb_rolled_51Hq0002'
    const rolled = new StripeProvider(key, fake.url)
    const ctx = await workspace('single', { name: 'Rolled ws', start: START })
    await account(ctx, 'Rolled')
    await addPaymentMethod(await refresh(ctx), rolled, { account: 'Rolled', source: 'pm_card_visa' })
    await addSubscription(await refresh(ctx), { account: 'Rolled', items: { users: 1 }, trial: false })
    fake.rejectKey(key, 'expired')
    const run = async (at: number) => await advanceClock(ctx.db, ctx.workspace.id, at, { providers: async () => rolled })
    await run(START)
    expect(await kinds(ctx)).toEqual(['provider_key_rejected'])
    expect((await listNotifications(await refresh(ctx))).notifications[0]?.message).toMatch(/^The Stripe key was rejected \(401 api_key_expired/)
    expect(JSON.stringify(await ctx.db.all('SELECT * FROM notifications'))).not.toContain(key)
    expect(await subStatus(ctx)).toEqual(['active'])
    const doctor = await runDoctor(ctx.db, { workspace: ctx.workspace.id })
    expect(doctor.warnings).toEqual([expect.objectContaining({ check: 'provider-key', ids: { workspaceId: ctx.workspace.id }, message: expect.stringMatching(/^the Stripe key was rejected \(401\) since 2026-05-01T00:00:00.000Z/) })])
    await run(START + 12 * HOUR)
    expect(await collectSteps(ctx)).toEqual([{ due_at: expect.any(Number) }])
    expect(((await collectSteps(ctx))[0]?.due_at ?? 0) - START).toBeGreaterThan(12 * HOUR)
    expect(await kinds(ctx)).toEqual(['provider_key_rejected'])
    fake.acceptKey(key)
    await run(START + 2 * DAY)
    expect((await firstInvoice(ctx))?.status).toBe('paid')
    expect((await runDoctor(ctx.db, { workspace: ctx.workspace.id })).warnings).toEqual([])
    await chargedOnce(ctx)
  })

  it('SPEC §3 a restricted key (403) is a rejected key too, not an outage', async () => {
    const key = 'rk_test_wsb_restricted_0003'
    const restricted = new StripeProvider(key, fake.url)
    const ctx = await workspace('single', { name: 'Restricted ws', start: START })
    await account(ctx, 'Restricted')
    await addPaymentMethod(await refresh(ctx), restricted, { account: 'Restricted', source: 'pm_card_visa' })
    await addSubscription(await refresh(ctx), { account: 'Restricted', items: { users: 1 }, trial: false })
    fake.rejectKey(key, 'restricted', ['GET /v1/payment_intents'])
    await expect(payInvoice(await refresh(ctx), restricted, (await firstInvoice(ctx))?.id ?? '')).rejects.toMatchObject({ code: 'PROVIDER_KEY_REJECTED', exitCode: 5, details: { status: 403 } })
    expect(await kinds(ctx)).toEqual(['provider_key_rejected'])
    fake.acceptKey(key)
  })
})

describe('bank debits (issue 22 defects 6, 7, 8)', () => {
  it('R-PAY-1 a SEPA debit that fails after processing is followed by the next method in the same run, which pays', async () => {
    const { ctx } = await subscribed('DebitThenCard', ['pm_sepaDebit_success', 'pm_card_visa'])
    await runTo(ctx, START)
    const debit = (await firstInvoice(ctx))?.payments[0]?.providerPaymentId ?? ''
    fake.settle(debit, { code: 'insufficient_funds', message: 'The account has insufficient funds.' })
    await runTo(ctx, START + DAY)
    expect(await attempts(ctx)).toEqual([
      ['run-1', 'SEPA debit ••••3000', 'failed', 'insufficient_funds'],
      ['run-1', 'Visa ••••4242', 'succeeded', null],
    ])
    expect(await firstInvoice(ctx)).toMatchObject({ status: 'paid' })
    expect(await subStatus(ctx)).toEqual(['active'])
    expect(await kinds(ctx)).toEqual([])
  })

  it('SPEC §3 a bank debit is saved with its mandate and every debit names it; without one pm add says how to give it', async () => {
    const ctx = await workspace('single', { name: 'Mandates ws', start: START })
    await account(ctx, 'Mandates')
    await expect(addPaymentMethod(await refresh(ctx), stripe, { account: 'Mandates', source: 'pm_sepaDebit_success' })).rejects.toMatchObject({ code: 'MANDATE_REQUIRED', exitCode: 2, message: expect.stringMatching(/--mandate/) })
    expect((await listPaymentMethods(await refresh(ctx), 'Mandates')).paymentMethods).toEqual([])
    const sepa = await addPaymentMethod(await refresh(ctx), stripe, { account: 'Mandates', source: 'pm_sepaDebit_success', mandate: OFFLINE })
    expect(sepa).toMatchObject({ type: 'sepa_debit', brand: 'sepa_debit', label: 'SEPA debit ••••3000', mandateId: expect.stringMatching(/^mandate_/) })
    expect(fake.requests.filter((r) => r.path === '/v1/setup_intents').at(-1)?.body.mandate_data).toEqual({ customer_acceptance: { type: 'offline' } })
    expect(fake.mandates.get(sepa.mandateId ?? '')).toMatchObject({ status: 'active', payment_method: sepa.providerId })
    // A mandate made by the customer's checkout for a method saved there.
    const customer = (await ctx.db.get<{ provider_customer_id: string }>('SELECT provider_customer_id FROM billing_accounts'))?.provider_customer_id ?? ''
    const checkout = await dashboard.setupIntents.create({
      customer, payment_method: 'pm_usBankAccount_success', confirm: true, usage: 'off_session',
      automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
      mandate_data: { customer_acceptance: { type: 'online', online: { ip_address: '203.0.113.7', user_agent: 'Mozilla/5.0' } } },
    })
    const ach = await addPaymentMethod(await refresh(ctx), stripe, { account: 'Mandates', source: checkout.payment_method as string, mandate: { mandateId: checkout.mandate as string } })
    expect(ach).toMatchObject({ type: 'us_bank_account', label: 'US bank account ••••6789', mandateId: checkout.mandate })
    await addSubscription(await refresh(ctx), { account: 'Mandates', items: { users: 1 }, trial: false })
    await runTo(ctx, START)
    expect(intentPosts().at(-1)?.body).toMatchObject({ payment_method: sepa.providerId, mandate: sepa.mandateId, off_session: 'true' })
    expect((await firstInvoice(ctx))?.payments.map((p) => [p.method, p.outcome])).toEqual([['SEPA debit ••••3000', 'processing']])
  })

  it('SPEC §3 a setup still processing is not a refused card; a bank account waiting for micro-deposits says so, not 3-D Secure', async () => {
    fake.addCard('pm_usBankAccount_verifying', { kind: 'us_bank_account', last4: '6789', exp_month: 12, exp_year: 9999, behaviour: 'processing', setupVerification: 'processing' })
    const ctx = await workspace('single', { name: 'Verifying ws', start: START })
    await account(ctx, 'Verifying')
    const processing = addPaymentMethod(await refresh(ctx), stripe, { account: 'Verifying', source: 'pm_usBankAccount_verifying', mandate: OFFLINE })
    await expect(processing).rejects.toMatchObject({ code: 'SETUP_PROCESSING', message: expect.stringMatching(/still verifying .*nothing was refused/) })
    const micro = addPaymentMethod(await refresh(ctx), stripe, { account: 'Verifying', source: 'pm_usBankAccount_microdeposits', mandate: OFFLINE })
    await expect(micro).rejects.toMatchObject({ code: 'SETUP_NEEDS_VERIFICATION', message: expect.stringMatching(/micro-deposits/) })
    await expect(micro).rejects.not.toMatchObject({ message: expect.stringMatching(/3-D Secure/) })
    expect((await listPaymentMethods(await refresh(ctx), 'Verifying')).paymentMethods).toEqual([])
  })

  it('SPEC §3 a SEPA method saved with its bank code as the brand reads as a SEPA debit everywhere', async () => {
    const { ctx } = await subscribed('Legacy', ['pm_sepaDebit_success'])
    await ctx.db.write(async () => await ctx.db.run(`UPDATE payment_methods SET brand = '37040044'`))
    const [method] = (await listPaymentMethods(await refresh(ctx), 'Legacy')).paymentMethods
    expect([method?.brand, method?.label]).toEqual(['sepa_debit', 'SEPA debit ••••3000'])
    await runTo(ctx, START)
    expect((await firstInvoice(ctx))?.payments[0]?.method).toBe('SEPA debit ••••3000')
  })
})

describe('provider retries are bounded in time (issue 21 item 8)', () => {
  it('SPEC §3 during an outage each collect run sends one request and the SDK retries none: 40 days make one request per scheduled run', async () => {
    const { ctx } = await subscribed('LongOutage', ['pm_card_visa'])
    const before = fake.requests.length
    fake.failNext(10_000, 500)
    try {
      await runTo(ctx, START + 40 * DAY)
    } finally {
      fake.clearFailures()
    }
    const sent = fake.requests.slice(before)
    const unavailable = (await ctx.db.all<{ at: number }>(`SELECT at FROM events WHERE kind = 'payment.provider_unavailable' ORDER BY id`)).map((e) => e.at)
    // One request per run: each run's request is its own, answered 500 once (nothing resent by the SDK).
    expect(sent.length).toBe(unavailable.length)
    expect(sent.every((r) => r.status === 500 && r.injected)).toBe(true)
    const posts = sent.filter((r) => r.method === 'POST')
    expect(new Set(posts.map((r) => r.idempotencyKey)).size).toBe(posts.length)
    // Backoff 1 h, 2 h, 4 h … up to a day: about 45 runs in 40 days, not hundreds.
    expect(unavailable.length).toBeGreaterThan(35)
    expect(unavailable.length).toBeLessThan(60)
    const gaps = unavailable.slice(1).map((at, i) => at - (unavailable[i] ?? 0))
    expect(Math.max(...gaps)).toBeLessThanOrEqual(DAY)
    expect(await kinds(ctx)).toEqual([])
    // Stripe back: the next run pays, once.
    await runTo(ctx, START + 42 * DAY)
    expect((await listInvoices(await refresh(ctx))).invoices.every((i) => i.status === 'paid')).toBe(true)
    await chargedOnce(ctx)
  })
})
