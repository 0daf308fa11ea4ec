// POST /v1/stripe/webhook on the built `wsb serve` (issue 22): Stripe's
// events, signed as Stripe signs them by the stateful fake, reach the same core
// function as the core tests'; a 3-D Secure payment the customer completes is
// paid through the webhook, once however often it is delivered, and nothing
// unsigned or signed with another secret changes anything.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { wsbAsync } from '../helpers/cli.js'
import { call, serve } from '../helpers/serve.js'
import { type StripeFake, startStripeFake } from '../helpers/stripe-fake.js'
import { tempDbPath } from '../helpers/temp.js'

const KEY = 'sk_test_51WebhookServeNeverShown00'
const SECRET = 'whsec_wsb_serve_test_0123456789'
let fake: StripeFake

beforeAll(async () => {
  fake = await startStripeFake({ now: () => Date.parse('2026-06-01T00:00:00Z') })
  fake.addCard('pm_card_threeDSecure', { last4: '3220', exp_month: 12, exp_year: 2099, behaviour: 'requires_action' })
})
afterAll(() => fake.close())

describe('POST /v1/stripe/webhook', () => {
  it('SPEC §3 R-PAY-1 the customer authenticates: the signed payment_intent.succeeded pays the invoice once; a bad signature is 400 and changes nothing; no secret is 503', async () => {
    const db = tempDbPath()
    const env = { STRIPE_API_KEY: KEY, STRIPE_API_BASE: fake.url }
    const cli = async (...args: string[]) => {
      const out = await wsbAsync([...args, '--json'], { db, env })
      if (out.code !== 0 && args[0] !== 'sub') throw new Error(`${args.join(' ')}: ${out.stdout}${out.stderr}`)
      return out
    }
    await cli('workspace', 'create', 'Hooked', '--mode', 'single', '--clock-start', '2026-06-01')
    await cli('account', 'create', 'Hooked', '--currency', 'USD')
    await cli('pm', 'add', 'Hooked', 'pm_card_threeDSecure')
    await cli('sub', 'add', 'Hooked', '--item', 'users=2', '--no-trial')
    const [open] = (await cli('invoice', 'list')).json().invoices
    expect(open).toMatchObject({ status: 'open', payments: [expect.objectContaining({ outcome: 'requires_action' })] })
    const intent = [...fake.paymentIntents.values()].find((pi) => pi.metadata?.wsb_invoice_id === open.id)
    if (!intent) throw new Error('no PaymentIntent for the invoice')

    const server = await serve(db, [], { ...env, STRIPE_WEBHOOK_SECRET: SECRET })
    try {
      fake.authenticate(intent.id)
      const event = [...fake.events].reverse().find((e) => e.type === 'payment_intent.succeeded' && e.data.object.id === intent.id)
      if (!event) throw new Error('the fake recorded no payment_intent.succeeded')
      const hook = `${server.url}/v1/stripe/webhook`

      const forged = await fake.send(event, hook, 'whsec_someone_else')
      expect(forged.status).toBe(400)
      expect(JSON.parse(forged.body).error.code).toBe('WEBHOOK_SIGNATURE_INVALID')
      const unsigned = await call(server.url, 'POST', '/v1/stripe/webhook', { raw: fake.sign(event, SECRET).payload, headers: { 'content-type': 'application/json' } })
      expect([unsigned.status, unsigned.body.error.code]).toEqual([400, 'WEBHOOK_SIGNATURE_INVALID'])
      expect((await cli('invoice', 'list')).json().invoices[0].status).toBe('open')

      const first = await fake.send(event, hook, SECRET)
      expect(first.status).toBe(200)
      expect(JSON.parse(first.body)).toEqual({ received: true, eventId: event.id, type: 'payment_intent.succeeded', applied: true })
      const again = await fake.send(event, hook, SECRET)
      expect(JSON.parse(again.body)).toMatchObject({ eventId: event.id, applied: false })

      const [paid] = (await cli('invoice', 'list')).json().invoices
      expect(paid).toMatchObject({ status: 'paid', amountPaid: { amount: 2000, currency: 'USD' } })
      expect((await cli('events', '--kind', 'invoice.paid')).json().events).toHaveLength(1)
      // One PaymentIntent for the invoice, and it is the one the customer completed.
      expect([...fake.paymentIntents.values()].filter((pi) => pi.metadata?.wsb_invoice_id === open.id).map((pi) => pi.status)).toEqual(['succeeded'])
      expect(server.log()).not.toContain(SECRET)
      expect(server.log()).not.toContain(KEY)
    } finally {
      expect((await server.stop()).code).toBe(0)
    }

    const bare = await serve(db, [], env)
    try {
      const answer = await call(bare.url, 'POST', '/v1/stripe/webhook', { raw: '{}', headers: { 'content-type': 'application/json', 'stripe-signature': 't=1,v1=00' } })
      expect([answer.status, answer.body.error.code]).toEqual([503, 'WEBHOOK_SECRET_MISSING'])
      expect(answer.body.error.message).toContain('STRIPE_WEBHOOK_SECRET')
    } finally {
      await bare.stop()
    }
  })
})
