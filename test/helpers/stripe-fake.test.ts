// The Stripe fake, driven by the real `stripe` SDK the product will use, so
// what passes here is what the SDK sends and understands.
import http from 'node:http'
import Stripe from 'stripe'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startStripeFake, type RecordedRequest, type StripeEvent, type StripeFake } from './stripe-fake.js'
import { decodeForm } from './stripe-fake-form.js'
import { type Schema, stripeSpec } from './stripe-fake-oas.js'

let fake: StripeFake
let stripe: Stripe

beforeAll(async () => {
  fake = await startStripeFake()
  stripe = new Stripe('sk_test_123', { host: fake.host, port: fake.port, protocol: 'http', maxNetworkRetries: 2 })
})
afterAll(() => fake.close())

/** Awaits a call that must fail and returns its error. */
async function failure(call: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  try {
    await call
  } catch (error) {
    expect(error).toBeInstanceOf(Stripe.errors.StripeError)
    return error as Stripe.errors.StripeError
  }
  throw new Error('expected the call to fail')
}

const lastRequest = (): RecordedRequest => {
  const last = fake.requests.at(-1)
  if (!last) throw new Error('no request recorded')
  return last
}

/** A customer with `token` saved as a card. */
async function customerWithCard(token = 'pm_card_visa') {
  const customer = await stripe.customers.create({ name: 'Acme' })
  const pm = await stripe.paymentMethods.attach(token, { customer: customer.id })
  return { customer, pm }
}

const offSession = (customer: string, payment_method: string, extra: Partial<Stripe.PaymentIntentCreateParams> = {}) =>
  ({ amount: 1999, currency: 'usd', customer, payment_method, off_session: true, confirm: true, allowed_payment_method_types: ['card'], ...extra }) satisfies Stripe.PaymentIntentCreateParams

describe('form decoding', () => {
  it('turns bracket notation into nested objects and arrays', () => {
    expect(decodeForm('name=A+B&metadata[invoice]=in_1&invoice_settings[default_payment_method]=pm_1&expand[]=a&expand[]=b&items[0][price]=p&items[0][quantity]=2&items[1][price]=q')).toEqual({
      name: 'A B',
      metadata: { invoice: 'in_1' },
      invoice_settings: { default_payment_method: 'pm_1' },
      expand: ['a', 'b'],
      items: [{ price: 'p', quantity: '2' }, { price: 'q' }],
    })
    expect(decodeForm('metadata%5Bk%5D=v&list[0]=x&list[5]=y')).toEqual({ metadata: { k: 'v' }, list: { 0: 'x', 5: 'y' } })
  })

  it('rejects duplicates and scalar/container clashes', () => {
    expect(() => decodeForm('name=a&name=b')).toThrow(/duplicate/)
    expect(() => decodeForm('metadata=x&metadata[k]=v')).toThrow(/Conflicting/)
  })
})

describe('the happy path of an off-session payment', () => {
  it('creates a customer, saves a card, makes it the default and charges it', async () => {
    const customer = await stripe.customers.create({ name: 'Acme', email: 'billing@acme.test', metadata: { account: 'acc_1' } })
    expect(customer).toMatchObject({ object: 'customer', name: 'Acme', email: 'billing@acme.test', metadata: { account: 'acc_1' }, livemode: false })
    expect(customer.id).toMatch(/^cus_/)
    expect(customer.invoice_settings.default_payment_method).toBeNull()
    expect(lastRequest().body).toEqual({ name: 'Acme', email: 'billing@acme.test', metadata: { account: 'acc_1' } })
    expect(lastRequest().stripeVersion).toMatch(/^\d{4}-\d{2}-\d{2}/)

    // Attaching a test token creates a new PaymentMethod, as Stripe does.
    const pm = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id })
    expect(pm.id).toMatch(/^pm_/)
    expect(pm.id).not.toBe('pm_card_visa')
    expect(pm).toMatchObject({ customer: customer.id, type: 'card', card: { brand: 'visa', last4: '4242', country: 'US', funding: 'credit' } })
    expect(pm.card?.exp_year).toBeGreaterThan(new Date().getUTCFullYear())

    const updated = await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: pm.id } })
    expect(updated.invoice_settings.default_payment_method).toBe(pm.id)
    expect(lastRequest().body).toEqual({ invoice_settings: { default_payment_method: pm.id } })
    const expanded = await stripe.customers.retrieve(customer.id, { expand: ['invoice_settings.default_payment_method'] })
    expect(lastRequest().query).toEqual({ expand: ['invoice_settings.default_payment_method'] })
    expect(expanded).toMatchObject({ invoice_settings: { default_payment_method: { id: pm.id, card: { last4: '4242' } } } })

    const intent = await stripe.paymentIntents.create(offSession(customer.id, pm.id, { metadata: { invoice: 'inv_42' }, description: 'Invoice 42' }))
    expect(intent).toMatchObject({ object: 'payment_intent', status: 'succeeded', amount: 1999, amount_received: 1999, currency: 'usd', customer: customer.id, payment_method: pm.id })
    expect(intent.latest_charge).toMatch(/^ch_/)
    expect(lastRequest().body.metadata).toEqual({ invoice: 'inv_42' })
    expect(lastRequest().body).toMatchObject({ amount: '1999', off_session: 'true', confirm: 'true', allowed_payment_method_types: ['card'] })
    expect(fake.paymentIntents.get(intent.id)?.status).toBe('succeeded')
  })

  it('retrieves, detaches and refuses to reuse a detached card', async () => {
    const { customer, pm } = await customerWithCard('pm_card_mastercard')
    expect((await stripe.paymentMethods.retrieve(pm.id)).card).toMatchObject({ brand: 'mastercard', last4: '4444' })
    await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: pm.id } })
    expect((await stripe.paymentMethods.detach(pm.id)).customer).toBeNull()
    expect((await stripe.customers.retrieve(customer.id)) as Stripe.Customer).toMatchObject({ invoice_settings: { default_payment_method: null } })
    const error = await failure(stripe.paymentMethods.attach(pm.id, { customer: customer.id }))
    expect(error.message).toMatch(/may not be used again/)
  })

  it('answers 404 resource_missing for unknown ids', async () => {
    const error = await failure(stripe.paymentMethods.retrieve('pm_nope'))
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError)
    expect(error).toMatchObject({ statusCode: 404, code: 'resource_missing', message: "No such PaymentMethod: 'pm_nope'" })
    expect(await failure(stripe.customers.retrieve('cus_nope'))).toMatchObject({ statusCode: 404, message: "No such customer: 'cus_nope'" })
  })
})

