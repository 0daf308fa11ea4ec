// The fake's in-memory Stripe objects. Their shapes follow the OpenAPI spec
// the requests are validated against (API 2024-04-10), minus fields that the
// SDK's pinned version removed (PaymentIntent.invoice).
import { randomBytes } from 'node:crypto'
import { type CardInput, type TestCard, builtInTestCards, cardFromInput, fingerprint } from './stripe-fake-cards.js'
import { noSuch } from './stripe-fake-errors.js'

export type Address = Record<'city' | 'country' | 'line1' | 'line2' | 'postal_code' | 'state', string | null>

export type Customer = {
  id: string
  object: 'customer'
  address: Address | null
  balance: number
  created: number
  currency: string | null
  default_source: string | null
  delinquent: boolean
  description: string | null
  discount: null
  email: string | null
  invoice_prefix: string
  invoice_settings: { custom_fields: null; default_payment_method: string | null; footer: string | null; rendering_options: null }
  livemode: false
  metadata: Record<string, string>
  name: string | null
  next_invoice_sequence: number
  phone: string | null
  preferred_locales: string[]
  shipping: null
  tax_exempt: 'none'
  test_clock: null
}

export type PaymentMethod = {
  id: string
  object: 'payment_method'
  allow_redisplay: 'unspecified'
  billing_details: { address: Address; email: null; name: null; phone: null }
  card?: {
    brand: string
    checks: { address_line1_check: null; address_postal_code_check: null; cvc_check: 'unchecked' }
    country: string
    display_brand: string
    exp_month: number
    exp_year: number
    fingerprint: string
    funding: string
    generated_from: null
    last4: string
    networks: { available: string[]; preferred: null }
    three_d_secure_usage: { supported: true }
    wallet: null
  }
  sepa_debit?: { bank_code: string; branch_code: string; country: string; fingerprint: string; generated_from: null; last4: string }
  us_bank_account?: { account_holder_type: 'individual'; account_type: 'checking'; bank_name: string; financial_connections_account: null; fingerprint: string; last4: string; networks: null; routing_number: string; status_details: null }
  created: number
  customer: string | null
  livemode: false
  metadata: Record<string, string>
  type: 'card' | 'sepa_debit' | 'us_bank_account'
}

export type PaymentIntentStatus = 'requires_payment_method' | 'requires_confirmation' | 'requires_action' | 'processing' | 'succeeded' | 'canceled'

export type PaymentIntent = {
  id: string
  object: 'payment_intent'
  amount: number
  amount_capturable: 0
  amount_details: { tip: Record<string, never> }
  amount_received: number
  application: null
  application_fee_amount: null
  automatic_payment_methods: { enabled: boolean; allow_redirects?: string } | null
  canceled_at: number | null
  cancellation_reason: string | null
  capture_method: 'automatic'
  client_secret: string
  confirmation_method: 'automatic'
  created: number
  currency: string
  customer: string | null
  description: string | null
  last_payment_error: Record<string, unknown> | null
  latest_charge: string | null
  livemode: false
  metadata: Record<string, string>
  next_action: Record<string, unknown> | null
  on_behalf_of: null
  payment_method: string | null
  payment_method_configuration_details: null
  payment_method_options: { card: { installments: null; mandate_options: null; network: null; request_three_d_secure: 'automatic' } }
  payment_method_types: string[]
  processing: Record<string, unknown> | null
  receipt_email: string | null
  review: null
  setup_future_usage: null
  shipping: null
  statement_descriptor: string | null
  statement_descriptor_suffix: string | null
  status: PaymentIntentStatus
  transfer_data: null
  transfer_group: null
}

/** The customer's authorization to debit a bank account (SEPA, ACH), made by a confirmed SetupIntent or PaymentIntent. */
export type Mandate = {
  id: string
  object: 'mandate'
  customer_acceptance: { accepted_at: number | null; offline?: Record<string, never>; online?: { ip_address: string; user_agent: string }; type: 'offline' | 'online' }
  livemode: false
  multi_use: Record<string, never>
  payment_method: string
  payment_method_details: { type: string; sepa_debit?: { reference: string; url: string }; us_bank_account?: Record<string, never> }
  status: 'active' | 'inactive' | 'pending'
  type: 'multi_use'
}

/** A Stripe Event as webhooks deliver it. */
export type StripeEvent = {
  id: string
  object: 'event'
  api_version: string
  created: number
  data: { object: Record<string, unknown> }
  livemode: false
  pending_webhooks: number
  request: { id: string | null; idempotency_key: string | null }
  type: string
}

