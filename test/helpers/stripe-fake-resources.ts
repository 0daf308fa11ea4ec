// The endpoints the fake implements, with Stripe's business rules
// (ownership of payment methods, declines, amount limits) so the product
// meets the same failures it would in production.
import { type Decline, declineAt, declineMessage, declineParam } from './stripe-fake-cards.js'
import { StripeApiError, docUrl, invalidRequest, noSuch, notModelled } from './stripe-fake-errors.js'
import { type Param, type Params, apiDate } from './stripe-fake-oas.js'
import { type Address, type Customer, type Mandate, type PaymentIntent, type PaymentMethod, type StoredPaymentMethod, type StripeFakeState, newId, nullAddress } from './stripe-fake-state.js'

// ---- parameter helpers: the values were already type-checked against the spec

const str = (params: Params, key: string): string | undefined => (typeof params[key] === 'string' ? (params[key] as string) : undefined)
/** Stripe unsets a nullable field when it receives an empty string. */
const nullable = (value: Param | undefined): string | null | undefined => (value === undefined ? undefined : value === '' ? null : String(value))
const hash = (value: Param | undefined): Params | undefined =>
  value !== undefined && typeof value === 'object' && !Array.isArray(value) ? value : undefined

/** Rejects parameters that the spec allows but this endpoint does not model. */
function onlyModelled(params: Params, endpoint: string, allowed: readonly string[]): void {
  const topLevel = new Set(allowed.map((a) => a.split('[')[0]))
  for (const [key, value] of Object.entries(params)) {
    if (!topLevel.has(key)) throw notModelled(key, endpoint)
    const nested = allowed.filter((a) => a.startsWith(`${key}[`)).map((a) => a.slice(key.length + 1, -1))
    const inner = hash(value)
    if (nested.length && inner) for (const sub of Object.keys(inner)) if (!nested.includes(sub)) throw notModelled(`${key}[${sub}]`, endpoint)
  }
}

/** Stripe's metadata rules: `''` unsets a key, and `metadata=''` clears them all. */
function mergeMetadata(current: Record<string, string>, update: Param | undefined): Record<string, string> {
  if (update === undefined) return current
  if (update === '') return {}
  const next = { ...current }
  for (const [key, value] of Object.entries(hash(update) ?? {})) {
    if (key.length > 40) throw invalidRequest(`Metadata keys can have up to 40 characters; '${key}' has ${key.length}.`, { param: `metadata[${key}]` })
    if (String(value).length > 500)
      throw invalidRequest(`Metadata values can have up to 500 characters, but you passed in a value that is ${String(value).length} characters.`, { param: `metadata[${key}]` })
    if (value === '') delete next[key]
    else next[key] = String(value)
  }
  if (Object.keys(next).length > 50) throw invalidRequest('You can have up to 50 metadata keys.', { param: 'metadata' })
  return next
}

function address(value: Param | undefined): Address | null | undefined {
  if (value === undefined) return undefined
  const given = hash(value)
  if (!given) return null
  const result = nullAddress()
  for (const key of Object.keys(result) as (keyof Address)[]) if (typeof given[key] === 'string') result[key] = given[key] as string
  return result
}

function cardError(decline: Decline, extra: { charge?: string; payment_intent?: PaymentIntent; payment_method?: PaymentMethod } = {}) {
  const param = declineParam(decline)
  return {
    type: 'card_error' as const,
    code: decline.code,
    decline_code: decline.decline_code,
    message: declineMessage(decline),
    doc_url: docUrl(decline.code),
    ...(param ? { param } : {}),
    ...extra,
  }
}

// ---- endpoints

export type HandlerInput = { state: StripeFakeState; params: Params; path: Record<string, string>; apiVersion: string | undefined }
export type Handler = (input: HandlerInput) => object

const CUSTOMER_PARAMS = ['name', 'email', 'description', 'phone', 'metadata', 'address', 'preferred_locales', 'invoice_settings[default_payment_method]', 'invoice_settings[footer]', 'expand'] as const

