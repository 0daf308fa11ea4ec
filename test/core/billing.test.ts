// The billing engine over time. Every amount below is worked out by hand in the comments.
import { describe, expect, it } from 'vitest'
import { adjustCredit } from '../../src/core/accounts/credit.js'
import { attachDiscount, createCoupon } from '../../src/core/coupons/coupons.js'
import { listEvents } from '../../src/core/events/list.js'
import { listInvoices } from '../../src/core/invoices/list.js'
import { previewInvoice } from '../../src/core/invoices/preview.js'
import type { InvoiceView } from '../../src/core/invoices/view.js'
import { advanceClock } from '../../src/core/lifecycle/clock.js'
import { listNotifications } from '../../src/core/notifications/list.js'
import { poolReport } from '../../src/core/pools/report.js'
import { addSubscription } from '../../src/core/subscriptions/add.js'
import { cancelSubscription } from '../../src/core/subscriptions/cancel.js'
import { showSubscription } from '../../src/core/subscriptions/list.js'
import { updateSubscription } from '../../src/core/subscriptions/update.js'
import { recordUsage } from '../../src/core/usage/record.js'
import { formatMoney } from '../../src/render/money.js'
import { account, advance, card, org, refresh, workspace } from '../builders.js'

const at = (text: string) => Date.parse(text)
const amounts = (invoice: InvoiceView | undefined) => invoice?.lines.map((line) => [line.kind, line.product, line.quantity, line.amount.amount])
const invoicesOf = async (ctx: Parameters<typeof listInvoices>[0]) => await (await listInvoices(await refresh(ctx))).invoices

