// The billing engine through the built binary: clock, invoices, preview, coupons, credits.
import { describe, expect, it } from 'vitest'
import { tempDbPath } from '../helpers/temp.js'
import { wsb } from '../helpers/cli.js'

function setup(options: { currency?: string; tax?: string; card?: boolean } = {}) {
  const db = tempDbPath()
  const cli = (...args: string[]) => wsb([...args, '--json'], { db })
  cli('workspace', 'create', 'Acme', '--mode', 'single', '--clock-start', '2026-01-01')
  cli('account', 'create', 'Acme', '--currency', options.currency ?? 'USD', '--tax-rate', options.tax ?? '0')
  if (options.card !== false) cli('pm', 'add', 'Acme', 'pm_card_visa')
  return { db, cli }
}

describe('billing through the CLI', () => {
  it('R-INV-2 invoice list|show print the spec shape with money as {amount, currency}', () => {
    const { cli } = setup({ currency: 'EUR', tax: '19' })
    const sub = cli('sub', 'add', 'Acme', '--item', 'users=10', '--no-trial').json()
    const { invoices } = cli('invoice', 'list').json()
    expect(invoices).toHaveLength(1)
    const shown = cli('invoice', 'show', invoices[0].id).json()
    expect(shown).toEqual(invoices[0])
    expect(shown).toMatchObject({
      id: expect.stringMatching(/^inv_/),
      number: 1,
      accountId: sub.accountId,
      subscriptionId: sub.id,
      status: 'paid',
      currency: 'EUR',
      periodStart: '2026-01-01T00:00:00.000Z',
      periodEnd: '2026-02-01T00:00:00.000Z',
      lines: [{ description: 'Users × 10 (2026-01-01 – 2026-02-01)', product: 'users', quantity: 10, unitAmount: { amount: 900, currency: 'EUR' }, amount: { amount: 9_000, currency: 'EUR' }, proration: false }],
      subtotal: { amount: 9_000, currency: 'EUR' },
      discount: { amount: 0, currency: 'EUR' },
      tax: { amount: 1_710, currency: 'EUR' },
      creditApplied: { amount: 0, currency: 'EUR' },
      total: { amount: 10_710, currency: 'EUR' },
      amountDue: { amount: 10_710, currency: 'EUR' },
      amountPaid: { amount: 10_710, currency: 'EUR' },
      payments: [{ provider: 'sandbox', outcome: 'succeeded', run: 'run-1', amount: { amount: 10_710, currency: 'EUR' } }],
    })
    expect(cli('invoice', 'show', 'inv_nothing').code).toBe(3)
  })

  it('R-WS-3 clock advance runs what falls due; it never moves back and only test clocks move', () => {
    const { db, cli } = setup()
    cli('sub', 'add', 'Acme', '--item', 'users=1', '--no-trial')
    const moved = cli('clock', 'advance', '--by', '3mo')
    expect(moved.json()).toMatchObject({ from: '2026-01-01T00:00:00.000Z', now: '2026-04-01T00:00:00.000Z', invoicesIssued: 3, nextDueAt: '2026-05-01T00:00:00.000Z' })
    expect(cli('clock', 'show').json()).toMatchObject({ mode: 'test', now: '2026-04-01T00:00:00.000Z' })
    const back = cli('clock', 'advance', '--to', '2026-02-01')
    expect([back.code, back.json().error.code]).toEqual([2, 'CLOCK_BACKWARDS'])
    expect(cli('clock', 'advance', '--by', 'soon').code).toBe(2)
    expect(cli('clock', 'advance').code).toBe(2)
    wsb(['workspace', 'create', 'Live', '--mode', 'pooled'], { db })
    const real = wsb(['clock', 'advance', '--by', '1d', '--workspace', 'Live', '--json'], { db })
    expect([real.code, real.json().error.code]).toEqual([4, 'NOT_A_TEST_CLOCK'])
    expect(cli('invoice', 'list', '--workspace', 'Acme').json().invoices.map((i: { number: number }) => i.number)).toEqual([1, 2, 3, 4])
  })

  it('R-INV-3 invoice preview --change shows the proration and the next invoice, and writes nothing', () => {
    const { cli } = setup()
    const sub = cli('sub', 'add', 'Acme', '--item', 'users=10', '--no-trial').json()
    cli('clock', 'advance', '--by', '15d')
    const preview = cli('invoice', 'preview', 'Acme', '--change', `${sub.id}:users=15`)
    expect(preview.code).toBe(0)
    expect(preview.json()).toMatchObject({
      id: null,
      number: null,
      status: 'preview',
      proposed: { prorationTotal: { amount: 2_581, currency: 'USD' } },
      total: { amount: 17_581 },
    })
    expect(cli('sub', 'show', sub.id).json().items[0].quantity).toBe(10)
    expect(cli('invoice', 'list').json().invoices).toHaveLength(1)
    expect(cli('invoice', 'preview', 'Acme', '--change', 'users=15').code).toBe(2)
    expect(cli('invoice', 'preview', 'Acme', '--change', 'sub_nope:users=15').code).toBe(3)
  })

  it('R-INV-4 coupons, discounts and credits, with their refusals', () => {
    const { cli, db } = setup({ currency: 'EUR' })
    expect(cli('coupon', 'create', 'TEN', '--amount-off', '1000', '--duration', 'once').code).toBe(2)
    expect(cli('coupon', 'create', 'REP', '--percent-off', '10', '--duration', 'repeating').code).toBe(2)
    expect(cli('coupon', 'create', 'BIG', '--percent-off', '101', '--duration', 'once').code).toBe(2)
    expect(cli('coupon', 'create', 'USD10', '--amount-off', '1000', '--currency', 'USD', '--duration', 'forever').json()).toMatchObject({
      amountOff: { amount: 1000, currency: 'USD' },
    })
    expect(cli('account', 'discount', 'Acme', '--coupon', 'USD10').json().error.code).toBe('CURRENCY_MISMATCH')
    cli('coupon', 'create', 'EUR10', '--amount-off', '1000', '--currency', 'EUR', '--duration', 'forever')
    expect(cli('account', 'discount', 'Acme', '--coupon', 'eur10').json()).toMatchObject({ accountName: 'Acme', coupon: { code: 'EUR10' } })
    expect(cli('account', 'credit', 'Acme', '--amount', '500').json()).toMatchObject({ accountName: 'Acme', balance: { amount: 500, currency: 'EUR' } })
    // People are told which account by its name, the id beside it.
    const human = (...args: string[]) => wsb(args, { db }).stdout
    expect(human('account', 'discount', 'Acme', '--coupon', 'EUR10')).toMatch(/^Account "Acme" \(acct_\w+\) now has coupon EUR10: /)
    expect(human('account', 'credit', 'Acme')).toMatch(/^Credit balance of "Acme" \(acct_\w+\): /)
    const overdraw = cli('account', 'credit', 'Acme', '--amount', '-501')
    expect([overdraw.code, overdraw.json().error.code]).toEqual([4, 'CREDIT_OVERDRAWN'])
    cli('sub', 'add', 'Acme', '--item', 'users=2', '--no-trial')
    // 2 × 9.00 = 18.00 − 10.00 = 8.00; credit 5.00 → due 3.00
    expect(cli('invoice', 'list').json().invoices[0]).toMatchObject({ discount: { amount: 1000 }, total: { amount: 800 }, creditApplied: { amount: 500 }, amountDue: { amount: 300 } })
    expect(cli('account', 'show', 'Acme').json().creditBalance).toEqual({ amount: 0, currency: 'EUR' })
  })

  it('R-TR-3 notifications list the trial reminder; the trial ends canceled without a payment method', () => {
    const { cli } = setup({ card: false })
    const sub = cli('sub', 'add', 'Acme', '--item', 'users=5').json()
    expect(sub.status).toBe('trialing')
    cli('clock', 'advance', '--by', '11d')
    expect(cli('notifications').json().notifications.map((n: { kind: string }) => n.kind)).toEqual(['trial_will_end'])
    cli('clock', 'advance', '--by', '3d')
    expect(cli('sub', 'show', sub.id).json()).toMatchObject({ status: 'canceled', cancelReason: 'trial_ended_without_payment_method' })
  })
})

