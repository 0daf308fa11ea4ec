// Every answer of a payment provider, in one of six classes, and what wsb does
// for each (README "Payments"). Providers turn their own answers into a
// ChargeResult here, so collection (collect.ts) decides on the class only.
//   succeeded       the invoice is paid
//   declined        the card or bank said no: fail over to the next method, then dunning
//   requires_action the customer must authenticate (3-D Secure): stop failover for this
//                   invoice, notify with the next step, keep it open, no blind retry
//   processing      in flight (bank debits): record it, charge nothing else, settle later
//   unusable        the method is gone or not the customer's: mark it, notify, fail over
//   outage          network, 429, 5xx, auth: outcome unknown; look up, then retry with backoff

export type ChargeResult =
  | { outcome: 'succeeded'; paymentId: string }
  | { outcome: 'declined'; paymentId: string | null; declineCode: string; message: string }
  | { outcome: 'requires_action'; paymentId: string | null; declineCode: string; message: string }
  | { outcome: 'processing'; paymentId: string }
  | { outcome: 'unusable'; paymentId: string | null; declineCode: string; message: string }
  | { outcome: 'outage'; message: string; status: number | null }

export type ChargeClass = ChargeResult['outcome']

/** Stripe's codes that mean the customer has to act (authenticate) before this method can pay. */
const NEEDS_CUSTOMER = new Set(['authentication_required', 'requires_action'])

/** The parts of a provider error that decide its class (Stripe's error shape; the SDK's error objects have them). */
export type ProviderErrorShape = { type?: string; code?: string; decline_code?: string; statusCode?: number; message?: string; payment_intent?: { id?: string } | null }

/** Stripe puts the reason in decline_code, or in code (expired_card …); the SDK sets an absent decline_code to ''. */
export const reasonOf = (e: { decline_code?: string | null; code?: string | null }, fallback: string): string => e.decline_code || e.code || fallback

/** A provider error (an answer that is not a PaymentIntent) in its class. */
export function classifyError(e: ProviderErrorShape): ChargeResult {
  const paymentId = e.payment_intent?.id ?? null
  const message = e.message ?? 'the provider gave no message'
  const status = e.statusCode ?? null
  const reason = reasonOf(e, '')
  if (e.type === 'StripeCardError' || e.type === 'card_error') {
    if (NEEDS_CUSTOMER.has(reason) || NEEDS_CUSTOMER.has(e.code ?? '')) return { outcome: 'requires_action', paymentId, declineCode: 'authentication_required', message }
    return { outcome: 'declined', paymentId, declineCode: reason || 'card_declined', message }
  }
  // Anything else below 500 except 401/403/409/429 is about this request: with our
  // well-formed requests that means the method (deleted, detached, another customer's).
  const request = e.type === 'StripeInvalidRequestError' || e.type === 'invalid_request_error'
  if (request && status !== null && status >= 400 && status < 500 && ![401, 403, 409, 429].includes(status))
    return { outcome: 'unusable', paymentId, declineCode: reason || 'invalid_request', message }
  // Network, 429, 5xx, idempotency and auth errors: the charge may or may not exist.
  return { outcome: 'outage', message, status }
}

/** A PaymentIntent's status (an answer or a later lookup) in its class. */
export function classifyIntent(intent: { id: string; status: string; last_payment_error?: { code?: string; decline_code?: string; message?: string } | null }): ChargeResult {
  const last = intent.last_payment_error ?? {}
  switch (intent.status) {
    case 'succeeded':
      return { outcome: 'succeeded', paymentId: intent.id }
    case 'processing':
    case 'requires_capture':
      return { outcome: 'processing', paymentId: intent.id }
    case 'requires_action':
    case 'requires_confirmation':
      return { outcome: 'requires_action', paymentId: intent.id, declineCode: 'authentication_required', message: last.message ?? 'the customer must authenticate this payment' }
    default:
      // requires_payment_method (a decline, also after processing) or canceled.
      if (NEEDS_CUSTOMER.has(reasonOf(last, ''))) return { outcome: 'requires_action', paymentId: intent.id, declineCode: 'authentication_required', message: last.message ?? 'the customer must authenticate this payment' }
      return { outcome: 'declined', paymentId: intent.id, declineCode: reasonOf(last, intent.status), message: last.message ?? `the payment is ${intent.status}` }
  }
}
