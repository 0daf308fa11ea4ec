// Payments through the built binary: the sandbox by default, Stripe (the real
// SDK, against the strict local fake) when a key is set. The key never shows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDbPath } from '../helpers/temp.js'
import { wsb, wsbAsync } from '../helpers/cli.js'
import { type StripeFake, startStripeFake } from '../helpers/stripe-fake.js'

describe('payments in the sandbox', () => {
  it('R-PM-1 R-PAY-1 pm add|list|default|remove and invoice pay, with sandbox named in the output', () => {
    const db = tempDbPath()
    const cli = (...args: string[]) => wsb([...args, '--json'], { db })
    cli('workspace', 'create', 'Acme', '--mode', 'single', '--clock-start', '2026-01-01')
    cli('account', 'create', 'Acme', '--currency', 'USD')
    const declined = cli('pm', 'add', 'Acme', 'pm_card_chargeDeclined').json()
    expect(declined).toMatchObject({ id: expect.stringMatching(/^pmr_/), provider: 'sandbox', brand: 'visa', last4: '0002', isDefault: true, expiresSoon: false })
    cli('sub', 'add', 'Acme', '--item', 'users=2', '--no-trial')
    const [invoice] = cli('invoice', 'list').json().invoices
    expect(invoice).toMatchObject({ status: 'open', payments: [{ provider: 'sandbox', outcome: 'failed', declineCode: 'generic_decline', run: 'run-1' }] })
    const failed = cli('invoice', 'pay', invoice.id)
    expect([failed.code, failed.json().error.code]).toEqual([5, 'PAYMENT_FAILED'])
    // The account by its name and the invoice by its number, as the operator knows them.
    expect(failed.json().error.message).toBe(`every payment method of account "Acme" was declined (sandbox); invoice ${invoice.invoiceNumber} stays open`)
    const dunned = cli('notifications').json().notifications.find((n: { kind: string }) => n.kind === 'payment_failed')
    expect(dunned.message).toMatch(new RegExp(`^Payment of invoice ${invoice.invoiceNumber} failed on every payment method`))
    expect(failed.json().error.details.attempts).toMatchObject([{ provider: 'sandbox', declineCode: 'generic_decline', run: 'manual-1' }])
    const visa = cli('pm', 'add', 'Acme', 'pm_card_visa').json()
    expect(cli('pm', 'default', 'Acme', visa.id).json()).toMatchObject({ id: visa.id, isDefault: true })
    expect(cli('pm', 'list', 'Acme').json().paymentMethods.map((m: { last4: string }) => m.last4)).toEqual(['4242', '0002'])
    const paid = cli('invoice', 'pay', invoice.id)
    expect(paid.code).toBe(0)
    expect(paid.json()).toMatchObject({ status: 'paid', amountPaid: { amount: 2000, currency: 'USD' } })
    // Paying it again charges nothing and says so.
    const again = wsb(['invoice', 'pay', invoice.id], { db })
    expect(again.code).toBe(0)
    expect(again.stdout).toMatch(/^Invoice \S+ was already paid on 2026-01-01: nothing was charged\.\n/)
    expect(cli('invoice', 'show', invoice.id).json().payments.map((p: { outcome: string }) => p.outcome)).toEqual(['failed', 'failed', 'succeeded'])
    expect(wsb(['invoice', 'show', invoice.id], { db, env: { NO_COLOR: '1' } }).stdout).toContain('sandbox')
    const last = cli('pm', 'remove', 'Acme', declined.id)
    expect(last.json().paymentMethods.map((m: { id: string }) => m.id)).toEqual([visa.id])
    expect(cli('pm', 'remove', 'Acme', visa.id).json().error.code).toBe('LAST_PAYMENT_METHOD')
    expect(cli('pm', 'add', 'Acme', 'pm_card_unknown').code).toBe(2)
    expect(cli('pm', 'list', 'Nobody').code).toBe(3)
  })

  it('R-PM-2 a card number is refused with exit 4 and never echoed, stored or logged', () => {
    const db = tempDbPath()
    wsb(['workspace', 'create', 'Acme', '--mode', 'single'], { db })
    wsb(['account', 'create', 'Acme', '--currency', 'USD'], { db })
    for (const args of [
      ['pm', 'add', 'Acme', '4242424242424242', '--json'],
      ['pm', 'add', 'Acme', '4242 4242 4242 4242'],
      ['pm', 'add', 'Acme', '5555-5555-5555-4444', '--json'],
    ]) {
      const out = wsb(args, { db, env: { DEBUG: 'wsb*' } })
      expect(out.code).toBe(4)
      expect(out.stdout + out.stderr).toContain('RAW_CARD_REFUSED')
      expect(out.stdout + out.stderr).not.toMatch(/4242 ?4242|5555-5555/)
    }
    expect(wsb(['pm', 'list', 'Acme', '--json'], { db }).json().paymentMethods).toEqual([])
    expect(JSON.stringify(wsb(['events', '--json'], { db }).json())).not.toMatch(/4242424242/)
  })
})