describe('invoice pdf', () => {
  it('R-INV-5 writes a real PDF whose text has the invoice number, the total and the buyer', async () => {
    const { PDFParse } = await import('pdf-parse')
    const { join } = await import('node:path')
    const { readFileSync } = await import('node:fs')
    const { tempDir } = await import('../helpers/temp.js')
    const { cli } = setup({ currency: 'JPY', tax: '10' })
    cli('sub', 'add', 'Acme', '--item', 'users=3', '--no-trial')
    const [invoice] = cli('invoice', 'list').json().invoices
    const file = join(tempDir(), 'invoice.pdf')
    const out = cli('invoice', 'pdf', invoice.id, '-o', file)
    expect(out.json()).toMatchObject({ number: 1, file })
    const buffer = readFileSync(file)
    expect(buffer.subarray(0, 5).toString()).toBe('%PDF-')
    const parser = new PDFParse({ data: buffer })
    const { text } = await parser.getText()
    await parser.destroy()
    expect(text).toContain('ACME-0001')
    expect(text).toContain('4,950 JPY')
    expect(text).toContain('Acme')
    expect(cli('invoice', 'pdf', invoice.id, '-o', join(tempDir(), 'missing-dir', 'x.pdf')).code).toBe(2)
  })
})

describe('invoice preview: every invoice of the next issuing instant (issue 12)', () => {
  const fresh = (start: string) => {
    const db = tempDbPath()
    const cli = (...args: string[]) => wsb([...args, '--json'], { db })
    const human = (...args: string[]) => wsb(args, { db })
    cli('workspace', 'create', 'W', '--mode', 'single', '--test-clock', '--clock-start', start)
    cli('account', 'create', 'A', '--currency', 'USD')
    cli('pm', 'add', 'A', 'pm_card_visa')
    return { cli, human }
  }

  it('R-SUB-4 R-INV-4 a proration that rounds to 0 makes no final invoice, so the once coupon discounts the next real invoice', () => {
    const { cli } = fresh('2026-03-01T00:00:00Z')
    cli('price', 'set', 'users', '--currency', 'USD', '--interval', 'month', '--unit-amount', '1')
    const sub = cli('sub', 'add', 'A', '--item', 'users=1', '--no-trial').json()
    cli('clock', 'advance', '--to', '2026-03-31T23:00:00Z')
    expect(cli('sub', 'update', sub.id, '--item', 'users=2').code).toBe(0) // 1 × 0.01 × 3,600/2,678,400 → 0
    cli('sub', 'cancel', sub.id)
    cli('coupon', 'create', 'ONCE', '--percent-off', '50', '--duration', 'once')
    cli('account', 'discount', 'A', '--coupon', 'ONCE')
    cli('clock', 'advance', '--to', '2026-04-02T00:00:00Z')
    cli('sub', 'add', 'A', '--item', 'locations=1')
    const { invoices } = cli('invoice', 'list').json()
    // No subscription_final; locations 25.00 − 50% = 12.50.
    expect(invoices.map((i: { number: number; reason: string; discount: { amount: number }; total: { amount: number } }) => [i.number, i.reason, i.discount.amount, i.total.amount])).toEqual([
      [1, 'subscription_create', 0, 1],
      [2, 'subscription_create', 1_250, 1_250],
    ])
  })

  it('R-INV-3 walks past a subscription ending at its period end to the next renewal, and shows same-instant renewals in issue order', () => {
    const { cli, human } = fresh('2026-01-01T00:00:00Z')
    const s1 = cli('sub', 'add', 'A', '--item', 'users=1', '--no-trial').json()
    cli('clock', 'advance', '--to', '2026-01-10T00:00:00Z')
    const s2 = cli('sub', 'add', 'A', '--item', 'locations=1').json()
    cli('sub', 'cancel', s1.id)
    const preview = cli('invoice', 'preview', 'A')
    expect(preview.code).toBe(0)
    expect(preview.json()).toMatchObject({
      status: 'preview',
      subscriptionId: s2.id,
      issuedAt: '2026-02-10T00:00:00.000Z',
      amountDue: { amount: 2_500, currency: 'USD' },
      invoices: [{ subscriptionId: s2.id, amountDue: { amount: 2_500, currency: 'USD' } }],
    })
    // A yearly subscription added at S2's anchor renews with it on 2027-01-10: S2 (older) first, then the yearly one.
    const s3 = cli('sub', 'add', 'A', '--item', 'sso_connections=1', '--interval', 'year').json()
    cli('clock', 'advance', '--to', '2027-01-01T00:00:00Z')
    const both = cli('invoice', 'preview', 'A').json()
    expect(both.invoices.map((i: { subscriptionId: string; issuedAt: string; total: { amount: number } }) => [i.subscriptionId, i.issuedAt, i.total.amount])).toEqual([
      [s2.id, '2027-01-10T00:00:00.000Z', 2_500],
      [s3.id, '2027-01-10T00:00:00.000Z', 100_000], // a year of the first connection: 10 × 100.00
    ])
    const text = human('invoice', 'preview', 'A')
    expect(text.code).toBe(0)
    expect(text.stdout).toContain('2 invoices at 2027-01-10')
    expect(text.stdout).toContain('Invoice 1 of 2')
    expect(text.stdout).toContain('Invoice 2 of 2')
    expect(text.stdout.indexOf('Locations')).toBeLessThan(text.stdout.indexOf('SSO'))
  })
})