/** A PaymentMethod plus what the fake needs to know about it. */
export type StoredPaymentMethod = {
  object: PaymentMethod
  card: TestCard
  /** Stripe refuses to reuse a PM that was detached or spent without a customer. */
  usable: boolean
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'
export const newId = (prefix: string, length = 24): string =>
  `${prefix}_${[...randomBytes(length)].map((b) => ALPHABET[b % ALPHABET.length]).join('')}`

export const nullAddress = (): Address => ({ city: null, country: null, line1: null, line2: null, postal_code: null, state: null })

export class StripeFakeState {
  readonly customers = new Map<string, Customer>()
  readonly paymentMethods = new Map<string, StoredPaymentMethod>()
  readonly paymentIntents = new Map<string, PaymentIntent>()
  readonly setupIntents = new Map<string, Record<string, unknown>>()
  readonly mandates = new Map<string, Mandate>()
  /** Customers deleted with DELETE /v1/customers/:id: retrieving one answers `deleted: true`, using one is resource_missing. */
  readonly deletedCustomers = new Set<string>()
  /** Every event, oldest first, as Stripe would send them to a webhook endpoint. */
  readonly events: StripeEvent[] = []
  /** The API version events are rendered in (the SDK's pinned one, once a request told it). */
  eventApiVersion = '2026-10-28.endive'
  /** Token ids (`pm_card_visa`, custom ones) that turn into a fresh PaymentMethod when used. */
  readonly tokens: Map<string, TestCard>

  constructor(readonly now: () => number) {
    this.tokens = builtInTestCards(now())
  }

  seconds = (): number => Math.floor(this.now() / 1000)

  addToken(id: string, input: CardInput): void {
    if (this.paymentMethods.has(id)) throw new Error(`PaymentMethod ${id} already exists`)
    this.tokens.set(id, cardFromInput(input))
  }

  /** Records an event about `object` (a snapshot of it now). */
  emit(type: string, object: object, idempotencyKey: string | null = null): StripeEvent {
    const event: StripeEvent = {
      id: newId('evt'),
      object: 'event',
      api_version: this.eventApiVersion,
      created: this.seconds(),
      data: { object: structuredClone(object) as Record<string, unknown> },
      livemode: false,
      pending_webhooks: 1,
      request: { id: newId('req', 14), idempotency_key: idempotencyKey },
      type,
    }
    this.events.push(event)
    return event
  }

  customer(id: string, param = 'id'): Customer {
    const customer = this.customers.get(id)
    if (!customer) throw noSuch('customer', id, param)
    return customer
  }

  /**
   * A stored PaymentMethod, or a fresh one made from a test token as Stripe
   * does; the fresh one is kept only once `remember` is called, so a request
   * that fails validation leaves nothing behind.
   */
  paymentMethod(id: string, param: string): StoredPaymentMethod {
    const stored = this.paymentMethods.get(id)
    if (stored) return stored
    const card = this.tokens.get(id)
    if (!card) throw noSuch('PaymentMethod', id, param)
    const object: PaymentMethod = {
      id: newId('pm'),
      object: 'payment_method',
      allow_redisplay: 'unspecified',
      billing_details: { address: nullAddress(), email: null, name: null, phone: null },
      ...(card.kind && card.kind !== 'card'
        ? card.kind === 'sepa_debit'
          ? { sepa_debit: { bank_code: card.brand, branch_code: '', country: 'DE', fingerprint: fingerprint(card), generated_from: null, last4: card.last4 } }
          : {
              us_bank_account: {
                account_holder_type: 'individual' as const, account_type: 'checking' as const, bank_name: card.brand, financial_connections_account: null,
                fingerprint: fingerprint(card), last4: card.last4, networks: null, routing_number: '110000000', status_details: null,
              },
            }
        : { card: {
        brand: card.brand,
        checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'unchecked' },
        country: card.country,
        display_brand: card.brand,
        exp_month: card.exp_month,
        exp_year: card.exp_year,
        fingerprint: fingerprint(card),
        funding: card.funding,
        generated_from: null,
        last4: card.last4,
        networks: { available: [card.brand], preferred: null },
        three_d_secure_usage: { supported: true as const },
        wallet: null,
      } }),
      created: this.seconds(),
      customer: null,
      livemode: false,
      metadata: {},
      type: card.kind ?? 'card',
    }
    return { object, card, usable: true }
  }

  remember(pm: StoredPaymentMethod): StoredPaymentMethod {
    this.paymentMethods.set(pm.object.id, pm)
    return pm
  }
}