describe('ownership rules', () => {
  it('refuses a default payment method that is not attached to the customer', async () => {
    const { pm } = await customerWithCard()
    const other = await stripe.customers.create({ name: 'Other' })
    const error = await failure(stripe.customers.update(other.id, { invoice_settings: { default_payment_method: pm.id } }))
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError)
    expect(error).toMatchObject({ statusCode: 400, param: 'invoice_settings[default_payment_method]' })
    expect(fake.customers.get(other.id)?.invoice_settings.default_payment_method).toBeNull()
  })

  it("refuses to charge another customer's card", async () => {
    const { pm } = await customerWithCard()
    const other = await stripe.customers.create({ name: 'Other' })
    const error = await failure(stripe.paymentIntents.create(offSession(other.id, pm.id)))
    expect(error).toMatchObject({ statusCode: 400, param: 'payment_method' })
    expect(error.message).toMatch(/different Customer/)
  })
})

describe('declines', () => {
  it.each([
    ['pm_card_chargeDeclined', 'card_declined', 'generic_decline'],
    ['pm_card_chargeDeclinedInsufficientFunds', 'card_declined', 'insufficient_funds'],
    ['pm_card_chargeDeclinedExpiredCard', 'expired_card', 'expired_card'],
    ['pm_card_chargeDeclinedIncorrectCvc', 'incorrect_cvc', 'incorrect_cvc'],
    ['pm_card_chargeDeclinedFraudulent', 'card_declined', 'fraudulent'],
  ])('%s declines with %s / %s, already when attached, as in Stripe', async (token, code, declineCode) => {
    const customer = await stripe.customers.create({ name: 'Acme' })
    const attachError = await failure(stripe.paymentMethods.attach(token, { customer: customer.id }))
    expect(attachError).toBeInstanceOf(Stripe.errors.StripeCardError)
    expect(attachError).toMatchObject({ statusCode: 402, type: 'StripeCardError', code, decline_code: declineCode })
    expect([...fake.paymentMethods.values()].some((pm) => pm.object.customer === customer.id)).toBe(false)

    // Charged directly (no customer), the token declines the PaymentIntent.
    const chargeError = await failure(stripe.paymentIntents.create({ amount: 500, currency: 'eur', payment_method: token, confirm: true, allowed_payment_method_types: ['card'] }))
    expect(chargeError).toBeInstanceOf(Stripe.errors.StripeCardError)
    expect(chargeError).toMatchObject({ code, decline_code: declineCode, payment_intent: { status: 'requires_payment_method', payment_method: null } })
    expect(chargeError.doc_url).toMatch(/^https:\/\/stripe.com\/docs\/error-codes\//)
  })

  it('declines a saved card when charged (pm_card_chargeCustomerFail) and keeps the failed intent', async () => {
    const { customer, pm } = await customerWithCard('pm_card_chargeCustomerFail')
    expect(pm.card?.last4).toBe('0341')
    const error = await failure(stripe.paymentIntents.create(offSession(customer.id, pm.id)))
    expect(error).toBeInstanceOf(Stripe.errors.StripeCardError)
    expect(error).toMatchObject({ code: 'card_declined', decline_code: 'generic_decline', message: 'Your card was declined.' })
    const intentId = error.payment_intent?.id ?? ''
    expect(fake.paymentIntents.get(intentId)).toMatchObject({ status: 'requires_payment_method', last_payment_error: { decline_code: 'generic_decline' } })
    expect(error.payment_intent?.latest_charge).toMatch(/^ch_/)
    expect(error.payment_method?.id).toBe(pm.id)
  })

  it('supports custom cards: one that later runs out of funds, one that expires soon, one already expired', async () => {
    fake.addCard('pm_card_laterInsufficientFunds', { brand: 'mastercard', last4: '1111', exp_month: 1, exp_year: 2099, behaviour: { decline_code: 'insufficient_funds' } })
    const { customer, pm } = await customerWithCard('pm_card_laterInsufficientFunds')
    expect(fake.card(pm.id)).toMatchObject({ brand: 'mastercard', last4: '1111' })
    const error = await failure(stripe.paymentIntents.create(offSession(customer.id, pm.id)))
    expect(error).toMatchObject({ code: 'card_declined', decline_code: 'insufficient_funds', message: 'Your card has insufficient funds.' })

    const now = new Date()
    fake.addCard('pm_card_expiringSoon', { exp_month: now.getUTCMonth() + 1, exp_year: now.getUTCFullYear() })
    const soon = await customerWithCard('pm_card_expiringSoon')
    expect(soon.pm.card).toMatchObject({ exp_month: now.getUTCMonth() + 1, exp_year: now.getUTCFullYear() })

    fake.addCard('pm_card_expiredLastYear', { exp_month: 12, exp_year: now.getUTCFullYear() - 1 })
    const expired = await failure(stripe.paymentMethods.attach('pm_card_expiredLastYear', { customer: customer.id }))
    expect(expired).toMatchObject({ code: 'expired_card', decline_code: 'expired_card', param: 'exp_month' })
  })
})

describe('strict validation against the OpenAPI spec', () => {
  it('rejects an unknown parameter, naming it', async () => {
    const before = fake.customers.size
    const error = await failure(stripe.customers.create({ nme: 'x' } as Stripe.CustomerCreateParams))
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError)
    expect(error).toMatchObject({ statusCode: 400, code: 'parameter_unknown', param: 'nme', message: 'Received unknown parameter: nme' })
    expect(fake.customers.size).toBe(before)
  })

  it('rejects an unknown nested parameter', async () => {
    const customer = await stripe.customers.create({})
    const error = await failure(stripe.customers.update(customer.id, { invoice_settings: { default_pm: 'x' } } as Stripe.CustomerUpdateParams))
    expect(error).toMatchObject({ code: 'parameter_unknown', message: 'Received unknown parameter: invoice_settings[default_pm]' })
  })

  it('rejects an unknown query parameter on GET', async () => {
    const customer = await stripe.customers.create({})
    const error = await failure(stripe.customers.retrieve(customer.id, { expnd: ['x'] } as Stripe.CustomerRetrieveParams))
    expect(error).toMatchObject({ statusCode: 400, code: 'parameter_unknown', param: 'expnd' })
  })

  it('rejects missing required parameters', async () => {
    const error = await failure(stripe.paymentIntents.create({ currency: 'usd' } as Stripe.PaymentIntentCreateParams))
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError)
    expect(error).toMatchObject({ statusCode: 400, code: 'parameter_missing', param: 'amount', message: 'Missing required param: amount.' })
    const customerless = await failure(stripe.paymentMethods.attach('pm_card_visa', {} as Stripe.PaymentMethodAttachParams))
    expect(customerless).toMatchObject({ code: 'parameter_missing', param: 'customer' })
  })

  it('checks types: integers, booleans, enums', async () => {
    const amount = await failure(stripe.paymentIntents.create({ amount: '12.5', currency: 'usd' } as unknown as Stripe.PaymentIntentCreateParams))
    expect(amount).toMatchObject({ code: 'parameter_invalid_integer', param: 'amount', message: 'Invalid integer: 12.5' })
    const confirm = await failure(stripe.paymentIntents.create({ amount: 100, currency: 'usd', confirm: 'yes' } as unknown as Stripe.PaymentIntentCreateParams))
    expect(confirm).toMatchObject({ param: 'confirm', message: 'Invalid boolean: yes' })
    const offSessionKind = await failure(stripe.paymentIntents.create({ amount: 100, currency: 'usd', confirm: true, off_session: 'sometimes' } as unknown as Stripe.PaymentIntentCreateParams))
    expect(offSessionKind).toMatchObject({ param: 'off_session' })
  })

  it("applies Stripe's business rules: minimum amount, off_session needs confirm, redirects need return_url", async () => {
    const { customer, pm } = await customerWithCard()
    expect(await failure(stripe.paymentIntents.create(offSession(customer.id, pm.id, { amount: 10 })))).toMatchObject({ code: 'amount_too_small', param: 'amount' })
    expect(await failure(stripe.paymentIntents.create(offSession(customer.id, pm.id, { confirm: false })))).toMatchObject({ param: 'off_session' })
    const { allowed_payment_method_types: _, ...automatic } = offSession(customer.id, pm.id)
    expect((await failure(stripe.paymentIntents.create(automatic))).message).toMatch(/redirect/)
    const noRedirects = await stripe.paymentIntents.create({ ...automatic, automatic_payment_methods: { enabled: true, allow_redirects: 'never' } })
    expect(noRedirects.status).toBe('succeeded')
  })

  it("judges parameters by the request's API version, where the spec (2024-04-10) and the SDK's version differ", async () => {
    const { customer, pm } = await customerWithCard()
    const { allowed_payment_method_types: _, ...base } = offSession(customer.id, pm.id)
    // stripe@23 pins 2026-10-28.endive, which dropped payment_method_types.
    const legacyParams = { ...base, payment_method_types: ['card'] } as Stripe.PaymentIntentCreateParams
    const error = await failure(stripe.paymentIntents.create(legacyParams))
    expect(error).toMatchObject({ code: 'parameter_unknown', param: 'payment_method_types' })
    expect(lastRequest().stripeVersion).toMatch(/^2026-10-28/)
    // A client on the spec's own version may still send it.
    const legacy = new Stripe('sk_test_123', { host: fake.host, port: fake.port, protocol: 'http', apiVersion: '2024-04-10' as Stripe.LatestApiVersion })
    expect((await legacy.paymentIntents.create(legacyParams)).status).toBe('succeeded')
    expect(lastRequest().stripeVersion).toBe('2024-04-10')
    // `coupon` on customers went away in 2025-03-31.basil.
    const coupon = { coupon: 'SAVE10' } as Stripe.CustomerCreateParams
    expect(await failure(stripe.customers.create(coupon))).toMatchObject({ code: 'parameter_unknown', param: 'coupon' })
    expect((await failure(legacy.customers.create(coupon))).message).toMatch(/does not implement 'coupon'/)
  })

  it('answers 404 for URLs Stripe does not have, and says so for ones the fake does not implement', async () => {
    const unknown = await failure(stripe.rawRequest('GET', '/v1/nonsense'))
    expect(unknown).toMatchObject({ statusCode: 404, message: expect.stringMatching(/^Unrecognized request URL \(GET: \/v1\/nonsense\)/) })
    const unimplemented = await failure(stripe.paymentIntents.capture('pi_x'))
    expect(unimplemented.message).toMatch(/does not implement POST \/v1\/payment_intents\/\{intent\}\/capture/)
  })

  it('refuses spec-valid parameters it does not model instead of ignoring them', async () => {
    const error = await failure(stripe.customers.create({ balance: -500 }))
    expect(error).toMatchObject({ statusCode: 400, param: 'balance' })
    expect(error.message).toMatch(/does not implement 'balance'/)
  })

  it('checks expand paths before acting, so a bad one charges nothing', async () => {
    const { customer, pm } = await customerWithCard()
    const count = fake.paymentIntents.size
    const nonsense = await failure(stripe.paymentIntents.create(offSession(customer.id, pm.id, { expand: ['amount'] })))
    expect(nonsense).toMatchObject({ statusCode: 400, message: 'This property cannot be expanded (amount).' })
    const unsupported = await failure(stripe.paymentIntents.create(offSession(customer.id, pm.id, { expand: ['latest_charge'] })))
    expect(unsupported.message).toMatch(/does not implement 'expand\[\]=latest_charge'/)
    expect(fake.paymentIntents.size).toBe(count)
    const expanded = await stripe.paymentIntents.create(offSession(customer.id, pm.id, { expand: ['customer', 'payment_method'] }))
    expect(expanded).toMatchObject({ customer: { id: customer.id }, payment_method: { id: pm.id } })
  })

  it('requires a test secret key', async () => {
    const live = new Stripe('sk_live_123', { host: fake.host, port: fake.port, protocol: 'http' })
    expect(await failure(live.customers.create({}))).toBeInstanceOf(Stripe.errors.StripeAuthenticationError)
    const anonymous = await fetch(`${fake.url}/v1/customers/cus_1`)
    expect(anonymous.status).toBe(401)
    expect(((await anonymous.json()) as { error: { message: string } }).error.message).toMatch(/did not provide an API key/)
  })
})

