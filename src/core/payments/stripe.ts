// The Stripe provider (SPEC §3), through the official SDK: an account is a
// Customer, a payment method is attached to it, the default is the customer's
// invoice_settings.default_payment_method, and each attempt is an off-session
// PaymentIntent confirmed at once with an idempotency key from (invoice, run,
// method). The secret key is held in memory only and scrubbed from messages.
import Stripe from 'stripe'
import { invalid, providerFailure } from '../errors.js'
import { redact, registerSecret } from '../redact.js'
import { type ChargeResult, classifyError, classifyIntent, type ProviderErrorShape, reasonOf } from './outcome.js'
import { type Card, type ChargeInput, type LookupInput, NO_EXPIRY, type PaymentProvider } from './provider.js'

/**
 * The one Stripe API version wsb speaks (README "Payments"): sent with every
 * request, so behaviour does not follow whatever the SDK or the account defaults to.
 */
export const STRIPE_API_VERSION = '2026-10-28.endive' as const

const declineCodeOf = (e: { decline_code?: string; code?: string }): string | null => redact(reasonOf(e, '')) || null

/** A PaymentMethod as wsb stores it: a card, or a bank debit (SEPA, US bank account). */
function methodOf(method: Stripe.PaymentMethod): Card | null {
  if (method.card) return { type: 'card', brand: method.card.brand, last4: method.card.last4, expMonth: method.card.exp_month, expYear: method.card.exp_year }
  if (method.sepa_debit) return { type: 'sepa_debit', brand: method.sepa_debit.bank_code ?? 'sepa', last4: method.sepa_debit.last4 ?? '', ...NO_EXPIRY }
  if (method.us_bank_account) return { type: 'us_bank_account', brand: method.us_bank_account.bank_name ?? 'bank', last4: method.us_bank_account.last4 ?? '', ...NO_EXPIRY }
  return null
}

export class StripeProvider implements PaymentProvider {
  readonly name = 'stripe' as const
  private readonly stripe: Stripe