/** `aliases` maps a test token to the PaymentMethod it became earlier in the same request. */
function applyCustomerParams(state: StripeFakeState, customer: Customer, params: Params, aliases: Record<string, string> = {}): void {
  for (const key of ['name', 'email', 'description', 'phone'] as const) {
    const value = nullable(params[key])
    if (value !== undefined) customer[key] = value
  }
  const addr = address(params.address)
  if (addr !== undefined) customer.address = addr
  if (Array.isArray(params.preferred_locales)) customer.preferred_locales = params.preferred_locales.map(String)
  customer.metadata = mergeMetadata(customer.metadata, params.metadata)
  const settings = hash(params.invoice_settings) ?? {}
  const footer = nullable(settings.footer)
  if (footer !== undefined) customer.invoice_settings.footer = footer
  const given = nullable(settings.default_payment_method)
  const defaultPm = given ? (aliases[given] ?? given) : given
  if (defaultPm) {
    const pm = state.paymentMethods.get(defaultPm)
    const justAttached = Object.values(aliases).includes(defaultPm)
    if (!justAttached && pm?.object.customer !== customer.id)
      throw invalidRequest(`The customer does not have a payment method with the ID ${defaultPm}. The payment method must be attached to the customer.`, {
        code: 'resource_missing',
        param: 'invoice_settings[default_payment_method]',
        doc_url: docUrl('resource_missing'),
      })
  }
  if (defaultPm !== undefined) customer.invoice_settings.default_payment_method = defaultPm
}

/** Attaching runs a card check in Stripe: declining test cards fail here already. */
function attach(state: StripeFakeState, pm: StoredPaymentMethod, customer: Customer): PaymentMethod {
  if (!pm.usable)
    throw invalidRequest(
      'This PaymentMethod was previously used without being attached to a Customer or was detached from a Customer, and may not be used again.',
    )
  if (pm.object.customer === customer.id) return pm.object
  if (pm.object.customer) throw invalidRequest('The payment method you provided has already been attached to a customer.')
  const decline = declineAt(pm.card, 'attach', state.now())
  if (decline) throw new StripeApiError(402, cardError(decline))
  pm.object.customer = customer.id
  return pm.object
}

const createCustomer: Handler = ({ state, params }) => {
  onlyModelled(params, 'POST /v1/customers', [...CUSTOMER_PARAMS, 'payment_method'])
  const customer: Customer = {
    id: newId('cus', 14),
    object: 'customer',
    address: null,
    balance: 0,
    created: state.seconds(),
    currency: null,
    default_source: null,
    delinquent: false,
    description: null,
    discount: null,
    email: null,
    invoice_prefix: newId('x', 8).slice(2).toUpperCase(),
    invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
    livemode: false,
    metadata: {},
    name: null,
    next_invoice_sequence: 1,
    phone: null,
    preferred_locales: [],
    shipping: null,
    tax_exempt: 'none',
    test_clock: null,
  }
  // `payment_method` attaches on creation, and `invoice_settings[default_payment_method]`
  // may name the same token; a decline or a bad default fails the whole request.
  const pmId = str(params, 'payment_method')
  const pm = pmId ? state.paymentMethod(pmId, 'payment_method') : undefined
  if (pm) attach(state, pm, customer)
  try {
    applyCustomerParams(state, customer, params, pmId && pm ? { [pmId]: pm.object.id } : {})
  } catch (error) {
    if (pm) pm.object.customer = null
    throw error
  }
  if (pm) state.remember(pm)
  state.customers.set(customer.id, customer)
  return customer
}

const updateCustomer: Handler = ({ state, params, path }) => {
  onlyModelled(params, 'POST /v1/customers/{customer}', CUSTOMER_PARAMS)
  const customer = state.customer(path.customer ?? '')
  // Validate on a copy so a rejected update changes nothing.
  const next = structuredClone(customer)
  applyCustomerParams(state, next, params)
  Object.assign(customer, next)
  return customer
}

// Retrieving a test token gives a new PaymentMethod each time, as in Stripe.
const retrievePaymentMethod: Handler = ({ state, path }) => state.remember(state.paymentMethod(path.payment_method ?? '', 'payment_method')).object

const attachPaymentMethod: Handler = ({ state, params, path }) => {
  const customer = state.customer(String(params.customer), 'customer')
  const pm = state.paymentMethod(path.payment_method ?? '', 'payment_method')
  attach(state, pm, customer)
  return state.remember(pm).object
}