describe('idempotency', () => {
  it('replays the stored answer for the same key and parameters, without a second side effect', async () => {
    const { customer, pm } = await customerWithCard()
    const params = offSession(customer.id, pm.id, { metadata: { invoice: 'inv_7' } })
    const first = await stripe.paymentIntents.create(params, { idempotencyKey: 'charge-inv_7' })
    const count = fake.paymentIntents.size
    const second = await stripe.paymentIntents.create(params, { idempotencyKey: 'charge-inv_7' })
    expect(second.id).toBe(first.id)
    expect(fake.paymentIntents.size).toBe(count)
    expect(second.lastResponse.headers['idempotent-replayed']).toBe('true')
    expect(lastRequest()).toMatchObject({ idempotencyKey: 'charge-inv_7', replayed: true, status: 200 })
  })

  it('replays declines too', async () => {
    const { customer, pm } = await customerWithCard('pm_card_chargeCustomerFail')
    const params = offSession(customer.id, pm.id)
    const first = await failure(stripe.paymentIntents.create(params, { idempotencyKey: 'decline-1' }))
    const count = fake.paymentIntents.size
    const second = await failure(stripe.paymentIntents.create(params, { idempotencyKey: 'decline-1' }))
    expect(second).toBeInstanceOf(Stripe.errors.StripeCardError)
    expect(second.payment_intent?.id).toBe(first.payment_intent?.id)
    expect(fake.paymentIntents.size).toBe(count)
  })

  it('refuses the same key with different parameters', async () => {
    const { customer, pm } = await customerWithCard()
    await stripe.paymentIntents.create(offSession(customer.id, pm.id), { idempotencyKey: 'charge-x' })
    const error = await failure(stripe.paymentIntents.create(offSession(customer.id, pm.id, { amount: 2500 }), { idempotencyKey: 'charge-x' }))
    expect(error).toBeInstanceOf(Stripe.errors.StripeIdempotencyError)
    expect(error.message).toMatch(/^Keys for idempotent requests can only be used with the same parameters they were first used with/)
  })
})

