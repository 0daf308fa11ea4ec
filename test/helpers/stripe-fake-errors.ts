// Stripe's error envelope, `{ error: { type, code, message, param, ... } }`.
// Handlers throw StripeApiError; the server turns it into the HTTP answer.

export type StripeErrorBody = {
  type: 'invalid_request_error' | 'card_error' | 'api_error' | 'idempotency_error'
  message: string
  code?: string
  decline_code?: string
  param?: string
  doc_url?: string
  charge?: string
  payment_intent?: unknown
  payment_method?: unknown
  setup_intent?: unknown
}

export class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: StripeErrorBody,
  ) {
    super(body.message)
  }
}

export const docUrl = (code: string): string => `https://stripe.com/docs/error-codes/${code.replace(/_/g, '-')}`

export const invalidRequest = (message: string, extra: Omit<StripeErrorBody, 'type' | 'message'> = {}): StripeApiError =>
  new StripeApiError(400, { type: 'invalid_request_error', message, ...extra })

/** `No such customer: 'cus_x'`, the message Stripe gives for every unknown id. */
export const noSuch = (what: string, id: string, param: string): StripeApiError =>
  new StripeApiError(404, {
    type: 'invalid_request_error',
    code: 'resource_missing',
    message: `No such ${what}: '${id}'`,
    param,
    doc_url: docUrl('resource_missing'),
  })

/**
 * For parameters that the spec allows but this fake does not model: failing
 * loudly beats silently ignoring them and letting a test assert on a lie.
 */
export const notModelled = (param: string, endpoint: string): StripeApiError =>
  invalidRequest(`The Stripe fake does not implement '${param}' on ${endpoint}; extend test/helpers/stripe-fake-resources.ts`, {
    param,
  })