export const detachPaymentMethod: Handler = ({ state, path }) => {
  const pm = state.paymentMethods.get(path.payment_method ?? '')
  if (!pm) throw noSuch('PaymentMethod', path.payment_method ?? '', 'payment_method')
  const owner = pm.object.customer
  if (!owner) throw invalidRequest('The payment method you provided is not attached to a customer so detachment is impossible.')
  const customer = state.customers.get(owner)
  if (customer?.invoice_settings.default_payment_method === pm.object.id) customer.invoice_settings.default_payment_method = null
  pm.object.customer = null
  pm.usable = false
  state.emit('payment_method.detached', pm.object)
  return pm.object
}

/** DELETE /v1/customers/:id: the customer is gone, its payment methods detached (never usable again). */
export function deleteCustomer(state: StripeFakeState, id: string): { id: string; object: 'customer'; deleted: true } {
  const customer = state.customer(id)
  for (const pm of state.paymentMethods.values()) {
    if (pm.object.customer !== id) continue
    pm.object.customer = null
    pm.usable = false
  }
  state.customers.delete(id)
  state.deletedCustomers.add(id)
  state.emit('customer.deleted', customer)
  return { id, object: 'customer', deleted: true }
}

/** A deleted customer retrieves as `{ deleted: true }`, as in Stripe; using it anywhere else is resource_missing. */
const retrieveCustomer: Handler = ({ state, path }) => {
  const id = path.customer ?? ''
  if (state.deletedCustomers.has(id)) return { id, object: 'customer', deleted: true }
  return state.customer(id)
}

/** Minimum charge amounts per currency (smallest unit), from Stripe's docs; others default to 1. */
const MINIMUM_AMOUNT: Record<string, [number, string]> = {
  usd: [50, '$0.50'],
  eur: [50, '€0.50'],
  gbp: [30, '£0.30'],
  cad: [50, '$0.50'],
  aud: [50, '$0.50'],
  chf: [50, '0.50 Fr'],
  jpy: [50, '¥50'],
}
const CURRENCIES = new Set(Intl.supportedValuesOf('currency').map((c) => c.toLowerCase()))

const PAYMENT_INTENT_PARAMS = [
  'amount', 'currency', 'customer', 'payment_method', 'confirm', 'off_session', 'metadata', 'description', 'mandate', 'mandate_data',
  'payment_method_types', 'allowed_payment_method_types', 'automatic_payment_methods', 'return_url', 'receipt_email', 'statement_descriptor',
  'statement_descriptor_suffix', 'expand',
] as const