describe('injected failures and SDK retries', () => {
  it('retries after a dropped connection with the same Idempotency-Key', async () => {
    const before = fake.requests.length
    fake.failNext(1, 'network')
    const customer = await stripe.customers.create({ name: 'Retry Ltd', metadata: { invoice: 'inv_9' } })
    const [dropped, retried] = fake.requests.slice(before)
    expect(fake.requests.length - before).toBe(2)
    expect(dropped).toMatchObject({ status: 0, injected: true, path: '/v1/customers' })
    expect(retried).toMatchObject({ status: 200, injected: false, replayed: false })
    expect(retried?.idempotencyKey).toMatch(/^stripe-node-retry-/)
    expect(retried?.idempotencyKey).toBe(dropped?.idempotencyKey)
    expect(retried?.body.metadata).toEqual({ invoice: 'inv_9' })
    expect(fake.customers.get(customer.id)?.name).toBe('Retry Ltd')
  })

  it('does not charge twice when the answer was lost after the charge', async () => {
    const { customer, pm } = await customerWithCard()
    const count = fake.paymentIntents.size
    const before = fake.requests.length
    fake.failNext(1, 'network', 'after')
    const intent = await stripe.paymentIntents.create(offSession(customer.id, pm.id))
    expect(intent.status).toBe('succeeded')
    expect(fake.paymentIntents.size).toBe(count + 1)
    expect(fake.requests.slice(before).map((r) => [r.status, r.replayed])).toEqual([[0, false], [200, true]])
  })

  it('retries a 500 and gives up after maxNetworkRetries', async () => {
    fake.failNext(1, 500)
    expect((await stripe.customers.create({ name: 'After a 500' })).name).toBe('After a 500')
    fake.failNext(3, 503)
    const error = await failure(stripe.customers.create({ name: 'Never' }))
    expect(error).toBeInstanceOf(Stripe.errors.StripeAPIError)
    expect(error).toMatchObject({ statusCode: 503, message: 'injected' })
    expect(fake.requests.slice(-3).every((r) => r.injected && r.status === 503)).toBe(true)
  })
})

