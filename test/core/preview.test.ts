// The three situations where an independent recomputation disagreed with what
// was issued or previewed (issue 12), with every amount worked out by hand.
import { describe, expect, it } from 'vitest'
import { adjustCredit } from '../../src/core/accounts/credit.js'
import { setPrice } from '../../src/core/catalog/prices.js'
import { attachDiscount, createCoupon } from '../../src/core/coupons/coupons.js'
import { listEvents } from '../../src/core/events/list.js'
import { listInvoices } from '../../src/core/invoices/list.js'
import { previewInvoice } from '../../src/core/invoices/preview.js'
import type { InvoiceView } from '../../src/core/invoices/view.js'
import { addSubscription } from '../../src/core/subscriptions/add.js'
import { cancelSubscription } from '../../src/core/subscriptions/cancel.js'
import { updateSubscription } from '../../src/core/subscriptions/update.js'
import { account, advance, card, refresh, workspace } from '../builders.js'

const at = (text: string) => Date.parse(text)
const invoicesOf = async (ctx: Parameters<typeof listInvoices>[0]) => await (await listInvoices(await refresh(ctx))).invoices
const totals = (i: InvoiceView | undefined) =>
  i && { number: i.number, reason: i.reason, subtotal: i.subtotal.amount, discount: i.discount.amount, tax: i.tax.amount, total: i.total.amount, credit: i.creditApplied.amount, due: i.amountDue.amount }
/** What a preview cannot know (payment) taken out of an issued invoice. */
const asPreviewed = (i: InvoiceView) => ({ ...i, id: null, number: null, invoiceNumber: null, status: 'preview', payments: [], paidAt: null, amountPaid: { ...i.amountPaid, amount: 0 } })

describe('a proration that rounds to zero (R-SUB-4, R-INV-4)', () => {
  it('R-SUB-4 R-SUB-6 R-INV-4 adds no line, so a cancellation issues no final invoice and a once coupon waits for the next real invoice', async () => {
    let ctx = await workspace('single', { start: at('2026-03-01T00:00:00Z') })
    await account(ctx, 'A')
    await card(ctx, 'A')
    await setPrice(ctx, { product: 'users', currency: 'USD', interval: 'month', scheme: 'per_unit', unitAmount: 1 })
    const sub = await addSubscription(ctx, { account: 'A', items: { users: 1 }, trial: false })
    ctx = await advance(ctx, at('2026-03-31T23:00:00Z'))
    // 1 × 1 cent × 3,600 s left / 2,678,400 s in March = 0.0013 → 0: no line.
    await updateSubscription(ctx, { ref: sub.id, items: { users: 2 } })
    const increased = await (await listEvents(ctx.db,ctx.workspace.id,{ kinds: ['subscription.quantity_increased'] })).events
    expect(increased.map((e) => e.data)).toEqual([{ product: 'users', from: 1, to: 2, prorated: { amount: 0, currency: 'USD' } }])
    await cancelSubscription(ctx, { ref: sub.id })
    await createCoupon(ctx, { code: 'ONCE', percentOffMilli: 50_000, duration: 'once' })
    await attachDiscount(ctx, { account: 'A', coupon: 'ONCE' })
    ctx = await advance(ctx, at('2026-04-02T00:00:00Z'))
    expect((await invoicesOf(ctx)).map((i) => i.reason)).toEqual(['subscription_create']) // no subscription_final
    await addSubscription(ctx, { account: 'A', items: { locations: 1 } })
    // 2,500 − 50% = 1,250.
    expect((await invoicesOf(ctx)).map(totals)).toEqual([
      { number: 1, reason: 'subscription_create', subtotal: 1, discount: 0, tax: 0, total: 1, credit: 0, due: 1 },
      { number: 2, reason: 'subscription_create', subtotal: 2_500, discount: 1_250, tax: 0, total: 1_250, credit: 0, due: 1_250 },
    ])
  })

  it('R-INV-4 an invoice with a subtotal below zero does not use up a once coupon; its credit pays the next invoice', async () => {
    let ctx = await workspace('single', { start: at('2026-01-01T00:00:00Z') })
    await account(ctx, 'A')
    await card(ctx, 'A')
    // Volume tiers: 1 user costs 10.00, 2 users 2 × 1.00; going up lowers the price.
    await setPrice(ctx, { product: 'users', currency: 'USD', interval: 'month', scheme: 'volume', tiers: [{ upTo: 1, unitAmount: 1_000, flatAmount: 0 }, { upTo: null, unitAmount: 100, flatAmount: 0 }] })
    const sub = await addSubscription(ctx, { account: 'A', items: { users: 1 }, trial: false })
    ctx = await advance(ctx, at('2026-01-16T00:00:00Z'))
    // (200 − 1,000) × 16/31 days = −412.90 → −413 (half-up away from zero).
    await updateSubscription(ctx, { ref: sub.id, items: { users: 2 } })
    await createCoupon(ctx, { code: 'ONCE', percentOffMilli: 50_000, duration: 'once' })
    await attachDiscount(ctx, { account: 'A', coupon: 'ONCE' })
    await cancelSubscription(ctx, { ref: sub.id, now: true })
    await addSubscription(ctx, { account: 'A', items: { locations: 1 } })
    // The final invoice is −4.13 (a credit); the coupon is still there: 2,500 − 1,250 = 1,250, less 413 credit = 837 due.
    expect((await invoicesOf(ctx)).map(totals)).toEqual([
      { number: 1, reason: 'subscription_create', subtotal: 1_000, discount: 0, tax: 0, total: 1_000, credit: 0, due: 1_000 },
      { number: 2, reason: 'subscription_final', subtotal: -413, discount: 0, tax: 0, total: -413, credit: 0, due: 0 },
      { number: 3, reason: 'subscription_create', subtotal: 2_500, discount: 1_250, tax: 0, total: 1_250, credit: 413, due: 837 },
    ])
  })
})