const createPaymentIntent: Handler = ({ state, params, apiVersion }) => {
  onlyModelled(params, 'POST /v1/payment_intents', PAYMENT_INTENT_PARAMS)
  const amount = Number(params.amount)
  const currency = String(params.currency).toLowerCase()
  if (!CURRENCIES.has(currency)) throw invalidRequest(`Invalid currency: ${currency}.`, { param: 'currency' })
  const [minimum, shown] = MINIMUM_AMOUNT[currency] ?? [1, '1']
  if (amount < minimum)
    throw invalidRequest(`Amount must be at least ${shown} ${currency}`, { code: 'amount_too_small', param: 'amount', doc_url: docUrl('amount_too_small') })
  if (amount > 99_999_999)
    throw invalidRequest('Amount must be no more than 99999999', { code: 'amount_too_large', param: 'amount', doc_url: docUrl('amount_too_large') })
  // `allowed_payment_method_types` replaced `payment_method_types` in API 2026-09-30.endive.
  const typesParam = params.allowed_payment_method_types !== undefined ? 'allowed_payment_method_types' : 'payment_method_types'
  const given = params[typesParam]
  const types = Array.isArray(given) ? given.map(String) : undefined
  const automatic = hash(params.automatic_payment_methods)
  if (types && automatic)
    throw invalidRequest(`You may only specify one of these parameters: automatic_payment_methods, ${typesParam}.`, { code: 'parameters_exclusive' })
  if (types?.some((t) => !['card', 'sepa_debit', 'us_bank_account'].includes(t))) throw notModelled(`${typesParam} other than card, sepa_debit, us_bank_account`, 'POST /v1/payment_intents')
  const confirm = params.confirm === true
  const offSession = params.off_session !== undefined && params.off_session !== false
  if (offSession && !confirm) throw invalidRequest('You can only pass `off_session` when `confirm` is true.', { param: 'off_session' })
  const customer = params.customer === undefined ? undefined : state.customer(String(params.customer), 'customer')

  const pmId = str(params, 'payment_method')
  const pm = pmId ? state.paymentMethod(pmId, 'payment_method') : undefined
  if (pm && !pm.usable)
    throw invalidRequest(
      'The provided PaymentMethod was previously used with a PaymentIntent without Customer attachment, or was detached from a Customer. It may not be used again. To use a PaymentMethod multiple times, you must attach it to a Customer first.',
      { param: 'payment_method' },
    )
  const owner = pm?.object.customer ?? null
  if (pm && owner && customer && owner !== customer.id)
    throw invalidRequest(`The provided PaymentMethod belongs to a different Customer (${owner}); it cannot be used with ${customer.id}.`, { param: 'payment_method' })
  if (pm && owner && !customer)
    throw invalidRequest(`The provided PaymentMethod is attached to Customer ${owner}; pass customer=${owner} to use it.`, { param: 'customer' })
  // Stricter than Stripe on purpose: the product charges saved cards only.
  if (pm && customer && !owner)
    throw invalidRequest(`The PaymentMethod ${pm.object.id} is not attached to Customer ${customer.id}; attach it first (the Stripe fake requires saved cards for customer payments).`, {
      param: 'payment_method',
    })

  const intent: PaymentIntent = {
    id: newId('pi'),
    object: 'payment_intent',
    amount,
    amount_capturable: 0,
    amount_details: { tip: {} },
    amount_received: 0,
    application: null,
    application_fee_amount: null,
    // Since API 2023-08-16 Stripe turns automatic payment methods on unless types are given.
    automatic_payment_methods:
      types || (!automatic && apiDate(apiVersion) < '2023-08-16')
        ? null
        : { enabled: automatic?.enabled !== false, allow_redirects: String(automatic?.allow_redirects ?? 'always') },
    canceled_at: null,
    cancellation_reason: null,
    capture_method: 'automatic',
    client_secret: '',
    confirmation_method: 'automatic',
    created: state.seconds(),
    currency,
    customer: customer?.id ?? null,
    description: nullable(params.description) ?? null,
    last_payment_error: null,
    latest_charge: null,
    livemode: false,
    metadata: mergeMetadata({}, params.metadata),
    next_action: null,
    on_behalf_of: null,
    payment_method: pm?.object.id ?? null,
    payment_method_configuration_details: null,
    payment_method_options: { card: { installments: null, mandate_options: null, network: null, request_three_d_secure: 'automatic' } },
    payment_method_types: types ?? ['card'],
    processing: null,
    receipt_email: nullable(params.receipt_email) ?? null,
    review: null,
    setup_future_usage: null,
    shipping: null,
    statement_descriptor: nullable(params.statement_descriptor) ?? null,
    statement_descriptor_suffix: nullable(params.statement_descriptor_suffix) ?? null,
    status: pm ? 'requires_confirmation' : 'requires_payment_method',
    transfer_data: null,
    transfer_group: null,
  }
  intent.client_secret = `${intent.id}_secret_${newId('x').slice(2)}`
  if (!confirm) {
    state.paymentIntents.set(intent.id, intent)
    return intent
  }
  if (!pm)
    throw invalidRequest(
      "You cannot confirm this PaymentIntent because it's missing a payment method. To confirm the PaymentIntent, specify a payment method attached to the customer along with the customer ID.",
      { code: 'payment_intent_unexpected_state', param: 'payment_method' },
    )
  const redirects = intent.automatic_payment_methods?.enabled && intent.automatic_payment_methods.allow_redirects !== 'never'
  if (redirects && params.return_url === undefined)
    throw invalidRequest(
      'This PaymentIntent is configured to accept payment methods enabled in your Dashboard, some of which may require a full page redirect to succeed. If you do not want to accept redirect-based payment methods, set `automatic_payment_methods[enabled]` to `true` and `automatic_payment_methods[allow_redirects]` to `never` when creating Setup Intents and Payment Intents.',
    )

  const mandate = debitMandate(state, pm, params, offSession)
  if (types && !types.includes(pm.object.type))
    throw invalidRequest(`The PaymentMethod type ${pm.object.type} is not in ${typesParam} (${types.join(', ')}).`, { param: 'payment_method' })

  // Charging a card that is not saved to a customer uses it up, as in Stripe.
  state.remember(pm)
  if (mandate) state.mandates.set(mandate.id, mandate)
  state.emit('payment_intent.created', intent)
  if (!owner) pm.usable = false
  intent.latest_charge = newId('ch')
  intent.payment_method_types = types ?? [pm.object.type]
  const decline = declineAt(pm.card, 'charge', state.now())
  if (!decline && pm.card.behaviour === 'processing') {
    // A bank debit: the money moves days later; the test settles it with fake.settle().
    intent.status = 'processing'
    intent.processing = { type: pm.object.type }
    state.paymentIntents.set(intent.id, intent)
    state.emit('payment_intent.processing', intent)
    return intent
  }
  if (!decline && pm.card.behaviour === 'requires_action') {
    intent.status = 'requires_action'
    intent.next_action = { type: 'use_stripe_sdk', use_stripe_sdk: { type: 'three_d_secure_redirect' } }
    state.paymentIntents.set(intent.id, intent)
    state.emit('payment_intent.requires_action', intent)
    return intent
  }
  if (!decline) {
    intent.status = 'succeeded'
    intent.amount_received = amount
    state.paymentIntents.set(intent.id, intent)
    state.emit('payment_intent.succeeded', intent)
    return intent
  }
  // A declined intent keeps the failed charge and drops the payment method.
  intent.status = 'requires_payment_method'
  intent.payment_method = null
  intent.last_payment_error = cardError(decline, { charge: intent.latest_charge, payment_method: pm.object })
  state.paymentIntents.set(intent.id, intent)
  state.emit('payment_intent.payment_failed', intent)
  throw new StripeApiError(402, cardError(decline, { charge: intent.latest_charge, payment_intent: intent, payment_method: pm.object }))
}

