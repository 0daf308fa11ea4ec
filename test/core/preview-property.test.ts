// Property (R-INV-3): for any sequence of subscription changes, credits,
// coupons and clock moves inside a period, the preview taken just before the
// renewal equals the renewal invoice, line for line, to the minor unit.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { adjustCredit } from '../../src/core/accounts/credit.js'
import { attachDiscount, createCoupon } from '../../src/core/coupons/coupons.js'
import { listInvoices } from '../../src/core/invoices/list.js'
import { previewInvoice } from '../../src/core/invoices/preview.js'
import { addSubscription } from '../../src/core/subscriptions/add.js'
import { updateSubscription } from '../../src/core/subscriptions/update.js'
import { account, advance, card, refresh, workspace } from '../builders.js'

const product = fc.constantFrom('users', 'locations', 'sso_connections')
const step = fc.oneof(
  fc.record({ kind: fc.constant('change' as const), product, quantity: fc.integer({ min: 0, max: 30 }) }),
  fc.record({ kind: fc.constant('interval' as const), interval: fc.constantFrom('month' as const, 'year' as const) }),
  fc.record({ kind: fc.constant('wait' as const), hours: fc.integer({ min: 1, max: 200 }) }),
  fc.record({ kind: fc.constant('credit' as const), amount: fc.integer({ min: 1, max: 30_000 }) }),
  fc.record({ kind: fc.constant('coupon' as const), percent: fc.integer({ min: 1, max: 100 }) }),
)

describe('preview equals actual', () => {
  it('R-INV-3 the preview before a renewal is the renewal invoice', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          start: fc.integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2027-12-31T00:00:00Z') }),
          currency: fc.constantFrom('USD', 'EUR', 'JPY'),
          tax: fc.integer({ min: 0, max: 25_000 }),
          interval: fc.constantFrom('month' as const, 'year' as const),
          users: fc.integer({ min: 1, max: 20 }),
          steps: fc.array(step, { maxLength: 8 }),
        }),
        async ({ start, currency, tax, interval, users, steps }) => {
          let ctx = workspace('single', { start: Math.floor(start / 1000) * 1000 })
          account(ctx, 'Acme', { currency, taxRateMilli: tax })
          await card(ctx, 'Acme')
          const sub = addSubscription(ctx, { account: 'Acme', items: { users }, interval, trial: false })
          const renewal = Date.parse(sub.currentPeriodEnd)
          let coupons = 0
          for (const s of steps) {
            try {
              if (s.kind === 'change') updateSubscription(ctx, { ref: sub.id, items: { [s.product]: s.quantity } })
              else if (s.kind === 'interval') updateSubscription(ctx, { ref: sub.id, interval: s.interval })
              else if (s.kind === 'credit') adjustCredit(ctx, { account: 'Acme', amount: s.amount })
              else if (s.kind === 'coupon') {
                createCoupon(ctx, { code: `C${++coupons}`, percentOffMilli: s.percent * 1000, duration: 'once' })
                attachDiscount(ctx, { account: 'Acme', coupon: `C${coupons}` })
              } else if (ctx.now + s.hours * 3_600_000 < renewal - 1000) ctx = await advance(ctx, ctx.now + s.hours * 3_600_000)
            } catch (error) {
              if ((error as { code?: string }).code !== 'EMPTY_SUBSCRIPTION') throw error
            }
          }
          ctx = await advance(ctx, renewal - 1000)
          const preview = previewInvoice(ctx, { account: 'Acme' })
          ctx = await advance(ctx, renewal)
          const actual = listInvoices(refresh(ctx)).invoices.at(-1)
          expect(actual?.issuedAt).toBe(new Date(renewal).toISOString())
          // Payment is not simulated: everything else must match.
          const payment = { id: actual?.id, number: actual?.number, status: actual?.status, payments: actual?.payments, paidAt: actual?.paidAt, amountPaid: actual?.amountPaid }
          expect({ ...preview, ...payment, proposed: undefined }).toEqual({
            ...actual,
            proposed: undefined,
          })
          ctx.db.sqlite.close()
        },
      ),
      { numRuns: 40 },
    )
  })
})
