// The payment provider behind wsb (SPEC §3): Stripe through its official SDK
// when a secret key is set, otherwise the offline sandbox. The Stripe SDK is
// loaded only when the Stripe provider is actually used.
import * as z from 'zod/mini'
import { invalid } from '../errors.js'

import type { MethodType } from './label.js'
import type { ChargeResult } from './outcome.js'

export type { ChargeResult } from './outcome.js'

/** What the provider reports of a method; a bank debit has no expiry (12/9999). */
export type Card = { type: MethodType; brand: string; last4: string; expMonth: number; expYear: number }

/** A bank debit never expires; stored with this far expiry so card rules leave it alone. */
export const NO_EXPIRY = { expMonth: 12, expYear: 9999 } as const

export type ChargeInput = {
  customerId: string
  paymentMethodId: string
  /** The customer's mandate for a bank debit (SEPA, ACH): sent with every off-session debit. */
  mandateId: string | null
  amount: number
  currency: string
  idempotencyKey: string
  description: string
  metadata: Record<string, string>
  /** Workspace time of the attempt (the sandbox declines cards expired by then). */
  at: number
}

/** What identifies an earlier attempt whose outcome is unknown or in flight. */
export type LookupInput = {
  customerId: string
  /** The PaymentIntent id when one was answered; otherwise it is searched by metadata `wsb_attempt`. */
  paymentId: string | null
  attemptKey: string
  paymentMethodId: string
  /** Workspace time of the attempt and of now (the sandbox settles bank debits by them). */
  chargedAt: number
  at: number
}

/**
 * How the customer accepted a bank debit mandate: an existing Mandate (`mandate_…`, from
 * the checkout that collected the account), or an acceptance wsb hands Stripe when it saves
 * the method (offline: signed outside Stripe; online: where and with what the customer accepted).
 */
export type MandateInput = { mandateId: string } | { acceptance: 'offline' } | { acceptance: 'online'; ipAddress: string; userAgent: string }

export type AccountForProvider = {
  id: string
  name: string
  email: string | null
  workspaceId: string
  customerId: string | null
  /** A customer the provider deleted: a new one is made under a key of its own. */
  goneCustomerId: string | null
}

export interface PaymentProvider {
  readonly name: 'sandbox' | 'stripe'
  /** The provider's customer for an account (created once; the id is stored by the caller). */
  ensureCustomer(account: AccountForProvider): Promise<string>
  /**
   * Attaches a PaymentMethod id or test token to the customer; returns the provider id, the card,
   * and the mandate a bank debit will be charged under. Throws CUSTOMER_MISSING when the customer is gone.
   */
  attach(customerId: string, source: string, mandate?: MandateInput): Promise<{ providerId: string; card: Card; mandateId: string | null }>
  setDefault(customerId: string, providerId: string): Promise<void>
  detach(providerId: string): Promise<void>
  /** One off-session charge; every answer, an outage included, is a classified result (outcome.ts). */
  charge(input: ChargeInput): Promise<ChargeResult>
  /** The PaymentIntent of an earlier attempt, classified; null when the provider has none. An outage is a result too. */
  lookup(input: LookupInput): Promise<ChargeResult | null>
  /** Cancels a PaymentIntent that waits for the customer, before anything else is charged; answers what it is then. */
  cancel(paymentId: string): Promise<ChargeResult>
}

export type ProviderFactory = () => Promise<PaymentProvider>

const parsedUrl = (text: string): URL | undefined => {
  try {
    return new URL(text)
  } catch {
    return undefined
  }
}

/** The SDK talks to a host, a port and a scheme only: a path, query or fragment would be dropped, so it is refused instead. */
const apiBase = z.url({ error: 'STRIPE_API_BASE: expected a URL such as http://127.0.0.1:12111' }).check(
  z.refine((text) => { const url = parsedUrl(text); return !url || /^https?:$/.test(url.protocol) }, { error: 'STRIPE_API_BASE: expected an http:// or https:// URL such as http://127.0.0.1:12111' }),
  z.refine((text) => {
    const url = parsedUrl(text)
    return !url || ((url.pathname === '/' || url.pathname === '') && !url.search && !url.hash && !url.username && !url.password)
  }, { error: 'STRIPE_API_BASE: give only the scheme, host and port (such as http://127.0.0.1:12111): the Stripe SDK sends every request to /v1/… on that host, so a path, query or credentials in the URL cannot be honoured' }),
)

const stripeEnv = z.object({
  key: z.optional(z.string().check(z.regex(/^(sk|rk)_(test|live)_\S+$/, { error: 'STRIPE_API_KEY: expected a Stripe secret key (sk_test_… or sk_live_…)' }))),
  base: z.optional(apiBase),
})

let cached: Promise<PaymentProvider> | undefined

/** The provider chosen by the environment: Stripe with STRIPE_API_KEY / STRIPE_SECRET_KEY, else the sandbox. */
export const providerFromEnv: ProviderFactory = () => {
  cached ??= (async () => {
    const parsed = z.safeParse(stripeEnv, {
      key: process.env.STRIPE_API_KEY || process.env.STRIPE_SECRET_KEY || undefined,
      base: process.env.STRIPE_API_BASE || undefined,
    })
    // The message names the variable, never its value.
    if (!parsed.success) throw invalid(parsed.error.issues.map((issue) => issue.message).join('; '), {}, 'INVALID_ENVIRONMENT')
    if (!parsed.data.key) {
      const { SandboxProvider } = await import('./sandbox.js')
      return new SandboxProvider()
    }
    const { StripeProvider } = await import('./stripe.js')
    return new StripeProvider(parsed.data.key, parsed.data.base)
  })()
  return cached
}

/** The provider's name without loading it: what `pm` output says before any call. */
export const providerNameFromEnv = (): 'sandbox' | 'stripe' => (process.env.STRIPE_API_KEY || process.env.STRIPE_SECRET_KEY ? 'stripe' : 'sandbox')