/**
 * A SetupIntent confirmed at once (`usage: off_session`): Stripe runs the card
 * check and attaches the PaymentMethod to the customer, or answers
 * `requires_action` when the bank wants 3-D Secure at setup (nothing attached).
 */
const createSetupIntent: Handler = ({ state, params }) => {
  onlyModelled(params, 'POST /v1/setup_intents', ['customer', 'payment_method', 'usage', 'confirm', 'automatic_payment_methods', 'metadata', 'expand', 'mandate_data'])
  const customer = params.customer === undefined ? undefined : state.customer(String(params.customer), 'customer')
  const pmId = str(params, 'payment_method')
  const pm = pmId ? state.paymentMethod(pmId, 'payment_method') : undefined
  if (params.confirm !== true || !pm || !customer) throw notModelled('a SetupIntent that is not confirmed at once with a payment_method and a customer', 'POST /v1/setup_intents')
  const automatic = hash(params.automatic_payment_methods)
  const intent: Record<string, unknown> = {
    id: newId('seti'),
    object: 'setup_intent',
    application: null,
    automatic_payment_methods: automatic ? { enabled: automatic.enabled !== false, allow_redirects: String(automatic.allow_redirects ?? 'always') } : null,
    cancellation_reason: null,
    client_secret: '',
    created: state.seconds(),
    customer: customer.id,
    description: null,
    flow_directions: null,
    last_setup_error: null,
    latest_attempt: null,
    livemode: false,
    mandate: null,
    metadata: mergeMetadata({}, params.metadata),
    next_action: null,
    on_behalf_of: null,
    payment_method: pm.object.id,
    payment_method_configuration_details: null,
    payment_method_options: {},
    payment_method_types: [pm.object.type],
    single_use_mandate: null,
    status: 'succeeded',
    usage: String(params.usage ?? 'off_session'),
  }
  intent.client_secret = `${intent.id}_secret_${newId('x').slice(2)}`
  const debit = pm.object.type !== 'card'
  if (debit && params.mandate_data === undefined)
    throw invalidRequest(
      `Confirming a SetupIntent with a ${pm.object.type} PaymentMethod requires mandate_data: the customer's acceptance of the mandate (customer_acceptance[type] online with ip_address and user_agent, or offline).`,
      { param: 'mandate_data' },
    )
  if (!debit && params.mandate_data !== undefined) throw notModelled('mandate_data for a card', 'POST /v1/setup_intents')
  state.remember(pm)
  if (pm.card.setupVerification === 'microdeposits') {
    intent.status = 'requires_action'
    intent.next_action = {
      type: 'verify_with_microdeposits',
      verify_with_microdeposits: { arrival_date: state.seconds() + 2 * 86400, hosted_verification_url: `https://payments.stripe.com/microdeposit/${intent.id}`, microdeposit_type: 'descriptor_code' },
    }
    state.setupIntents.set(String(intent.id), intent)
    return intent
  }
  if (pm.card.setupVerification === 'processing') {
    intent.status = 'processing'
    state.setupIntents.set(String(intent.id), intent)
    return intent
  }
  if (pm.card.setupAuthentication) {
    intent.status = 'requires_action'
    intent.next_action = { type: 'use_stripe_sdk', use_stripe_sdk: { type: 'three_d_secure_redirect' } }
    state.setupIntents.set(String(intent.id), intent)
    return intent
  }
  try {
    attach(state, pm, customer)
  } catch (error) {
    if (error instanceof StripeApiError && error.body.type === 'card_error') {
      intent.status = 'requires_payment_method'
      intent.payment_method = null
      intent.last_setup_error = error.body
      state.setupIntents.set(String(intent.id), intent)
      throw new StripeApiError(402, { ...error.body, setup_intent: intent })
    }
    throw error
  }
  if (debit) {
    const mandate = newMandate(state, pm, hash(params.mandate_data) ?? {})
    state.mandates.set(mandate.id, mandate)
    intent.mandate = mandate.id
  }
  state.setupIntents.set(String(intent.id), intent)
  state.emit('setup_intent.succeeded', intent)
  return intent
}