describe('renewals and proration', () => {
  it('R-SUB-4 a mid-period upgrade (monthly) is prorated onto the next invoice', async () => {
    let ctx = await workspace('single', { start: at('2026-01-01T00:00:00Z') })
    await account(ctx, 'Acme')
    await card(ctx, 'Acme')
    const sub = await addSubscription(ctx, { account: 'Acme', items: { users: 10 }, trial: false })
    ctx = await advance(ctx, '15d') // Jan 16: 16 of 31 days left
    await updateSubscription(ctx, { ref: sub.id, items: { users: 15 } })
    ctx = await advance(ctx, at('2026-02-01T00:00:00Z'))
    const [first, second] = (await invoicesOf(ctx))
    expect(first?.total.amount).toBe(10_000) // 10 × 10.00
    // 15 × 10.00 = 150.00, plus 5 × 10.00 × 16/31 = 25.806 → 25.81
    expect(amounts(second)).toEqual([
      ['subscription', 'users', 15, 15_000],
      ['proration', 'users', 5, 2_581],
    ])
    expect(second).toMatchObject({ number: 2, total: { amount: 17_581, currency: 'USD' }, periodStart: '2026-02-01T00:00:00.000Z', periodEnd: '2026-03-01T00:00:00.000Z' })
  })

  it('R-SUB-4 a mid-period upgrade (yearly) is prorated over the days left in the year', async () => {
    let ctx = await workspace('single', { start: at('2026-01-01T00:00:00Z') })
    await account(ctx, 'Acme')
    await card(ctx, 'Acme')
    const sub = await addSubscription(ctx, { account: 'Acme', items: { users: 10 }, interval: 'year', trial: false })
    ctx = await advance(ctx, at('2026-07-01T00:00:00Z'))
    await updateSubscription(ctx, { ref: sub.id, items: { users: 13 } })
    ctx = await advance(ctx, at('2027-01-01T00:00:00Z'))
    const renewal = (await invoicesOf(ctx))[1]
    // 13 × 100.00 = 1,300.00 plus 3 × 100.00 × 184/365 = 151.23
    expect(amounts(renewal)).toEqual([
      ['subscription', 'users', 13, 130_000],
      ['proration', 'users', 3, 15_123],
    ])
    expect(renewal?.total.amount).toBe(145_123)
  })

  it('R-SUB-3 R-SUB-4 across a February month-end: Jan 31 → Feb 28 → Mar 31', async () => {
    let ctx = await workspace('single', { start: at('2026-01-31T00:00:00Z') })
    await account(ctx, 'Acme')
    await card(ctx, 'Acme')
    const sub = await addSubscription(ctx, { account: 'Acme', items: { users: 4 }, trial: false })
    ctx = await advance(ctx, at('2026-03-15T00:00:00Z'))
    await updateSubscription(ctx, { ref: sub.id, items: { users: 6 } })
    ctx = await advance(ctx, at('2026-03-31T00:00:00Z'))
    const list = await (await invoicesOf(ctx))
    expect(list.map((i) => [i.number, i.periodStart.slice(0, 10), i.periodEnd.slice(0, 10)])).toEqual([
      [1, '2026-01-31', '2026-02-28'],
      [2, '2026-02-28', '2026-03-31'],
      [3, '2026-03-31', '2026-04-30'],
    ])
    // 6 × 10.00 + 2 × 10.00 × 16/31 (Mar 15 → Mar 31 of a 31-day period) = 60.00 + 10.32
    expect(list[2]?.total.amount).toBe(7_032)
  })

  it('R-SUB-5 a downgrade applies at the next period start, and the pool shrinks then', async () => {
    let ctx = await workspace('single', { start: at('2026-01-01T00:00:00Z') })
    await account(ctx, 'Acme')
    await card(ctx, 'Acme')
    const sub = await addSubscription(ctx, { account: 'Acme', items: { users: 10, locations: 3 }, trial: false })
    await updateSubscription(ctx, { ref: sub.id, items: { users: 6, locations: 0 } })
    expect(await (await poolReport(ctx)).pools[0]?.products.find((p) => p.product === 'users')?.capacity).toBe(10)
    ctx = await advance(ctx, '1mo')
    expect(amounts((await invoicesOf(ctx))[1])).toEqual([['subscription', 'users', 6, 6_000]])
    expect(await (await poolReport(ctx)).pools[0]?.products.map((p) => [p.product, p.capacity])).toEqual([['users', 6]])
    expect((await showSubscription(ctx, sub.id)).scheduledChanges).toEqual([])
  })

  it('R-SUB-5 a scheduled downgrade that no longer fits the usage is skipped and recorded', async () => {
    let ctx = await workspace('single', { start: at('2026-01-01T00:00:00Z') })
    await account(ctx, 'Acme')
    await card(ctx, 'Acme')
    const team = await org(ctx, 'Team')
    const sub = await addSubscription(ctx, { account: 'Acme', items: { users: 10 }, trial: false })
    await recordUsage(ctx, { org: team.id, product: 'users', delta: 5 })
    await updateSubscription(ctx, { ref: sub.id, items: { users: 6 } })
    await recordUsage(ctx, { org: team.id, product: 'users', delta: 3 }) // usage grew to 8
    ctx = await advance(ctx, '1mo')
    expect(amounts((await invoicesOf(ctx))[1])).toEqual([['subscription', 'users', 10, 10_000]])
    const skipped = await (await listEvents(ctx.db,ctx.workspace.id,{ kinds: ['subscription.change_skipped'] })).events
    expect(skipped.map((e) => e.data)).toEqual([{ product: 'users', from: 10, to: 6, usage: 8, capacity: 6, reason: 'BELOW_USAGE' }])
  })

  it('R-SUB-5 an interval change applies at period start and re-anchors the cycle', async () => {
    let ctx = await workspace('single', { start: at('2026-01-01T00:00:00Z') })
    await account(ctx, 'Acme')
    await card(ctx, 'Acme')
    const sub = await addSubscription(ctx, { account: 'Acme', items: { users: 2 }, trial: false })
    await updateSubscription(ctx, { ref: sub.id, interval: 'year' })
    ctx = await advance(ctx, '1mo')
    expect((await invoicesOf(ctx))[1]).toMatchObject({ periodStart: '2026-02-01T00:00:00.000Z', periodEnd: '2027-02-01T00:00:00.000Z', total: { amount: 20_000 } })
    expect(await showSubscription(ctx, sub.id)).toMatchObject({ interval: 'year', currentPeriodEnd: '2027-02-01T00:00:00.000Z' })
  })

  it('R-SUB-6 a cancellation at period end keeps capacity until then and issues no further invoice', async () => {
    let ctx = await workspace('single', { start: at('2026-01-01T00:00:00Z') })
    await account(ctx, 'Acme')
    await card(ctx, 'Acme')
    const sub = await addSubscription(ctx, { account: 'Acme', items: { users: 10 }, trial: false })
    await cancelSubscription(ctx, { ref: sub.id })
    ctx = await advance(ctx, '30d')
    expect(await (await poolReport(ctx)).pools[0]?.products[0]?.capacity).toBe(10)
    ctx = await advance(ctx, '1d')
    expect(await showSubscription(ctx, sub.id)).toMatchObject({ status: 'canceled', cancelReason: 'canceled_at_period_end' })
    expect(await (await poolReport(ctx)).pools[0]?.products).toEqual([])
    expect((await invoicesOf(ctx))).toHaveLength(1)
  })

  it('R-SUB-6 prorations still owed when a subscription ends are billed on a final invoice', async () => {
    let ctx = await workspace('single', { start: at('2026-01-01T00:00:00Z') })
    await account(ctx, 'Acme')
    await card(ctx, 'Acme')
    const sub = await addSubscription(ctx, { account: 'Acme', items: { users: 10 }, trial: false })
    ctx = await advance(ctx, '15d')
    await updateSubscription(ctx, { ref: sub.id, items: { users: 15 } })
    await cancelSubscription(ctx, { ref: sub.id, now: true })
    const final = (await invoicesOf(ctx))[1]
    expect(final).toMatchObject({ number: 2, reason: 'subscription_final', total: { amount: 2_581 } })
  })
})