describe('responses use only fields that Stripe documents', () => {
  const spec = stripeSpec()
  const resolve = (schema: Schema): Schema => (schema.$ref ? resolve(spec.components.schemas[schema.$ref.split('/').pop() ?? ''] ?? {}) : schema)

  /** Keys in `value` that its schema does not list, checked recursively through nested objects. */
  function undocumented(value: unknown, schema: Schema, path: string): string[] {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return []
    const candidates = (schema.anyOf ?? [schema]).map(resolve).filter((s) => s.properties)
    const properties = candidates[0]?.properties
    if (!properties) return []
    return Object.entries(value).flatMap(([key, child]) => {
      const childSchema = properties[key]
      return childSchema ? undocumented(child, resolve(childSchema), `${path}.${key}`) : [`${path}.${key}`]
    })
  }
  const check = (value: unknown, name: string) => expect(undocumented(value, resolve({ $ref: name }), name)).toEqual([])

  it('for customers, payment methods, payment intents and card errors', async () => {
    const { customer, pm } = await customerWithCard()
    check(await stripe.customers.retrieve(customer.id), 'customer')
    check(pm, 'payment_method')
    check(await stripe.paymentIntents.create(offSession(customer.id, pm.id)), 'payment_intent')
    const declined = await customerWithCard('pm_card_chargeCustomerFail')
    const error = await failure(stripe.paymentIntents.create(offSession(declined.customer.id, declined.pm.id)))
    const { headers: _h, statusCode: _s, requestId: _r, ...raw } = error.raw as Record<string, unknown>
    check(raw, 'api_errors')
  })

  it('for mandates, setup intents, deleted customers and events', async () => {
    const customer = await stripe.customers.create({})
    const setup = await stripe.setupIntents.create({ customer: customer.id, payment_method: 'pm_sepaDebit_success', confirm: true, usage: 'off_session', mandate_data: { customer_acceptance: { type: 'offline' } } })
    check(setup, 'setup_intent')
    check(await stripe.mandates.retrieve(setup.mandate as string), 'mandate')
    const { lastResponse: _l, ...deleted } = await stripe.customers.del(customer.id)
    check(deleted, 'deleted_customer')
    for (const event of fake.events.slice(-3)) check(event, 'event')
  })
})