/** A multi-use mandate for a bank debit PaymentMethod from `mandate_data` (already checked against the spec). */
function newMandate(state: StripeFakeState, pm: StoredPaymentMethod, data: Params): Mandate {
  const acceptance = hash(data.customer_acceptance) ?? {}
  const online = hash(acceptance.online)
  const type = acceptance.type === 'online' ? 'online' : 'offline'
  if (type === 'online' && !online) throw invalidRequest('customer_acceptance[online] is required when customer_acceptance[type] is online.', { param: 'mandate_data[customer_acceptance][online]' })
  const id = newId('mandate')
  return {
    id,
    object: 'mandate',
    customer_acceptance: {
      accepted_at: acceptance.accepted_at === undefined ? state.seconds() : Number(acceptance.accepted_at),
      ...(type === 'online' ? { online: { ip_address: String(online?.ip_address), user_agent: String(online?.user_agent) } } : { offline: {} }),
      type,
    },
    livemode: false,
    multi_use: {},
    payment_method: pm.object.id,
    payment_method_details:
      pm.object.type === 'sepa_debit'
        ? { type: 'sepa_debit', sepa_debit: { reference: id.slice(8, 24).toUpperCase(), url: `https://payments.stripe.com/sepa_debit/mandate/${id}` } }
        : { type: pm.object.type, us_bank_account: {} },
    status: 'active',
    type: 'multi_use',
  }
}

/**
 * An off-session bank debit needs the customer's mandate: `mandate` (an active
 * one for this PaymentMethod) or `mandate_data` (accepted now). Stricter than
 * Stripe, which may also fall back to the mandate of the SetupIntent that saved
 * the method: the fake wants it named, so a test sees that it is sent.
 */
function debitMandate(state: StripeFakeState, pm: StoredPaymentMethod, params: Params, offSession: boolean): Mandate | undefined {
  const given = str(params, 'mandate')
  if (pm.object.type === 'card') {
    if (given !== undefined || params.mandate_data !== undefined) throw notModelled('mandate for a card', 'POST /v1/payment_intents')
    return undefined
  }
  if (given !== undefined) {
    const mandate = state.mandates.get(given)
    if (!mandate) throw noSuch('mandate', given, 'mandate')
    if (mandate.payment_method !== pm.object.id)
      throw invalidRequest(`The mandate ${given} is for another PaymentMethod (${mandate.payment_method}), not ${pm.object.id}.`, { param: 'mandate' })
    if (mandate.status !== 'active') throw invalidRequest(`The mandate ${given} is ${mandate.status}; a debit needs an active mandate.`, { param: 'mandate' })
    return undefined
  }
  const data = hash(params.mandate_data)
  if (data) return newMandate(state, pm, data)
  if (offSession)
    throw invalidRequest(
      `A mandate is required to debit a ${pm.object.type} PaymentMethod off-session: pass mandate (the id of the customer's active mandate) or mandate_data.`,
      { param: 'mandate' },
    )
  return undefined
}