describe('payments through Stripe', () => {
  const KEY = 'sk_test_51NeverPrintMeAnywhere0000'
  let fake: StripeFake
  beforeAll(async () => {
    fake = await startStripeFake()
  })
  afterAll(() => fake.close())

  const stripeCli = (db: string, extra: Record<string, string> = {}) => (...args: string[]) =>
    wsbAsync([...args, '--json'], { db, env: { STRIPE_API_KEY: KEY, STRIPE_API_BASE: fake.url, ...extra } })

  it('SPEC §3 pm add and sub add charge through Stripe with failover; the key never appears in any output', async () => {
    const db = tempDbPath()
    const cli = stripeCli(db)
    const outputs: string[] = []
    const run = async (...args: string[]) => {
      const out = await cli(...args)
      outputs.push(out.stdout, out.stderr)
      return out
    }
    await run('workspace', 'create', 'Stripe Co', '--mode', 'single', '--clock-start', '2026-06-01')
    await run('account', 'create', 'Stripe Co', '--currency', 'EUR', '--email', 'ap@stripe-co.test')
    const first = (await run('pm', 'add', 'Stripe Co', 'pm_card_chargeCustomerFail')).json()
    expect(first).toMatchObject({ provider: 'stripe', last4: '0341', isDefault: true, providerId: expect.stringMatching(/^pm_/) })
    await run('pm', 'add', 'Stripe Co', 'pm_card_visa')
    const sub = (await run('sub', 'add', 'Stripe Co', '--item', 'users=3', '--no-trial')).json()
    expect(sub.status).toBe('active')
    const [invoice] = (await run('invoice', 'list')).json().invoices
    expect(invoice).toMatchObject({ status: 'paid', amountPaid: { amount: 2700, currency: 'EUR' } })
    expect(invoice.payments.map((p: { provider: string; outcome: string }) => [p.provider, p.outcome])).toEqual([
      ['stripe', 'failed'],
      ['stripe', 'succeeded'],
    ])
    const charged = fake.requests.filter((r) => r.path === '/v1/payment_intents' && r.status === 200)
    expect(charged.at(-1)?.body).toMatchObject({ amount: '2700', currency: 'eur', off_session: 'true', confirm: 'true' })
    const denied = await run('pm', 'add', 'Stripe Co', '4000 0000 0000 0002')
    expect(denied.code).toBe(4)
    for (const text of outputs) expect(text).not.toContain(KEY)
    expect(fake.requests.every((r) => r.headers.authorization === `Bearer ${KEY}`)).toBe(true)
  })

  it('SPEC §3 an unreachable Stripe is exit 5 with the invoice still open and the attempt recorded; the key stays secret', async () => {
    const db = tempDbPath()
    const cli = stripeCli(db)
    await cli('workspace', 'create', 'Down', '--mode', 'single', '--clock-start', '2026-06-01')
    await cli('account', 'create', 'Down', '--currency', 'USD')
    await cli('pm', 'add', 'Down', 'pm_card_visa')
    // Stripe answers 500 to the charge (the SDK does not retry it): the collection is rescheduled, not failed.
    fake.failNext(1, 500)
    const sub = await cli('sub', 'add', 'Down', '--item', 'users=1', '--no-trial')
    expect(sub.code).toBe(0)
    const [invoice] = (await cli('invoice', 'list')).json().invoices
    expect(invoice).toMatchObject({ status: 'open', payments: [expect.objectContaining({ outcome: 'error' })] })
    fake.failNext(1, 500) // the lookup of the unknown attempt fails: nothing is charged
    const pay = await cli('invoice', 'pay', invoice.id)
    expect(pay.code).toBe(5)
    expect(pay.json().error).toMatchObject({ code: 'PROVIDER_ERROR', details: { provider: 'stripe' } })
    expect(pay.stdout + pay.stderr).not.toContain(KEY)
    expect((await cli('invoice', 'show', invoice.id)).json().status).toBe('open')
    const bad = await stripeCli(db, { STRIPE_API_BASE: 'not a url' })('invoice', 'pay', invoice.id)
    expect([bad.code, bad.json().error.code]).toEqual([2, 'INVALID_ENVIRONMENT'])
    expect(bad.stdout + bad.stderr).not.toContain(KEY)
    const paid = await cli('invoice', 'pay', invoice.id)
    expect(paid.json()).toMatchObject({ status: 'paid' })
  })

  it('SPEC §3 a card deleted in the Dashboard never blocks the workspace: the attempt is recorded, the backup pays, every command keeps working', async () => {
    const db = tempDbPath()
    const cli = stripeCli(db)
    await cli('workspace', 'create', 'Deleted', '--mode', 'single', '--clock-start', '2026-06-01')
    await cli('account', 'create', 'Deleted', '--currency', 'USD')
    const gone = (await cli('pm', 'add', 'Deleted', 'pm_card_visa')).json()
    await cli('pm', 'add', 'Deleted', 'pm_card_mastercard')
    fake.failNext(1, { status: 400, error: { type: 'invalid_request_error', code: 'resource_missing', param: 'payment_method', message: `No such PaymentMethod: '${gone.providerId}'` } })
    const sub = await cli('sub', 'add', 'Deleted', '--item', 'users=1', '--no-trial')
    expect(sub.code).toBe(0)
    const list = await cli('invoice', 'list')
    expect(list.code).toBe(0)
    expect(list.json().invoices[0]).toMatchObject({
      status: 'paid',
      amountPaid: { amount: 1000, currency: 'USD' },
      payments: [
        { outcome: 'failed', declineCode: 'resource_missing', method: 'Visa ••••4242' },
        { outcome: 'succeeded', method: 'Mastercard ••••4444' },
      ],
    })
    expect((await cli('sub', 'list')).code).toBe(0)
    expect((await cli('pm', 'list', 'Deleted')).json().paymentMethods).toMatchObject([{ id: gone.id, label: 'Visa ••••4242', unusable: { reason: 'resource_missing' } }, { unusable: null }])
    expect((await cli('notifications')).json().notifications.map((n: { kind: string }) => n.kind)).toEqual(['payment_method_unusable'])
  })
})
