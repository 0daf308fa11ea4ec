// The Stripe provider (SPEC §3), through the official SDK: an account is a
// Customer, a payment method is attached to it, the default is the customer's
// invoice_settings.default_payment_method, and each attempt is an off-session
// PaymentIntent confirmed at once with an idempotency key from (invoice, run,
// method). The secret key is held in memory only and scrubbed from messages.
// The SDK never retries on its own (maxNetworkRetries 0) and waits a few
// seconds at most: a lifecycle step meets an outage once and reschedules itself.
import Stripe from 'stripe'
import { invalid, providerFailure } from '../errors.js'
import { redact, registerSecret } from '../redact.js'
import { type ChargeResult, classifyError, classifyIntent, type ProviderErrorShape, reasonOf } from './outcome.js'
import { type AccountForProvider, type Card, type ChargeInput, type LookupInput, type MandateInput, NO_EXPIRY, type PaymentProvider } from './provider.js'

/**
 * The one Stripe API version wsb speaks (docs/payments.md): sent with every
 * request, so behaviour does not follow whatever the SDK or the account defaults to.
 */
export const STRIPE_API_VERSION = '2026-10-28.endive' as const

/** How long one request may take before it counts as an outage (its outcome is then looked up, never assumed). */
export const STRIPE_TIMEOUT_MS = 5_000

const declineCodeOf = (e: { decline_code?: string; code?: string }): string | null => redact(reasonOf(e, '')) || null

/** A PaymentMethod as wsb stores it: a card, or a bank debit (SEPA, US bank account). A SEPA debit has no brand (its bank code is not one). */
function methodOf(method: Stripe.PaymentMethod): Card | null {
  if (method.card) return { type: 'card', brand: method.card.brand, last4: method.card.last4, expMonth: method.card.exp_month, expYear: method.card.exp_year }
  if (method.sepa_debit) return { type: 'sepa_debit', brand: 'sepa_debit', last4: method.sepa_debit.last4 ?? '', ...NO_EXPIRY }
  if (method.us_bank_account) return { type: 'us_bank_account', brand: method.us_bank_account.bank_name ?? 'us_bank_account', last4: method.us_bank_account.last4 ?? '', ...NO_EXPIRY }
  return null
}

const isDebit = (method: Stripe.PaymentMethod): boolean => method.type === 'sepa_debit' || method.type === 'us_bank_account'

function mandateData(mandate: MandateInput | undefined): Stripe.SetupIntentCreateParams.MandateData | undefined {
  if (!mandate || 'mandateId' in mandate) return undefined
  if (mandate.acceptance === 'offline') return { customer_acceptance: { type: 'offline', offline: {} } }
  return { customer_acceptance: { type: 'online', online: { ip_address: mandate.ipAddress, user_agent: mandate.userAgent } } }
}