/** Newest first, as Stripe lists; filtered by customer; pages of `limit` (≤ 100) after `starting_after` or before `ending_before`. */
const listPaymentIntents: Handler = ({ state, params }) => {
  onlyModelled(params, 'GET /v1/payment_intents', ['customer', 'limit', 'starting_after', 'ending_before'])
  const limit = params.limit === undefined ? 10 : Number(params.limit)
  if (limit < 1 || limit > 100) throw invalidRequest('This value must be between 1 and 100.', { param: 'limit' })
  if (params.customer !== undefined) state.customer(String(params.customer), 'customer')
  const all = [...state.paymentIntents.values()].filter((pi) => params.customer === undefined || pi.customer === params.customer).reverse()
  const cursor = (param: 'starting_after' | 'ending_before'): number | undefined => {
    const id = str(params, param)
    if (id === undefined) return undefined
    const index = all.findIndex((pi) => pi.id === id)
    if (index < 0) throw noSuch('payment_intent', id, param)
    return index
  }
  const after = cursor('starting_after')
  const before = cursor('ending_before')
  if (after !== undefined && before !== undefined) throw invalidRequest('You may only specify one of these parameters: starting_after, ending_before.')
  const from = after !== undefined ? after + 1 : before !== undefined ? Math.max(0, before - limit) : 0
  const to = before !== undefined ? before : all.length
  const page = all.slice(from, Math.min(to, from + limit))
  const hasMore = before !== undefined ? from > 0 : from + limit < to
  return { object: 'list', data: page, has_more: hasMore, url: '/v1/payment_intents' }
}

/** Stripe cancels an intent that can still be paid; a succeeded or canceled one answers payment_intent_unexpected_state. */
const cancelPaymentIntent: Handler = ({ state, params, path }) => {
  onlyModelled(params, 'POST /v1/payment_intents/{intent}/cancel', ['cancellation_reason', 'expand'])
  const intent = state.paymentIntents.get(path.intent ?? '')
  if (!intent) throw noSuch('payment_intent', path.intent ?? '', 'intent')
  // A bank debit already submitted cannot be called back (Stripe allows it "in rare cases" only).
  if (!['requires_payment_method', 'requires_confirmation', 'requires_action'].includes(intent.status))
    throw invalidRequest(
      `You cannot cancel this PaymentIntent because it has a status of ${intent.status}. Only a PaymentIntent with one of the following statuses may be canceled: requires_payment_method, requires_capture, requires_confirmation, requires_action, processing.`,
      { code: 'payment_intent_unexpected_state', doc_url: docUrl('payment_intent_unexpected_state'), payment_intent: structuredClone(intent) },
    )
  intent.status = 'canceled'
  intent.canceled_at = state.seconds()
  intent.cancellation_reason = str(params, 'cancellation_reason') ?? null
  intent.next_action = null
  state.emit('payment_intent.canceled', intent)
  return intent
}

const retrieveMandate: Handler = ({ state, path }) => {
  const mandate = state.mandates.get(path.mandate ?? '')
  if (!mandate) throw noSuch('mandate', path.mandate ?? '', 'mandate')
  return mandate
}

const retrievePaymentIntent: Handler = ({ state, path }) => {
  const intent = state.paymentIntents.get(path.intent ?? '')
  if (!intent) throw noSuch('payment_intent', path.intent ?? '', 'intent')
  return intent
}