describe('state kept as Stripe keeps it', () => {
  it('a requires_action PaymentIntent completes when the customer authenticates, or fails authentication', async () => {
    fake.addCard('pm_card_threeDS', { last4: '3220', exp_month: 12, exp_year: 2099, behaviour: 'requires_action' })
    const { customer, pm } = await customerWithCard('pm_card_threeDS')
    const waiting = await stripe.paymentIntents.create(offSession(customer.id, pm.id))
    expect(waiting).toMatchObject({ status: 'requires_action', next_action: { type: 'use_stripe_sdk' } })
    fake.authenticate(waiting.id)
    expect(await stripe.paymentIntents.retrieve(waiting.id)).toMatchObject({ status: 'succeeded', amount_received: 1999, next_action: null })
    const failing = await stripe.paymentIntents.create(offSession(customer.id, pm.id))
    fake.authenticate(failing.id, 'failed')
    expect(await stripe.paymentIntents.retrieve(failing.id)).toMatchObject({ status: 'requires_payment_method', last_payment_error: { code: 'payment_intent_authentication_failure' } })
    expect(() => fake.authenticate(waiting.id)).toThrow(/succeeded, not waiting/)
    // Declined off-session for authentication, the customer can still complete it on-session.
    const { customer: other, pm: auth } = await customerWithCard('pm_card_authenticationRequired')
    const declined = await failure(stripe.paymentIntents.create(offSession(other.id, auth.id)))
    expect(declined).toMatchObject({ code: 'authentication_required', payment_intent: { status: 'requires_payment_method' } })
    fake.authenticate(declined.payment_intent?.id ?? '')
    expect(await stripe.paymentIntents.retrieve(declined.payment_intent?.id ?? '')).toMatchObject({ status: 'succeeded', payment_method: auth.id })
  })

  it('cancels an intent that can still be paid, and refuses to cancel a succeeded one', async () => {
    fake.addCard('pm_card_threeDS2', { exp_month: 12, exp_year: 2099, behaviour: 'requires_action' })
    const { customer, pm } = await customerWithCard('pm_card_threeDS2')
    const waiting = await stripe.paymentIntents.create(offSession(customer.id, pm.id))
    const canceled = await stripe.paymentIntents.cancel(waiting.id, { cancellation_reason: 'abandoned' })
    expect(canceled).toMatchObject({ status: 'canceled', cancellation_reason: 'abandoned', canceled_at: expect.any(Number) })
    expect(() => fake.authenticate(waiting.id)).toThrow(/canceled/)
    const visa = await customerWithCard()
    const succeeded = await stripe.paymentIntents.create(offSession(visa.customer.id, visa.pm.id))
    const error = await failure(stripe.paymentIntents.cancel(succeeded.id))
    expect(error).toMatchObject({ statusCode: 400, code: 'payment_intent_unexpected_state' })
    expect(error.message).toMatch(/status of succeeded/)
  })

  it('lists newest first in pages: starting_after, ending_before, has_more, and the SDK auto-pagination', async () => {
    const { customer, pm } = await customerWithCard()
    const made: string[] = []
    for (let i = 0; i < 5; i++) made.push((await stripe.paymentIntents.create(offSession(customer.id, pm.id, { metadata: { n: String(i) } }))).id)
    const newestFirst = [...made].reverse()
    const first = await stripe.paymentIntents.list({ customer: customer.id, limit: 2 })
    expect([first.data.map((pi) => pi.id), first.has_more]).toEqual([newestFirst.slice(0, 2), true])
    const second = await stripe.paymentIntents.list({ customer: customer.id, limit: 2, starting_after: newestFirst[1] })
    expect([second.data.map((pi) => pi.id), second.has_more]).toEqual([newestFirst.slice(2, 4), true])
    const last = await stripe.paymentIntents.list({ customer: customer.id, limit: 2, starting_after: newestFirst[3] })
    expect([last.data.map((pi) => pi.id), last.has_more]).toEqual([newestFirst.slice(4), false])
    const back = await stripe.paymentIntents.list({ customer: customer.id, limit: 2, ending_before: newestFirst[4] })
    expect([back.data.map((pi) => pi.id), back.has_more]).toEqual([newestFirst.slice(2, 4), true])
    const all: string[] = []
    for await (const pi of stripe.paymentIntents.list({ customer: customer.id, limit: 2 })) all.push(pi.id)
    expect(all).toEqual(newestFirst)
    expect(await failure(stripe.paymentIntents.list({ starting_after: 'pi_nope' }))).toMatchObject({ statusCode: 404, param: 'starting_after' })
  })

  it("forgets an idempotency key 24 hours later by the fake's own clock, so the same key charges again", async () => {
    const local = await startStripeFake({ now: () => Date.parse('2026-05-01T00:00:00Z') })
    try {
      const client = new Stripe('sk_test_123', { host: local.host, port: local.port, protocol: 'http', maxNetworkRetries: 0 })
      const customer = await client.customers.create({})
      const pm = await client.paymentMethods.attach('pm_card_visa', { customer: customer.id })
      const params = offSession(customer.id, pm.id)
      const first = await client.paymentIntents.create(params, { idempotencyKey: 'k-1' })
      local.advanceTime(24 * 60 * 60 * 1000 - 1)
      expect((await client.paymentIntents.create(params, { idempotencyKey: 'k-1' })).id).toBe(first.id)
      local.advanceTime(1)
      const again = await client.paymentIntents.create(params, { idempotencyKey: 'k-1' })
      expect(again.id).not.toBe(first.id)
      expect(local.paymentIntents.size).toBe(2)
      expect(local.now()).toBe(Date.parse('2026-05-02T00:00:00Z'))
    } finally {
      await local.close()
    }
  })

  it('answers 409 idempotency_key_in_use while the first request with a key is still running', async () => {
    const { customer, pm } = await customerWithCard()
    const client = new Stripe('sk_test_123', { host: fake.host, port: fake.port, protocol: 'http', maxNetworkRetries: 0 })
    let release: () => void = () => {}
    const held = new Promise<void>((resolve) => (release = resolve))
    let arrived: () => void = () => {}
    const firstArrived = new Promise<void>((resolve) => (arrived = resolve))
    fake.onRequest = async (request) => {
      if (request.idempotencyKey !== 'slow-key') return
      fake.onRequest = undefined
      arrived()
      await held
    }
    const first = client.paymentIntents.create(offSession(customer.id, pm.id), { idempotencyKey: 'slow-key' })
    await firstArrived
    const second = await failure(client.paymentIntents.create(offSession(customer.id, pm.id), { idempotencyKey: 'slow-key' }))
    expect(second).toMatchObject({ statusCode: 409, code: 'idempotency_key_in_use' })
    release()
    const done = await first
    expect(done.status).toBe('succeeded')
    // Once answered, the key replays.
    expect((await client.paymentIntents.create(offSession(customer.id, pm.id), { idempotencyKey: 'slow-key' })).id).toBe(done.id)
  })

  it('deletes a customer: retrieving it says deleted, using it is resource_missing on param customer, its methods are detached', async () => {
    const { customer, pm } = await customerWithCard()
    expect(await stripe.customers.del(customer.id)).toMatchObject({ id: customer.id, deleted: true })
    expect(await stripe.customers.retrieve(customer.id)).toMatchObject({ id: customer.id, deleted: true })
    const charge = await failure(stripe.paymentIntents.create(offSession(customer.id, pm.id)))
    expect(charge).toMatchObject({ statusCode: 404, code: 'resource_missing', param: 'customer' })
    const setup = await failure(stripe.setupIntents.create({ customer: customer.id, payment_method: 'pm_card_visa', confirm: true, usage: 'off_session' }))
    expect(setup).toMatchObject({ code: 'resource_missing', param: 'customer' })
    expect(fake.paymentMethods.get(pm.id)?.object.customer).toBeNull()
    expect(fake.events.at(-1)).toMatchObject({ type: 'customer.deleted', data: { object: { id: customer.id } } })
    const other = await customerWithCard()
    fake.deleteCustomer(other.customer.id)
    expect(await failure(stripe.customers.update(other.customer.id, { name: 'x' }))).toMatchObject({ code: 'resource_missing' })
  })

  it('refuses a rolled key with 401 and a restricted one with 403 outside its permissions', async () => {
    const key = 'sk_test_rolled_0000000001'
    const client = new Stripe(key, { host: fake.host, port: fake.port, protocol: 'http', maxNetworkRetries: 0 })
    await client.customers.create({})
    fake.rejectKey(key, 'expired')
    const expired = await failure(client.customers.create({}))
    expect(expired).toBeInstanceOf(Stripe.errors.StripeAuthenticationError)
    expect(expired).toMatchObject({ statusCode: 401, code: 'api_key_expired' })
    expect(expired.message).not.toContain(key)
    fake.acceptKey(key)
    await client.customers.create({})
    const restricted = 'rk_test_restricted_00000002'
    const limited = new Stripe(restricted, { host: fake.host, port: fake.port, protocol: 'http', maxNetworkRetries: 0 })
    fake.rejectKey(restricted, 'restricted', ['GET /v1/payment_intents'])
    expect((await limited.paymentIntents.list({ limit: 1 })).object).toBe('list')
    const denied = await failure(limited.customers.create({}))
    expect(denied).toBeInstanceOf(Stripe.errors.StripePermissionError)
    expect(denied).toMatchObject({ statusCode: 403 })
  })

  it('bank debits need a mandate: the SetupIntent takes mandate_data and makes one; an off-session debit names it', async () => {
    const customer = await stripe.customers.create({})
    const setup = { customer: customer.id, payment_method: 'pm_sepaDebit_success', confirm: true, usage: 'off_session' as const, automatic_payment_methods: { enabled: true, allow_redirects: 'never' as const } }
    expect(await failure(stripe.setupIntents.create(setup))).toMatchObject({ statusCode: 400, param: 'mandate_data' })
    const saved = await stripe.setupIntents.create({ ...setup, mandate_data: { customer_acceptance: { type: 'offline' } }, expand: ['payment_method'] })
    expect(saved).toMatchObject({ status: 'succeeded', mandate: expect.stringMatching(/^mandate_/) })
    const pm = saved.payment_method as Stripe.PaymentMethod
    expect(pm).toMatchObject({ type: 'sepa_debit', sepa_debit: { last4: '3000' }, customer: customer.id })
    expect(await stripe.mandates.retrieve(saved.mandate as string)).toMatchObject({ status: 'active', payment_method: pm.id, customer_acceptance: { type: 'offline' }, payment_method_details: { type: 'sepa_debit' } })
    const debit = { amount: 1999, currency: 'eur', customer: customer.id, payment_method: pm.id, off_session: true, confirm: true, automatic_payment_methods: { enabled: true, allow_redirects: 'never' as const } }
    expect(await failure(stripe.paymentIntents.create(debit))).toMatchObject({ statusCode: 400, param: 'mandate' })
    expect(await failure(stripe.paymentIntents.create({ ...debit, mandate: 'mandate_nope' }))).toMatchObject({ statusCode: 404, param: 'mandate' })
    const intent = await stripe.paymentIntents.create({ ...debit, mandate: saved.mandate as string })
    expect(intent).toMatchObject({ status: 'processing' })
    fake.settle(intent.id, { code: 'insufficient_funds', message: 'The account has insufficient funds.' })
    expect(fake.events.slice(-2).map((e) => e.type)).toEqual(['payment_intent.processing', 'payment_intent.payment_failed'])
    // An ACH account verified by micro-deposits waits for the customer; the online acceptance is kept.
    const micro = await stripe.setupIntents.create({ ...setup, payment_method: 'pm_usBankAccount_microdeposits', mandate_data: { customer_acceptance: { type: 'online', online: { ip_address: '203.0.113.7', user_agent: 'Mozilla/5.0' } } } })
    expect(micro).toMatchObject({ status: 'requires_action', next_action: { type: 'verify_with_microdeposits' } })
    fake.addCard('pm_usBankAccount_verifying', { kind: 'us_bank_account', exp_month: 12, exp_year: 9999, behaviour: 'processing', setupVerification: 'processing' })
    expect((await stripe.setupIntents.create({ ...setup, payment_method: 'pm_usBankAccount_verifying', mandate_data: { customer_acceptance: { type: 'offline' } } })).status).toBe('processing')
  })
})