describe('a period end that issues nothing (R-INV-3)', () => {
  it('R-INV-3 R-SUB-6 the preview walks past a cancellation to the renewal of another subscription', async () => {
    let ctx = await workspace('single', { start: at('2026-01-01T00:00:00Z') })
    await account(ctx, 'A')
    await card(ctx, 'A')
    const s1 = await addSubscription(ctx, { account: 'A', items: { users: 1 }, trial: false })
    ctx = await advance(ctx, at('2026-01-10T00:00:00Z'))
    const s2 = await addSubscription(ctx, { account: 'A', items: { locations: 1 } })
    await cancelSubscription(ctx, { ref: s1.id })
    const preview = await previewInvoice(ctx, { account: 'A' })
    // S1 ends on Feb 1 with nothing owed; S2 renews on Feb 10 for 1 × 25.00.
    expect(preview).toMatchObject({
      subscriptionId: s2.id,
      reason: 'subscription_cycle',
      issuedAt: '2026-02-10T00:00:00.000Z',
      periodStart: '2026-02-10T00:00:00.000Z',
      periodEnd: '2026-03-10T00:00:00.000Z',
      total: { amount: 2_500 },
      amountDue: { amount: 2_500 },
    })
    expect(preview.invoices).toHaveLength(1)
    ctx = await advance(ctx, at('2026-02-10T00:00:00Z'))
    const issued = await invoicesOf(ctx)
    expect(issued.map((i) => [i.number, i.reason, i.issuedAt.slice(0, 10)])).toEqual([
      [1, 'subscription_create', '2026-01-01'],
      [2, 'subscription_create', '2026-01-10'],
      [3, 'subscription_cycle', '2026-02-10'],
    ])
    expect(preview.invoices).toEqual([asPreviewed(issued[2] as InvoiceView)])
  })

  it('R-INV-3 R-TR-3 with nothing further to issue, NO_UPCOMING_INVOICE names the real reason of each subscription', async () => {
    const ctx = await workspace('single', { start: at('2026-01-01T00:00:00Z') })
    await account(ctx, 'A')
    await card(ctx, 'A')
    const trial = await addSubscription(ctx, { account: 'A', items: { users: 1 } })
    await cancelSubscription(ctx, { ref: trial.id })
    const refusal = await (async () => {
      try {
        await previewInvoice(ctx, { account: 'A' })
      } catch (error) {
        return error as Error & { code: string; details: unknown }
      }
    })()
    expect(refusal?.code).toBe('NO_UPCOMING_INVOICE')
    expect(refusal?.message).toBe(`no subscription of account "A" will issue another invoice: ${trial.id} is canceled at its period end (2026-01-15T00:00:00.000Z)`)
    expect(refusal?.message).not.toMatch(/payment method/)
    expect(refusal?.details).toEqual({ accountId: expect.any(String), subscriptions: [{ id: trial.id, endsAt: '2026-01-15T00:00:00.000Z', reason: 'canceled_at_period_end' }] })

    const other = await workspace('single', { db: ctx.db, name: 'no card', start: at('2026-01-01T00:00:00Z') })
    await account(other, 'B')
    const unpaid = await addSubscription(other, { account: 'B', items: { users: 1 } })
    await expect(async () => await previewInvoice(other, { account: 'B' })).rejects.toThrowError(
      `no subscription of account "B" will issue another invoice: the trial of ${unpaid.id} ends at 2026-01-15T00:00:00.000Z without a default payment method`,
    )
  })
})