  constructor(
    private readonly key: string,
    base?: string,
  ) {
    registerSecret(key)
    const url = base ? new URL(base) : undefined
    this.stripe = new Stripe(key, {
      apiVersion: STRIPE_API_VERSION,
      maxNetworkRetries: 2,
      timeout: 30_000,
      appInfo: { name: 'wsb' },
      ...(url ? { host: url.hostname, port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)), protocol: url.protocol.replace(':', '') as 'http' | 'https' } : {}),
    })
  }

  /** Stripe errors become wsb errors that never carry the key. */
  private fail(error: unknown, action: string): never {
    const scrub = redact
    const e = error as { type?: string; code?: string; message?: string; statusCode?: number }
    if (e.type === 'StripeInvalidRequestError' && e.code === 'resource_missing')
      throw invalid(`Stripe does not know this payment method (${action}): ${scrub(e.message ?? '')}`, { providerCode: e.code }, 'UNKNOWN_PAYMENT_METHOD')
    throw providerFailure('PROVIDER_ERROR', `Stripe failed to ${action}: ${scrub(e.message ?? String(error))}`, {
      provider: 'stripe',
      type: e.type ?? null,
      code: e.code ?? null,
      status: e.statusCode ?? null,
    })
  }

  async ensureCustomer(account: { id: string; name: string; email: string | null; workspaceId: string; customerId: string | null }): Promise<string> {
    if (account.customerId) return account.customerId
    try {
      // The keyed request carries only what never changes (the ids); name and email follow in an update,
      // which is safe to repeat: a rename between a lost answer and its retry neither fails nor makes a second customer.
      const customer = await this.stripe.customers.create({ metadata: { wsb_account_id: account.id, wsb_workspace_id: account.workspaceId } }, { idempotencyKey: `wsb-customer-${account.id}` })
      await this.stripe.customers.update(customer.id, { name: account.name, ...(account.email ? { email: account.email } : {}) })
      return customer.id
    } catch (error) {
      this.fail(error, 'create the customer')
    }
  }

  /**
   * A method for later off-session charges is saved through a SetupIntent
   * (`usage: off_session`), as Stripe recommends: the bank sees the setup, and
   * one that wants 3-D Secure now is reported instead of failing every charge later.
   */
  async attach(customerId: string, source: string): Promise<{ providerId: string; card: Card }> {
    let intent: Stripe.SetupIntent
    try {
      intent = await this.stripe.setupIntents.create({
        customer: customerId,
        payment_method: source,
        usage: 'off_session',
        confirm: true,
        automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
        expand: ['payment_method'],
      })
    } catch (error) {
      const e = error as { type?: string; code?: string; decline_code?: string; message?: string }
      if (e.type === 'StripeCardError')
        throw invalid(`Stripe refused the card: ${redact(e.message ?? e.code ?? 'declined')}`, { declineCode: declineCodeOf(e) }, 'CARD_REFUSED')
      this.fail(error, 'attach the payment method')
    }
    if (intent.status === 'requires_action')
      throw invalid(
        `the bank asks the customer to authenticate this card (3-D Secure) before it can be saved; have the customer complete the SetupIntent ${intent.id} in your checkout, then add the PaymentMethod it gives`,
        { setupIntentId: intent.id },
        'SETUP_NEEDS_AUTHENTICATION',
      )
    const method = intent.payment_method as Stripe.PaymentMethod | null
    if (intent.status !== 'succeeded' || !method || typeof method === 'string')
      throw invalid(`Stripe did not save the payment method (SetupIntent ${intent.id} is ${intent.status})`, { setupIntentId: intent.id }, 'CARD_REFUSED')
    const card = methodOf(method)
    if (!card) {
      await this.detach(method.id)
      throw invalid(`payment method ${method.id} is a ${method.type}; wsb collects cards, SEPA Direct Debit and US bank accounts off-session`, {}, 'UNSUPPORTED_PAYMENT_METHOD')
    }
    return { providerId: method.id, card }
  }

  async setDefault(customerId: string, providerId: string): Promise<void> {
    try {
      await this.stripe.customers.update(customerId, { invoice_settings: { default_payment_method: providerId } })
    } catch (error) {
      this.fail(error, 'set the default payment method')
    }
  }

  async detach(providerId: string): Promise<void> {
    try {
      await this.stripe.paymentMethods.detach(providerId)
    } catch (error) {
      // Already gone (deleted in the Dashboard) or no longer this customer's: there is nothing left to detach,
      // and an unusable method must stay removable.
      if (classifyError(error as ProviderErrorShape).outcome === 'unusable') return
      this.fail(error, 'detach the payment method')
    }
  }

  async charge(input: ChargeInput): Promise<ChargeResult> {
    try {
      const intent = await this.stripe.paymentIntents.create(
        {
          amount: input.amount,
          currency: input.currency.toLowerCase(),
          customer: input.customerId,
          payment_method: input.paymentMethodId,
          off_session: true,
          confirm: true,
          automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
          description: input.description,
          metadata: input.metadata,
        },
        { idempotencyKey: input.idempotencyKey },
      )
      return scrubbed(classifyIntent(intent))
    } catch (error) {
      return scrubbed(classifyError(error as ProviderErrorShape))
    }
  }

  async lookup(input: LookupInput): Promise<ChargeResult | null> {
    try {
      if (input.paymentId) return scrubbed(classifyIntent(await this.stripe.paymentIntents.retrieve(input.paymentId)))
      // Listing by customer is read-after-write consistent (search is not): the attempt's intent is there if it was made.
      for await (const intent of this.stripe.paymentIntents.list({ customer: input.customerId, limit: 100 }))
        if (intent.metadata?.wsb_attempt === input.attemptKey) return scrubbed(classifyIntent(intent))
      return null
    } catch (error) {
      // Only "no such PaymentIntent" means none was made; any other failure leaves the outcome unknown.
      const e = error as ProviderErrorShape
      if (input.paymentId && e.code === 'resource_missing') return null
      return { outcome: 'outage', message: redact(e.message ?? String(error)), status: e.statusCode ?? null }
    }
  }
}

/** What a provider said is kept only after redaction: a server may echo anything back, the key included. */
function scrubbed(result: ChargeResult): ChargeResult {
  if (result.outcome === 'succeeded' || result.outcome === 'processing') return result
  if (result.outcome === 'outage') return { ...result, message: redact(result.message) }
  return { ...result, declineCode: redact(result.declineCode), message: redact(result.message) }
}