describe('invoice arithmetic', () => {
  it('R-INV-2 R-INV-4 a EUR invoice with a 20% coupon and 19% tax on the discounted subtotal', async () => {
    const ctx = await workspace('single')
    await account(ctx, 'GmbH', { currency: 'EUR', taxRateMilli: 19_000 })
    await createCoupon(ctx, { code: 'WELCOME20', percentOffMilli: 20_000, duration: 'once' })
    await attachDiscount(ctx, { account: 'GmbH', coupon: 'WELCOME20' })
    await addSubscription(ctx, { account: 'GmbH', items: { users: 10, locations: 2 }, trial: false })
    const [invoice] = (await invoicesOf(ctx))
    // users 10 × 9.00 = 90.00, locations 2 × 23.00 = 46.00 → 136.00; −20% = −27.20 → 108.80; 19% tax = 20.672 → 20.67
    expect(amounts(invoice)).toEqual([
      ['subscription', 'locations', 2, 4_600],
      ['subscription', 'users', 10, 9_000],
      ['discount', null, null, -2_720],
    ])
    expect(invoice).toMatchObject({
      currency: 'EUR',
      subtotal: { amount: 13_600 },
      discount: { amount: 2_720 },
      taxRate: 19,
      tax: { amount: 2_067 },
      total: { amount: 12_947, currency: 'EUR' },
      amountDue: { amount: 12_947 },
      status: 'open',
    })
  })

  it('R-INV-4 a once coupon discounts one invoice, a repeating one the next N, forever every one', async () => {
    for (const [duration, invoices, expected] of [
      ['once', undefined, [8_000, 10_000, 10_000]],
      ['repeating', 2, [8_000, 8_000, 10_000]],
      ['forever', undefined, [8_000, 8_000, 8_000]],
    ] as const) {
      let ctx = await workspace('single', { start: at('2026-01-01T00:00:00Z') })
      await account(ctx, 'Acme')
      await card(ctx, 'Acme')
      await createCoupon(ctx, { code: 'C', percentOffMilli: 20_000, duration, durationInvoices: invoices })
      await attachDiscount(ctx, { account: 'Acme', coupon: 'C' })
      await addSubscription(ctx, { account: 'Acme', items: { users: 10 }, trial: false })
      ctx = await advance(ctx, '2mo')
      expect((await (await invoicesOf(ctx))).map((i) => i.total.amount), duration).toEqual(expected)
    }
  })

  it('R-PR-2 a JPY invoice has no minor digits', async () => {
    const ctx = await workspace('single')
    await account(ctx, 'KK', { currency: 'JPY', taxRateMilli: 10_000 })
    await addSubscription(ctx, { account: 'KK', items: { users: 3 }, trial: false })
    const [invoice] = (await invoicesOf(ctx))
    // 3 × 1,500 = 4,500 JPY; 10% tax = 450; total 4,950
    expect(invoice).toMatchObject({ subtotal: { amount: 4_500, currency: 'JPY' }, tax: { amount: 450 }, total: { amount: 4_950 } })
    expect(formatMoney(invoice?.total ?? { amount: 0, currency: 'JPY' })).toBe('4,950 JPY')
  })

  it('R-INV-4 a credit balance partially covers an invoice and is drawn down', async () => {
    let ctx = await workspace('single', { start: at('2026-01-01T00:00:00Z') })
    await account(ctx, 'Acme')
    await card(ctx, 'Acme')
    await adjustCredit(ctx, { account: 'Acme', amount: 5_000 })
    await addSubscription(ctx, { account: 'Acme', items: { users: 10 }, trial: false })
    ctx = await advance(ctx, '1mo')
    const [first, second] = (await invoicesOf(ctx))
    expect(first).toMatchObject({ total: { amount: 10_000 }, creditApplied: { amount: 5_000 }, amountDue: { amount: 5_000 } })
    expect(second).toMatchObject({ creditApplied: { amount: 0 }, amountDue: { amount: 10_000 } })
    await adjustCredit(ctx, { account: 'Acme', amount: 20_000 })
    ctx = await advance(ctx, '1mo')
    expect((await invoicesOf(ctx))[2]).toMatchObject({ creditApplied: { amount: 10_000 }, amountDue: { amount: 0 }, status: 'paid' })
    await expect(async () => await adjustCredit(ctx, { account: 'Acme', amount: -10_001 })).rejects.toThrowError(expect.objectContaining({ code: 'CREDIT_OVERDRAWN' }))
  })
})