/** Monthly users from 2028-01-31 and yearly locations from 2028-02-29, at 2029-02-01: both renew 2029-02-28, users first. */
async function renewingTogether() {
  let ctx = await workspace('single', { start: at('2028-01-31T00:00:00Z') })
  await account(ctx, 'A', { taxRateMilli: 10_000 })
  await card(ctx, 'A')
  const users = await addSubscription(ctx, { account: 'A', items: { users: 2 }, trial: false })
  ctx = await advance(ctx, at('2028-02-29T00:00:00Z'))
  const yearly = await addSubscription(ctx, { account: 'A', items: { locations: 1 }, interval: 'year' })
  return { ctx: await advance(ctx, at('2029-02-01T00:00:00Z')), users, yearly }
}

describe('subscriptions renewing at the same instant (R-INV-3, R-INV-4)', () => {
  it('R-INV-3 R-INV-4 R-SUB-3 monthly from Jan 31 and yearly from Feb 29 both renew 2029-02-28: the preview shows both in issue order, the first takes coupon and credit', async () => {
    const { users, yearly, ...start } = await renewingTogether()
    let ctx = start.ctx
    expect(await invoicesOf(ctx)).toHaveLength(14) // users: Jan 31, Feb 29, then Mar 31 … Jan 31 (11); yearly: Feb 29
    await createCoupon(ctx, { code: 'OFF5', amountOff: 500, currency: 'USD', duration: 'once' })
    await attachDiscount(ctx, { account: 'A', coupon: 'OFF5' })
    await adjustCredit(ctx, { account: 'A', amount: 1_000 })

    const preview = await previewInvoice(ctx, { account: 'A' })
    // Users was created first, so it renews first: 2 × 10.00 = 20.00 − 5.00 = 15.00, +10% tax 1.50 = 16.50, − 10.00 credit = 6.50 due.
    // Then the yearly locations: 250.00 + 25.00 tax = 275.00, no coupon or credit left.
    const previewed = preview.invoices.map((i) => ({ sub: i.subscriptionId, issuedAt: i.issuedAt, ...totals(i), number: undefined }))
    expect(previewed).toEqual([
      { sub: users.id, issuedAt: '2029-02-28T00:00:00.000Z', number: undefined, reason: 'subscription_cycle', subtotal: 2_000, discount: 500, tax: 150, total: 1_650, credit: 1_000, due: 650 },
      { sub: yearly.id, issuedAt: '2029-02-28T00:00:00.000Z', number: undefined, reason: 'subscription_cycle', subtotal: 25_000, discount: 0, tax: 2_500, total: 27_500, credit: 0, due: 27_500 },
    ])
    const { invoices: _, proposed: __, ...first } = preview
    expect(first).toEqual(preview.invoices[0])

    ctx = await advance(ctx, at('2029-02-28T00:00:00Z'))
    const issued = (await invoicesOf(ctx)).slice(14)
    expect(issued.map((i) => [i.number, i.subscriptionId])).toEqual([
      [15, users.id],
      [16, yearly.id],
    ])
    expect(preview.invoices).toEqual(issued.map(asPreviewed))
  })

  it('R-INV-3 issue 25: with --change of the subscription that renews second, the top level is its invoice (with the proration), not the first of the instant', async () => {
    const { ctx, users, yearly } = await renewingTogether()

    const preview = await previewInvoice(ctx, { account: 'A', changes: [{ subscription: yearly.id, items: { locations: 2 } }] })
    // 1 more location for 27 of the period's 365 days (2028-02-29 → 2029-02-28): 250.00 × 27 / 365 = 18.49315 → 18.49.
    expect(preview.proposed?.prorations.map((l) => l.amount.amount)).toEqual([1_849])
    // Both renew 2029-02-28, users first; the top level is the yearly one: 2 × 250.00 + 18.49 = 518.49, +10% 51.849 → 51.85, total 570.34.
    expect(preview.invoices.map((i) => i.subscriptionId)).toEqual([users.id, yearly.id])
    expect(preview.subscriptionId).toBe(yearly.id)
    expect(totals(preview)).toMatchObject({ subtotal: 51_849, tax: 5_185, total: 57_034 })
    expect(preview.lines.filter((l) => l.proration).map((l) => l.amount.amount)).toEqual([1_849])
    const { invoices: _, proposed: __, ...top } = preview
    expect(top).toEqual(preview.invoices[1])
    // Without --change the top level stays the first invoice of the instant.
    expect((await previewInvoice(ctx, { account: 'A' })).subscriptionId).toBe(users.id)
  })
})
