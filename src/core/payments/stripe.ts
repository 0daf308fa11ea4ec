// The Stripe provider (SPEC §3), through the official SDK: an account is a
// Customer, a payment method is attached to it, the default is the customer's
// invoice_settings.default_payment_method, and each attempt is an off-session
// PaymentIntent confirmed at once with an idempotency key from (invoice, run,
// method). The secret key is held in memory only and scrubbed from messages.
import Stripe from 'stripe'
import { invalid, providerFailure } from '../errors.js'
import { redact, registerSecret } from '../redact.js'
import type { Card, ChargeInput, ChargeResult, PaymentProvider } from './provider.js'

/** Stripe puts the reason in decline_code, or in code (expired_card …); the SDK sets an absent one to ''. */
const declineCodeOf = (e: { decline_code?: string; code?: string }): string | null => redact(e.decline_code || e.code || '') || null

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
      const customer = await this.stripe.customers.create(
        { name: account.name, ...(account.email ? { email: account.email } : {}), metadata: { wsb_account_id: account.id, wsb_workspace_id: account.workspaceId } },
        { idempotencyKey: `wsb-customer-${account.id}` },
      )
      return customer.id
    } catch (error) {
      this.fail(error, 'create the customer')
    }
  }

  async attach(customerId: string, source: string): Promise<{ providerId: string; card: Card }> {
    let method: Stripe.PaymentMethod
    try {
      method = await this.stripe.paymentMethods.attach(source, { customer: customerId })
    } catch (error) {
      const e = error as { type?: string; code?: string; decline_code?: string; message?: string }
      if (e.type === 'StripeCardError')
        throw invalid(`Stripe refused the card: ${redact(e.message ?? e.code ?? 'declined')}`, { declineCode: declineCodeOf(e) }, 'CARD_REFUSED')
      this.fail(error, 'attach the payment method')
    }
    if (!method.card) {
      await this.detach(method.id)
      throw invalid(`payment method ${method.id} is a ${method.type}, not a card; wsb collects cards off-session`, {}, 'UNSUPPORTED_PAYMENT_METHOD')
    }
    return { providerId: method.id, card: { brand: method.card.brand, last4: method.card.last4, expMonth: method.card.exp_month, expYear: method.card.exp_year } }
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
      if (intent.status === 'succeeded') return { outcome: 'succeeded', paymentId: intent.id }
      return { outcome: 'failed', paymentId: intent.id, declineCode: intent.status, message: `the payment is ${intent.status}` }
    } catch (error) {
      const e = error as { type?: string; code?: string; decline_code?: string; message?: string; payment_intent?: { id: string } }
      if (e.type === 'StripeCardError')
        return { outcome: 'failed', paymentId: e.payment_intent?.id ?? null, declineCode: declineCodeOf(e) ?? 'card_declined', message: redact(e.message ?? 'declined') }
      this.fail(error, 'charge the invoice')
    }
  }
}