describe('the lifecycle', () => {
  it('R-INV-1 numbers are gapless per account after many renewals of several subscriptions', async () => {
    let ctx = await workspace('pooled', { start: at('2026-01-01T00:00:00Z') })
    const a = await account(ctx, 'A')
    await card(ctx, 'A')
    const b = await account(ctx, 'B')
    await card(ctx, 'B')
    await addSubscription(ctx, { account: 'A', items: { users: 1 } })
    ctx = await advance(ctx, '10d')
    await addSubscription(ctx, { account: 'A', items: { locations: 1 } })
    await addSubscription(ctx, { account: 'B', items: { users: 2 }, interval: 'year' })
    ctx = await advance(ctx, '12mo')
    const byAccount = async (id: string) => (await (await invoicesOf(ctx))).filter((i) => i.accountId === id).map((i) => i.number)
    expect(await byAccount(a.id)).toEqual(Array.from({ length: 26 }, (_, i) => i + 1))
    expect(await byAccount(b.id)).toEqual([1, 2])
  })

  it('R-WS-3 R-WS-4 advancing 3 months issues exactly the due invoices in order; advancing to the same time again issues nothing', async () => {
    const ctx = await workspace('single', { start: at('2026-01-31T00:00:00Z') })
    await account(ctx, 'Acme')
    await card(ctx, 'Acme')
    await addSubscription(ctx, { account: 'Acme', items: { users: 1 }, trial: false })
    const first = await advanceClock(ctx.db, ctx.workspace.id, at('2026-04-30T00:00:00Z'))
    expect(first).toMatchObject({ invoicesIssued: 3, now: '2026-04-30T00:00:00.000Z' })
    expect((await (await invoicesOf(ctx))).map((i) => [i.number, i.issuedAt])).toEqual([
      [1, '2026-01-31T00:00:00.000Z'],
      [2, '2026-02-28T00:00:00.000Z'],
      [3, '2026-03-31T00:00:00.000Z'],
      [4, '2026-04-30T00:00:00.000Z'],
    ])
    const again = await advanceClock(ctx.db, ctx.workspace.id, at('2026-04-30T00:00:00Z'))
    expect(again).toMatchObject({ steps: 0, invoicesIssued: 0 })
    await expect(advanceClock(ctx.db, ctx.workspace.id, at('2026-04-01T00:00:00Z'))).rejects.toMatchObject({ code: 'CLOCK_BACKWARDS' })
  })

  it('R-TR-3 a trial warns 3 days before it ends, and without a payment method it is canceled', async () => {
    let ctx = await workspace('single', { start: at('2026-03-01T00:00:00Z') })
    await account(ctx, 'Acme')
    const sub = await addSubscription(ctx, { account: 'Acme', items: { users: 10 } })
    ctx = await advance(ctx, '10d')
    expect(await (await listNotifications(ctx)).notifications).toEqual([])
    ctx = await advance(ctx, '1d')
    expect(await (await listNotifications(ctx)).notifications.map((n) => [n.kind, n.at])).toEqual([['trial_will_end', '2026-03-12T00:00:00.000Z']])
    ctx = await advance(ctx, '3d')
    expect(await showSubscription(ctx, sub.id)).toMatchObject({ status: 'canceled', cancelReason: 'trial_ended_without_payment_method', canceledAt: '2026-03-15T00:00:00.000Z' })
    expect((await invoicesOf(ctx))).toEqual([])
    expect(await (await poolReport(ctx)).pools[0]?.products).toEqual([])
  })

  it('R-INV-3 a preview with a proposed change shows its proration and equals the invoice that follows', async () => {
    let ctx = await workspace('single', { start: at('2026-01-01T00:00:00Z') })
    await account(ctx, 'Acme', { taxRateMilli: 8_875 })
    await card(ctx, 'Acme')
    const sub = await addSubscription(ctx, { account: 'Acme', items: { users: 10 }, trial: false })
    ctx = await advance(ctx, '15d')
    const preview = await previewInvoice(ctx, { account: 'Acme', changes: [{ subscription: sub.id, items: { users: 15, locations: 2 } }] })
    expect(preview.proposed?.prorations.map((l) => [l.product, l.quantity, l.amount.amount])).toEqual([
      ['users', 5, 2_581],
      ['locations', 2, 2_581], // 2 × 25.00 × 16/31 = 25.806 → 25.81
    ])
    expect((await showSubscription(ctx, sub.id)).items.map((i) => i.quantity)).toEqual([10]) // nothing written
    await updateSubscription(ctx, { ref: sub.id, items: { users: 15, locations: 2 } })
    ctx = await advance(ctx, '1mo')
    const actual = (await invoicesOf(ctx))[1]
    const payment = { id: actual?.id, number: actual?.number, invoiceNumber: actual?.invoiceNumber, status: actual?.status, payments: actual?.payments, paidAt: actual?.paidAt, amountPaid: actual?.amountPaid }
    expect({ ...preview, ...payment, proposed: undefined, invoices: undefined }).toEqual({ ...actual, proposed: undefined, invoices: undefined })
    expect(preview.invoices).toHaveLength(1)
  })
})
