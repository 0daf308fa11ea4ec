// Every answer of a payment provider, in one class, by what it says about whom
// (docs/payments.md). Providers turn their own answers into a ChargeResult
// here, so collection (collect.ts) decides on the class only.
//   succeeded        the invoice is paid
//   declined         the card or bank said no this time: fail over to the next method, then dunning
//   unusable         the method is gone, not the customer's, or finally refused (expired_card …):
//                    mark it, notify, fail over
//   requires_action  the customer must act (3-D Secure, micro-deposits): stop failover for this
//                    invoice, notify with the next step, no blind retry
//   processing       in flight (bank debits): record it, charge nothing else, settle later
//   canceled         the PaymentIntent was canceled (by wsb before charging anew): next method
//   customer_missing the account's provider customer is gone: an account problem `pm add` repairs
//   refused          any other 4xx: a wsb or configuration fault; marks nothing, notifies once,
//                    retried with backoff until it is fixed
//   key_rejected     401/403: the secret key was rejected (rolled, revoked, restricted): notify
//                    at once, doctor reports it, retried with backoff
//   outage           network, timeout, 409, 429, 5xx: outcome unknown; look up, then retry with backoff

/** What the customer has to do before a payment that waits for them can go on. */
export type CustomerAction = 'authenticate' | 'verify_microdeposits'

export type ChargeResult =
  | { outcome: 'succeeded'; paymentId: string }
  | { outcome: 'declined'; paymentId: string | null; declineCode: string; message: string }
  | { outcome: 'unusable'; paymentId: string | null; declineCode: string; message: string }
  | { outcome: 'requires_action'; paymentId: string | null; declineCode: string; message: string; action: CustomerAction }
  | { outcome: 'processing'; paymentId: string }
  | { outcome: 'canceled'; paymentId: string; message: string }
  | { outcome: 'customer_missing'; declineCode: string; message: string }
  | { outcome: 'refused'; declineCode: string; message: string; status: number | null }
  | { outcome: 'key_rejected'; declineCode: string; message: string; status: number | null }
  | { outcome: 'outage'; message: string; status: number | null }

export type ChargeClass = ChargeResult['outcome']

/** The classes after which collection cannot go on for now: nothing is marked, the run is retried later. */
export const STOPPING = ['customer_missing', 'refused', 'key_rejected', 'outage'] as const
export type StoppingResult = Extract<ChargeResult, { outcome: (typeof STOPPING)[number] }>
export const isStopping = (result: ChargeResult): result is StoppingResult => (STOPPING as readonly string[]).includes(result.outcome)

/** Stripe's codes that mean the customer has to act (authenticate) before this method can pay. */
const NEEDS_CUSTOMER = new Set(['authentication_required', 'requires_action'])

/**
 * Declines that will not change by trying again: the card expired, is lost or
 * stolen, or the number is wrong; the bank account is closed or unknown. The
 * method is marked unusable; a new one has to be added.
 */
export const FINAL_DECLINES = new Set([
  'expired_card',
  'incorrect_number',
  'invalid_number',
  'lost_card',
  'stolen_card',
  'pickup_card',
  'account_closed',
  'no_account',
  'bank_account_unusable',
])

/** The parts of a provider error that decide its class (Stripe's error shape; the SDK's error objects have them). */
export type ProviderErrorShape = {
  type?: string
  code?: string
  decline_code?: string
  param?: string
  statusCode?: number
  message?: string
  payment_intent?: { id?: string } | null
}

/** Stripe puts the reason in decline_code, or in code (expired_card …); the SDK sets an absent decline_code to ''. */
export const reasonOf = (e: { decline_code?: string | null; code?: string | null }, fallback: string): string => e.decline_code || e.code || fallback

/** A decline, in its class: final ones make the method unusable. */
export function declineClass(paymentId: string | null, declineCode: string, message: string): ChargeResult {
  if (NEEDS_CUSTOMER.has(declineCode)) return { outcome: 'requires_action', paymentId, declineCode: 'authentication_required', message, action: 'authenticate' }
  return { outcome: FINAL_DECLINES.has(declineCode) ? 'unusable' : 'declined', paymentId, declineCode, message }
}

const isCardError = (e: ProviderErrorShape) => e.type === 'StripeCardError' || e.type === 'card_error'

/** A provider error (an answer that is not a PaymentIntent) in its class. */
export function classifyError(e: ProviderErrorShape): ChargeResult {
  const paymentId = e.payment_intent?.id ?? null
  const message = e.message ?? 'the provider gave no message'
  const status = e.statusCode ?? null
  const code = e.code ?? ''
  if (isCardError(e)) return declineClass(paymentId, NEEDS_CUSTOMER.has(code) ? code : reasonOf(e, 'card_declined'), message)
  if (status === 401 || status === 403 || e.type === 'StripeAuthenticationError' || e.type === 'StripePermissionError')
    return { outcome: 'key_rejected', declineCode: code || (status === 403 ? 'permission_denied' : 'authentication_failed'), message, status }
  // Network, timeouts, 409 (a key still in use), 429, 5xx and idempotency errors: the charge may or may not exist.
  const request = e.type === 'StripeInvalidRequestError' || e.type === 'invalid_request_error'
  if (!request || status === null || status < 400 || status >= 500 || status === 409 || status === 429) return { outcome: 'outage', message, status }
  // What a 4xx says it is about decides whom it concerns.
  if (e.param === 'customer' && code === 'resource_missing') return { outcome: 'customer_missing', declineCode: code, message }
  // The method is gone (resource_missing), or not the customer's (another customer's, detached, never attached).
  if (e.param === 'payment_method' && (code === '' || code === 'resource_missing')) return { outcome: 'unusable', paymentId, declineCode: code || 'payment_method_unusable', message }
  return { outcome: 'refused', declineCode: code || 'invalid_request', message, status }
}

/** A PaymentIntent's status (an answer or a later lookup) in its class. */
export function classifyIntent(intent: {
  id: string
  status: string
  last_payment_error?: { code?: string; decline_code?: string; message?: string } | null
  next_action?: { type?: string } | null
}): ChargeResult {
  const last = intent.last_payment_error ?? {}
  const waiting = 'the customer must authenticate this payment'
  switch (intent.status) {
    case 'succeeded':
      return { outcome: 'succeeded', paymentId: intent.id }
    case 'processing':
    case 'requires_capture':
      return { outcome: 'processing', paymentId: intent.id }
    case 'requires_action':
    case 'requires_confirmation': {
      const microdeposits = intent.next_action?.type === 'verify_with_microdeposits'
      return {
        outcome: 'requires_action',
        paymentId: intent.id,
        declineCode: microdeposits ? 'verify_with_microdeposits' : 'authentication_required',
        message: last.message ?? (microdeposits ? 'the customer must verify the bank account with the micro-deposits it received' : waiting),
        action: microdeposits ? 'verify_microdeposits' : 'authenticate',
      }
    }
    case 'canceled':
      return { outcome: 'canceled', paymentId: intent.id, message: 'the payment was canceled' }
    default:
      // requires_payment_method: a decline (also after processing), or one the customer can still authenticate.
      return declineClass(intent.id, reasonOf(last, intent.status), last.message ?? `the payment is ${intent.status}`)
  }
}