/** Implemented endpoints, keyed by method and OpenAPI path template. */
export const handlers: Record<string, Handler> = {
  'POST /v1/customers': createCustomer,
  'GET /v1/customers/{customer}': retrieveCustomer,
  'POST /v1/customers/{customer}': updateCustomer,
  'DELETE /v1/customers/{customer}': ({ state, path }) => deleteCustomer(state, path.customer ?? ''),
  'GET /v1/mandates/{mandate}': retrieveMandate,
  'POST /v1/payment_intents/{intent}/cancel': cancelPaymentIntent,
  'GET /v1/payment_methods/{payment_method}': retrievePaymentMethod,
  'POST /v1/payment_methods/{payment_method}/attach': attachPaymentMethod,
  'POST /v1/payment_methods/{payment_method}/detach': detachPaymentMethod,
  'POST /v1/payment_intents': createPaymentIntent,
  'GET /v1/payment_intents': listPaymentIntents,
  'POST /v1/setup_intents': createSetupIntent,
  'GET /v1/payment_intents/{intent}': retrievePaymentIntent,
}

/** Ends a `processing` PaymentIntent as the bank reports it: paid, or failed with a code. */
export function settleIntent(state: StripeFakeState, id: string, outcome: 'succeeded' | { code: string; decline_code?: string; message: string }): void {
  const intent = state.paymentIntents.get(id)
  if (intent?.status !== 'processing') throw new Error(`stripe-fake: ${id} is not processing`)
  intent.processing = null
  finish(state, intent, outcome)
}

function finish(state: StripeFakeState, intent: PaymentIntent, outcome: 'succeeded' | { code: string; decline_code?: string; message: string }): void {
  intent.next_action = null
  if (outcome === 'succeeded') {
    intent.status = 'succeeded'
    intent.amount_received = intent.amount
    state.emit('payment_intent.succeeded', intent)
    return
  }
  intent.status = 'requires_payment_method'
  intent.last_payment_error = { type: 'card_error', code: outcome.code, ...(outcome.decline_code ? { decline_code: outcome.decline_code } : {}), message: outcome.message, payment_method: intent.payment_method }
  intent.payment_method = null
  state.emit('payment_intent.payment_failed', intent)
}

/**
 * The customer authenticates (3-D Secure) on an intent that waits for them: one in
 * `requires_action`, or one declined off-session with authentication_required that
 * the customer brings back on-session. It then succeeds, or fails authentication.
 */
export function authenticateIntent(state: StripeFakeState, id: string, outcome: 'succeeded' | 'failed'): void {
  const intent = state.paymentIntents.get(id)
  const declinedForAuthentication = intent?.status === 'requires_payment_method' && intent.last_payment_error?.code === 'authentication_required'
  if (!intent || (intent.status !== 'requires_action' && !declinedForAuthentication))
    throw new Error(`stripe-fake: ${id} is ${intent?.status ?? 'unknown'}, not waiting for the customer to authenticate`)
  if (declinedForAuthentication) intent.payment_method = (intent.last_payment_error?.payment_method as { id?: string } | undefined)?.id ?? intent.payment_method
  if (outcome === 'succeeded') intent.last_payment_error = null
  finish(state, intent, outcome === 'succeeded' ? 'succeeded' : { code: 'payment_intent_authentication_failure', message: 'The provided PaymentMethod has failed authentication. You can provide payment_method_data or a new PaymentMethod to attempt to fulfill this PaymentIntent again.' })
}

/** The expansions the fake can do: fields that hold ids of objects it stores. */
export const EXPANDABLE = new Set(['customer', 'payment_method', 'invoice_settings.default_payment_method'])

/**
 * `expand[]=invoice_settings.default_payment_method`: swaps ids for the
 * stored objects. The server has already checked the paths (spec and
 * EXPANDABLE) before the handler ran, so nothing fails here after a side effect.
 */
export function expand(state: StripeFakeState, body: object, paths: string[]): object {
  const result = structuredClone(body) as Record<string, unknown>
  for (const path of paths) {
    const keys = path.split('.')
    let holder: Record<string, unknown> | undefined = result
    for (const key of keys.slice(0, -1)) {
      const next: unknown = holder?.[key]
      holder = next !== null && typeof next === 'object' ? (next as Record<string, unknown>) : undefined
    }
    const leaf = keys[keys.length - 1] ?? ''
    const id = holder?.[leaf]
    if (!holder || typeof id !== 'string') continue
    const found = state.customers.get(id) ?? state.paymentMethods.get(id)?.object ?? state.paymentIntents.get(id)
    if (!found) throw new Error(`stripe-fake: cannot expand ${path}: no stored object ${id}`)
    holder[leaf] = structuredClone(found)
  }
  return result
}
