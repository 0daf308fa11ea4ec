// POST /v1/stripe/webhook: Stripe's events about payments (docs/payments.md "Webhooks").
// No API key: the Stripe-Signature over the exact body, checked with the
// endpoint's signing secret (STRIPE_WEBHOOK_SECRET), is the authentication.
// The event is applied on the writing side, between metering batches.
import { invalid } from '../core/errors.js'
import { receiveStripeWebhook } from '../core/payments/webhooks.js'
import type { Route, Services } from './route.js'
import * as schemas from './schemas.js'

export function stripeRoutes(services: Services): Route[] {
  return [
    {
      method: 'POST',
      path: '/v1/stripe/webhook',
      doc: {
        summary: 'Stripe webhook endpoint: payment_intent.*, payment_method.detached and customer.deleted events, applied once each.',
        description:
          'Point a Stripe webhook endpoint (or `stripe listen --forward-to`) here and set STRIPE_WEBHOOK_SECRET to its signing secret. Every verified event is acknowledged (200); an event about nothing wsb knows, a repeat, or one older than an event already applied to the same object changes nothing (applied: false).',
        responses: {
          200: { description: 'Verified and recorded; applied says whether it changed anything.', schema: schemas.webhookResult },
          400: { description: 'WEBHOOK_SIGNATURE_INVALID: no Stripe-Signature, or one that does not verify with the secret; nothing changed.', schema: schemas.errorBody },
          503: { description: 'WEBHOOK_SECRET_MISSING: this server has no STRIPE_WEBHOOK_SECRET and cannot verify events.', schema: schemas.errorBody },
        },
      },
      handle: async (request) => {
        const secret = process.env.STRIPE_WEBHOOK_SECRET ?? ''
        if (!secret)
          throw invalid('this server cannot verify Stripe webhooks: start wsb serve with STRIPE_WEBHOOK_SECRET set to the endpoint signing secret (whsec_…)', {}, 'WEBHOOK_SECRET_MISSING')
        const header = request.headers['stripe-signature']
        const signature = Array.isArray(header) ? header[0] : header
        const result = await services.writer.exclusive((db) => receiveStripeWebhook(db, { payload: request.body, signature, secret }))
        return { status: 200, json: result }
      },
    },
  ]
}