const customerMissing = (customerId: string) =>
  invalid(`the Stripe customer ${customerId} no longer exists (it was deleted in Stripe)`, { customerId }, 'CUSTOMER_MISSING')

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
      maxNetworkRetries: 0,
      timeout: STRIPE_TIMEOUT_MS,
      appInfo: { name: 'wsb' },
      ...(url ? { host: url.hostname, port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)), protocol: url.protocol.replace(':', '') as 'http' | 'https' } : {}),
    })
  }

  /** Stripe errors become wsb errors that never carry the key. */
  private fail(error: unknown, action: string): never {
    const scrub = redact
    const e = error as ProviderErrorShape
    const answer = classifyError(e)
    if (answer.outcome === 'unusable')
      throw invalid(`Stripe does not know this payment method, or it is not this customer's (${action}): ${scrub(e.message ?? '')}`, { providerCode: e.code ?? null }, 'UNKNOWN_PAYMENT_METHOD')
    if (answer.outcome === 'key_rejected')
      throw providerFailure('PROVIDER_KEY_REJECTED', `Stripe rejected the secret key (${e.statusCode}) when asked to ${action}: ${scrub(e.message ?? '')}; set STRIPE_API_KEY to a valid secret key with write access`, {
        provider: 'stripe',
        status: e.statusCode ?? null,
        code: e.code ?? null,
      })
    throw providerFailure('PROVIDER_ERROR', `Stripe failed to ${action}: ${scrub(e.message ?? String(error))}`, {
      provider: 'stripe',
      type: e.type ?? null,
      code: e.code ?? null,
      status: e.statusCode ?? null,
    })
  }

  async ensureCustomer(account: AccountForProvider): Promise<string> {
    if (account.customerId) return account.customerId
    try {
      // The keyed request carries only what never changes (the ids); name and email follow in an update,
      // which is safe to repeat: a rename between a lost answer and its retry neither fails nor makes a second customer.
      // A customer that replaces a deleted one gets a key of its own: the first key would replay the deleted customer.
      const key = account.goneCustomerId ? `wsb-customer-${account.id}-after-${account.goneCustomerId}` : `wsb-customer-${account.id}`
      const customer = await this.stripe.customers.create({ metadata: { wsb_account_id: account.id, wsb_workspace_id: account.workspaceId } }, { idempotencyKey: key })
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
   * A bank debit needs the customer's mandate: an acceptance given here makes one
   * (the SetupIntent's `mandate_data`); a mandate from a checkout is checked and kept.
   */
  async attach(customerId: string, source: string, mandate?: MandateInput): Promise<{ providerId: string; card: Card; mandateId: string | null }> {
    if (mandate && 'mandateId' in mandate) return await this.attachWithMandate(customerId, source, mandate.mandateId)
    let intent: Stripe.SetupIntent
    try {
      const data = mandateData(mandate)
      intent = await this.stripe.setupIntents.create({
        customer: customerId,
        payment_method: source,
        usage: 'off_session',
        confirm: true,
        automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
        ...(data ? { mandate_data: data } : {}),
        expand: ['payment_method'],
      })
    } catch (error) {
      const e = error as ProviderErrorShape
      if (e.type === 'StripeCardError')
        throw invalid(`Stripe refused the card: ${redact(e.message ?? e.code ?? 'declined')}`, { declineCode: declineCodeOf(e) }, 'CARD_REFUSED')
      if (classifyError(e).outcome === 'customer_missing') throw customerMissing(customerId)
      if (e.param === 'mandate_data')
        throw invalid(
          `this is a bank account: Stripe debits it only under the customer's mandate. Give the mandate from your checkout (--mandate mandate_…), or the customer's acceptance (--mandate-offline, or --mandate-ip and --mandate-user-agent)`,
          {},
          'MANDATE_REQUIRED',
        )
      this.fail(error, 'attach the payment method')
    }
    if (intent.status === 'requires_action') {
      const microdeposits = intent.next_action?.type === 'verify_with_microdeposits'
      throw invalid(
        microdeposits
          ? `Stripe is waiting for the customer to verify this bank account with the micro-deposits sent to it (SetupIntent ${intent.id}); once they have, add the PaymentMethod again`
          : `the bank asks the customer to authenticate this card (3-D Secure) before it can be saved; have the customer complete the SetupIntent ${intent.id} in your checkout, then add the PaymentMethod it gives`,
        { setupIntentId: intent.id, nextAction: intent.next_action?.type ?? null },
        microdeposits ? 'SETUP_NEEDS_VERIFICATION' : 'SETUP_NEEDS_AUTHENTICATION',
      )
    }
    if (intent.status === 'processing')
      throw invalid(
        `Stripe is still verifying this payment method with the bank (SetupIntent ${intent.id} is processing); nothing was refused. Add it again once the setup has succeeded`,
        { setupIntentId: intent.id },
        'SETUP_PROCESSING',
      )
    const method = intent.payment_method as Stripe.PaymentMethod | null
    if (intent.status !== 'succeeded' || !method || typeof method === 'string')
      throw invalid(`Stripe did not save the payment method (SetupIntent ${intent.id} is ${intent.status})`, { setupIntentId: intent.id }, 'CARD_REFUSED')
    return await this.keep(method, typeof intent.mandate === 'string' ? intent.mandate : (intent.mandate?.id ?? null))
  }

  /** A method saved by the customer's checkout, with the mandate it made: both checked, the method attached to this customer. */
  private async attachWithMandate(customerId: string, source: string, mandateId: string): Promise<{ providerId: string; card: Card; mandateId: string | null }> {
    let method: Stripe.PaymentMethod
    try {
      const mandate = await this.stripe.mandates.retrieve(mandateId)
      method = await this.stripe.paymentMethods.retrieve(source)
      const mandated = typeof mandate.payment_method === 'string' ? mandate.payment_method : mandate.payment_method.id
      if (mandated !== method.id) throw invalid(`mandate ${mandateId} is for payment method ${mandated}, not ${method.id}`, { mandateId }, 'MANDATE_MISMATCH')
      if (mandate.status !== 'active') throw invalid(`mandate ${mandateId} is ${mandate.status}; Stripe debits only under an active mandate`, { mandateId }, 'MANDATE_INACTIVE')
      if (method.customer !== customerId) method = await this.stripe.paymentMethods.attach(method.id, { customer: customerId })
    } catch (error) {
      if (error instanceof Error && error.name === 'WsbError') throw error
      const e = error as ProviderErrorShape
      if (e.param === 'mandate' && e.code === 'resource_missing') throw invalid(`Stripe has no mandate ${mandateId}`, { mandateId }, 'MANDATE_MISSING')
      if (classifyError(e).outcome === 'customer_missing') throw customerMissing(customerId)
      this.fail(error, 'attach the payment method')
    }
    if (!isDebit(method)) throw invalid(`payment method ${method.id} is a ${method.type}: a mandate goes with a bank debit`, {}, 'INVALID_PAYMENT_METHOD')
    return await this.keep(method, mandateId)
  }

  private async keep(method: Stripe.PaymentMethod, mandateId: string | null): Promise<{ providerId: string; card: Card; mandateId: string | null }> {
    const card = methodOf(method)
    if (!card) {
      await this.detach(method.id)
      throw invalid(`payment method ${method.id} is a ${method.type}; wsb collects cards, SEPA Direct Debit and US bank accounts off-session`, {}, 'UNSUPPORTED_PAYMENT_METHOD')
    }
    return { providerId: method.id, card, mandateId: isDebit(method) ? mandateId : null }
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
          ...(input.mandateId ? { mandate: input.mandateId } : {}),
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
      if (input.paymentId && e.code === 'resource_missing' && e.param !== 'customer') return null
      const answer = classifyError(e)
      if (answer.outcome === 'key_rejected' || answer.outcome === 'customer_missing') return scrubbed(answer)
      return { outcome: 'outage', message: redact(e.message ?? String(error)), status: e.statusCode ?? null }
    }
  }

  async cancel(paymentId: string): Promise<ChargeResult> {
    try {
      return scrubbed(classifyIntent(await this.stripe.paymentIntents.cancel(paymentId, { cancellation_reason: 'abandoned' })))
    } catch (error) {
      const e = error as ProviderErrorShape & { raw?: { payment_intent?: Parameters<typeof classifyIntent>[0] } }
      // Too late to cancel (the customer just completed it, or it failed): what it is now decides.
      if (e.code === 'payment_intent_unexpected_state' && e.payment_intent && 'status' in e.payment_intent)
        return scrubbed(classifyIntent(e.payment_intent as Parameters<typeof classifyIntent>[0]))
      const answer = classifyError(e)
      return scrubbed(answer.outcome === 'unusable' || answer.outcome === 'declined' || answer.outcome === 'refused' ? { outcome: 'outage', message: answer.message, status: e.statusCode ?? null } : answer)
    }
  }
}

/** What a provider said is kept only after redaction: a server may echo anything back, the key included. */
function scrubbed(result: ChargeResult): ChargeResult {
  if (result.outcome === 'succeeded' || result.outcome === 'processing') return result
  if (result.outcome === 'outage' || result.outcome === 'canceled') return { ...result, message: redact(result.message) }
  return { ...result, declineCode: redact(result.declineCode), message: redact(result.message) }
}
