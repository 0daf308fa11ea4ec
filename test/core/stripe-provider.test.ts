// The Stripe provider through the real stripe SDK against a strict local fake
// of Stripe's API (test/helpers/stripe-fake.ts), which validates every request
// against Stripe's OpenAPI description and records it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { updateAccount } from '../../src/core/accounts/update.js'
import { listInvoices } from '../../src/core/invoices/list.js'
import { collectInvoice } from '../../src/core/payments/collect.js'
import { addPaymentMethod, listPaymentMethods, removePaymentMethod } from '../../src/core/payments/methods.js'
import { STRIPE_API_VERSION, StripeProvider } from '../../src/core/payments/stripe.js'
import { addSubscription } from '../../src/core/subscriptions/add.js'
import { showSubscription } from '../../src/core/subscriptions/list.js'
import { type StripeFake, startStripeFake } from '../helpers/stripe-fake.js'
import { account, refresh, workspace } from '../builders.js'

const KEY = 'sk_test_wsb_do_not_print_51Hq'
let fake: StripeFake
let stripe: StripeProvider

beforeAll(async () => {
  fake = await startStripeFake()
  stripe = new StripeProvider(KEY, fake.url)
})
afterAll(() => fake.close())

const posts = (path: RegExp) => fake.requests.filter((r) => r.method === 'POST' && path.test(r.path) && r.status !== 0)

async function setupAccount(name: string, tokens: string[]) {
  const ctx = await workspace('single', { name: `${name} ws`, start: Date.parse('2026-05-01T00:00:00Z') })
  await account(ctx, name, { email: `${name.toLowerCase()}@example.test` })
  const methods = []
  for (const token of tokens) methods.push(await addPaymentMethod(ctx, stripe, { account: name, source: token }))
  return { ctx, methods }
}