describe('events and webhooks', () => {
  const secret = 'whsec_test_fake_0001'

  it('records each change as an event and signs it the way Stripe does (Stripe-Signature t=…,v1=HMAC-SHA256)', async () => {
    const before = fake.events.length
    const { customer, pm } = await customerWithCard()
    const intent = await stripe.paymentIntents.create(offSession(customer.id, pm.id))
    const events = fake.events.slice(before)
    expect(events.map((e) => e.type)).toEqual(['payment_intent.created', 'payment_intent.succeeded'])
    const succeeded = events[1] as (typeof events)[number]
    expect(succeeded).toMatchObject({ object: 'event', id: expect.stringMatching(/^evt_/), data: { object: { id: intent.id, status: 'succeeded' } }, api_version: expect.stringMatching(/^2026-10-28/) })
    const { payload, signature } = fake.sign(succeeded, secret, 1_700_000_000)
    expect(signature).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/)
    const { createHmac } = await import('node:crypto')
    expect(signature.split('v1=')[1]).toBe(createHmac('sha256', secret).update(`1700000000.${payload}`).digest('hex'))
    // The SDK's own verification accepts a fresh one and refuses a wrong secret.
    const fresh = fake.sign(succeeded, secret)
    expect(Stripe.webhooks.constructEvent(fresh.payload, fresh.signature, secret).id).toBe(succeeded.id)
    expect(() => Stripe.webhooks.constructEvent(fresh.payload, fresh.signature, 'whsec_other')).toThrow()
  })

  it('sends a signed event to a URL and returns its answer', async () => {
    const received: { body: string; signature: string | undefined }[] = []
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        received.push({ body: Buffer.concat(chunks).toString('utf8'), signature: req.headers['stripe-signature'] as string | undefined })
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"received":true}')
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const { port } = server.address() as import('node:net').AddressInfo
      const event = fake.events.at(-1) as StripeEvent
      expect(await fake.send(event, `http://127.0.0.1:${port}/v1/stripe/webhook`, secret)).toEqual({ status: 200, body: '{"received":true}' })
      expect(Stripe.webhooks.constructEvent(received[0]?.body ?? '', received[0]?.signature ?? '', secret).id).toBe(event.id)
    } finally {
      server.close()
    }
  })
})