describe('Stripe provider', () => {
  it('SPEC §3 an account becomes a Customer; pm add saves through an off-session SetupIntent; the first method is the invoice_settings default; the API version is pinned', async () => {
    const before = fake.requests.length
    const { ctx, methods } = await setupAccount('Northwind', ['pm_card_visa', 'pm_card_mastercard'])
    const calls = fake.requests.slice(before)
    const customer = calls.find((r) => r.path === '/v1/customers' && r.method === 'POST')
    expect(customer?.body).toEqual({ metadata: { wsb_account_id: expect.stringMatching(/^acct_/), wsb_workspace_id: expect.stringMatching(/^ws_/) } })
    expect(customer?.idempotencyKey).toBe(`wsb-customer-${customer?.body.metadata && (customer.body.metadata as Record<string, string>).wsb_account_id}`)
    const customerId = [...fake.customers.keys()].at(-1) as string
    expect(fake.customers.get(customerId)).toMatchObject({ name: 'Northwind', email: 'northwind@example.test' })
    expect(calls.filter((r) => r.path === '/v1/setup_intents').map((r) => r.body)).toEqual([
      { customer: customerId, payment_method: 'pm_card_visa', usage: 'off_session', confirm: 'true', automatic_payment_methods: { enabled: 'true', allow_redirects: 'never' }, expand: ['payment_method'] },
      { customer: customerId, payment_method: 'pm_card_mastercard', usage: 'off_session', confirm: 'true', automatic_payment_methods: { enabled: 'true', allow_redirects: 'never' }, expand: ['payment_method'] },
    ])
    expect(fake.paymentMethods.get(methods[1]?.providerId ?? '')?.object.customer).toBe(customerId)
    expect(new Set(calls.map((r) => r.stripeVersion))).toEqual(new Set([STRIPE_API_VERSION]))
    const updates = calls.filter((r) => r.path === `/v1/customers/${customerId}`)
    expect(updates.map((r) => r.body)).toEqual([{ name: 'Northwind', email: 'northwind@example.test' }, { invoice_settings: { default_payment_method: methods[0]?.providerId } }])
    expect(fake.customers.get(customerId)?.invoice_settings.default_payment_method).toBe(methods[0]?.providerId)
    expect(methods.map((m) => [m.provider, m.brand, m.last4, m.isDefault])).toEqual([
      ['stripe', 'visa', '4242', true],
      ['stripe', 'mastercard', '4444', false],
    ])
    expect(await (await listPaymentMethods(ctx,'Northwind')).paymentMethods[0]?.providerId).toMatch(/^pm_/)
  })

  it('SPEC §3 R-PAY-1 an attempt is an off-session PaymentIntent keyed by (invoice, run, method); a card_error fails over', async () => {
    const { ctx, methods } = await setupAccount('Contoso', ['pm_card_chargeCustomerFail', 'pm_card_visa'])
    await addSubscription(ctx, { account: 'Contoso', items: { users: 4 }, trial: false })
    const [invoice] = await (await listInvoices(await refresh(ctx))).invoices
    const before = fake.requests.length
    const outcome = await collectInvoice(await refresh(ctx), stripe, invoice?.id ?? '', { kind: 'run' })
    expect(outcome).toMatchObject({ paid: true, attempts: 2 })
    const intents = fake.requests.slice(before).filter((r) => r.path === '/v1/payment_intents')
    expect(intents.map((r) => [r.status, r.idempotencyKey])).toEqual([
      [402, `wsb_${invoice?.id}_run-1_${methods[0]?.id}`],
      [200, `wsb_${invoice?.id}_run-1_${methods[1]?.id}`],
    ])
    expect(intents[1]?.body).toMatchObject({
      amount: '4000',
      currency: 'usd',
      customer: expect.stringMatching(/^cus_/),
      payment_method: methods[1]?.providerId,
      off_session: 'true',
      confirm: 'true',
      metadata: { wsb_invoice_id: invoice?.id, wsb_invoice_number: '1', wsb_account_id: invoice?.accountId, wsb_run: 'run-1' },
    })
    const paid = await (await listInvoices(await refresh(ctx))).invoices[0]
    expect(paid?.payments.map((p) => [p.provider, p.outcome, p.declineCode])).toEqual([
      ['stripe', 'failed', 'generic_decline'],
      ['stripe', 'succeeded', null],
    ])
    expect(paid?.payments[1]?.providerPaymentId).toMatch(/^pi_/)
  })

  it('SPEC §3 a charge whose answer was lost is looked up before any retry and not made twice', async () => {
    const { ctx } = await setupAccount('Fabrikam', ['pm_card_visa'])
    await addSubscription(ctx, { account: 'Fabrikam', items: { users: 2 }, trial: false })
    const [invoice] = await (await listInvoices(await refresh(ctx))).invoices
    const intentsBefore = fake.paymentIntents.size
    // The PaymentIntent is created, then every answer is lost: the SDK's retries replay the same key.
    fake.failNext(2, 'network', 'after') // the SDK retries a closed connection once, with the same key
    await expect(collectInvoice(await refresh(ctx), stripe, invoice?.id ?? '', { kind: 'run' })).rejects.toMatchObject({ code: 'PROVIDER_ERROR', exitCode: 5 })
    expect(await (await listInvoices(await refresh(ctx))).invoices[0]).toMatchObject({ status: 'open', payments: [expect.objectContaining({ outcome: 'error' })] })
    // Running the collection again (the lifecycle retries it) first looks the attempt's PaymentIntent up: it succeeded, nothing is sent again.
    const posted = posts(/^\/v1\/payment_intents$/).length
    const outcome = await collectInvoice(await refresh(ctx), stripe, invoice?.id ?? '', { kind: 'run' })
    expect(outcome.paid).toBe(true)
    expect(fake.paymentIntents.size).toBe(intentsBefore + 1)
    expect(posts(/^\/v1\/payment_intents$/).length).toBe(posted)
    expect(fake.requests.at(-1)).toMatchObject({ method: 'GET', path: '/v1/payment_intents', query: { customer: expect.stringMatching(/^cus_/) } })
    expect(await (await listInvoices(await refresh(ctx))).invoices[0]?.payments.map((p) => p.outcome)).toEqual(['succeeded'])
  })

  it('SPEC §3 R-PAY-2 declines on Stripe drive dunning like the sandbox; pm remove detaches', async () => {
    const { ctx, methods } = await setupAccount('Litware', ['pm_card_chargeCustomerFail'])
    const sub = await addSubscription(ctx, { account: 'Litware', items: { users: 1 }, trial: false })
    const [invoice] = await (await listInvoices(await refresh(ctx))).invoices
    expect(await collectInvoice(await refresh(ctx), stripe, invoice?.id ?? '', { kind: 'run' })).toMatchObject({ paid: false, status: 'open' })
    expect((await showSubscription(await refresh(ctx), sub.id)).status).toBe('past_due')
    expect(await ctx.db.all(`SELECT due_at FROM due_steps WHERE kind = 'collect' AND ref_id = ?`, invoice?.id ?? null)).toEqual([
      { due_at: Date.parse('2026-05-04T00:00:00Z') },
    ])
    const backup = await addPaymentMethod(await refresh(ctx), stripe, { account: 'Litware', source: 'pm_card_visa' })
    await removePaymentMethod(await refresh(ctx), stripe, { account: 'Litware', method: methods[0]?.id ?? '' })
    expect(posts(/\/detach$/).at(-1)?.path).toBe(`/v1/payment_methods/${methods[0]?.providerId}/detach`)
    expect(await (await listPaymentMethods(await refresh(ctx),'Litware')).paymentMethods).toMatchObject([{ id: backup.id, isDefault: true }])
  })

  it('SPEC §3 a declining card is refused at attach (live Stripe semantics) and nothing is stored', async () => {
    const { ctx } = await setupAccount('Adatum', [])
    await expect(addPaymentMethod(ctx, stripe, { account: 'Adatum', source: 'pm_card_chargeDeclined' })).rejects.toMatchObject({ code: 'CARD_REFUSED', exitCode: 2 })
    await expect(addPaymentMethod(ctx, stripe, { account: 'Adatum', source: 'pm_nonexistent123' })).rejects.toMatchObject({ code: 'UNKNOWN_PAYMENT_METHOD' })
    expect(await (await listPaymentMethods(ctx,'Adatum')).paymentMethods).toEqual([])
  })

  it('SPEC §3 a card whose bank wants 3-D Secure at setup is reported (SETUP_NEEDS_AUTHENTICATION) and not stored; bank debits are saved with their type', async () => {
    const { ctx } = await setupAccount('Wingtip', [])
    await expect(addPaymentMethod(ctx, stripe, { account: 'Wingtip', source: 'pm_card_authenticationRequiredOnSetup' })).rejects.toMatchObject({
      code: 'SETUP_NEEDS_AUTHENTICATION',
      exitCode: 2,
      details: { setupIntentId: expect.stringMatching(/^seti_/) },
    })
    expect(await (await listPaymentMethods(ctx, 'Wingtip')).paymentMethods).toEqual([])
    await addPaymentMethod(ctx, stripe, { account: 'Wingtip', source: 'pm_sepaDebit_success', mandate: { acceptance: 'offline' } })
    await addPaymentMethod(ctx, stripe, { account: 'Wingtip', source: 'pm_usBankAccount_success', mandate: { acceptance: 'online', ipAddress: '203.0.113.7', userAgent: 'Mozilla/5.0' } })
    expect((await listPaymentMethods(ctx, 'Wingtip')).paymentMethods.map((m) => [m.type, m.label, m.expired])).toEqual([
      ['sepa_debit', 'SEPA debit ••••3000', false],
      ['us_bank_account', 'US bank account ••••6789', false],
    ])
  })

  it('SPEC §3 keyed parameters never change: a rename between a lost customer answer and its retry makes one customer, no idempotency_error', async () => {
    const ctx = await workspace('single', { name: 'Rename ws', start: Date.parse('2026-05-01T00:00:00Z') })
    await account(ctx, 'Old Name', { email: 'old@example.test' })
    const customersBefore = fake.customers.size
    fake.failNext(2, 'network', 'after') // the SDK retries a closed connection once, with the same key
    await expect(addPaymentMethod(ctx, stripe, { account: 'Old Name', source: 'pm_card_visa' })).rejects.toMatchObject({ code: 'PROVIDER_ERROR' })
    await updateAccount(await refresh(ctx), { ref: 'Old Name', name: 'New Name', email: 'new@example.test' })
    await addPaymentMethod(await refresh(ctx), stripe, { account: 'New Name', source: 'pm_card_visa' })
    expect(fake.customers.size).toBe(customersBefore + 1)
    expect([...fake.customers.values()].at(-1)).toMatchObject({ name: 'New Name', email: 'new@example.test' })
  })

  it('SPEC §3 provider errors never carry the secret key', async () => {
    const { ctx } = await setupAccount('Tailspin', ['pm_card_visa'])
    const wrong = new StripeProvider('sk_test_wrong_key_zzz', fake.url)
    await addSubscription(ctx, { account: 'Tailspin', items: { users: 1 }, trial: false })
    fake.failNext(1, 401)
    let caught: unknown
    try {
      await collectInvoice(await refresh(ctx), wrong, await (await listInvoices(await refresh(ctx))).invoices[0]?.id ?? '', { kind: 'manual' })
    } catch (error) {
      caught = error
    }
    expect(caught).toMatchObject({ code: 'PROVIDER_KEY_REJECTED', exitCode: 5 })
    expect(JSON.stringify({ message: (caught as Error).message, details: (caught as { details: unknown }).details })).not.toContain('sk_test_')
    const stored = JSON.stringify(await ctx.db.all('SELECT * FROM payment_attempts')) + JSON.stringify(await ctx.db.all('SELECT * FROM events'))
    expect(stored).not.toContain('sk_test_')
  })
})
