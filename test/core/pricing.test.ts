// Worked numbers written out by hand, not recomputed with the production formula.
import { describe, expect, it } from 'vitest'
import { periodAmount } from '../../src/core/catalog/pricing.js'
import { fraction, percentOf, roundHalfUp } from '../../src/core/money.js'
import type { Tier } from '../../src/core/store/schema/index.js'
import { addInterval, periodBounds } from '../../src/core/subscriptions/periods.js'
import { prorate } from '../../src/core/subscriptions/proration.js'
import { formatMoney } from '../../src/render/money.js'

const perUnit = (unitAmount: number) => ({ scheme: 'per_unit' as const, unitAmount, tiers: null })
const tiered = (scheme: 'volume' | 'graduated', tiers: Tier[]) => ({ scheme, unitAmount: null, tiers })
const at = (text: string) => Date.parse(text)

describe('money', () => {
  it('R-PR-2 rounds half-up (away from zero) on integers', () => {
    expect(roundHalfUp(5n, 2n)).toBe(3n) // 2.5 → 3
    expect(roundHalfUp(7n, 3n)).toBe(2n) // 2.33 → 2
    expect(roundHalfUp(-5n, 2n)).toBe(-3n) // -2.5 → -3
    expect(fraction(1, 1, 2)).toBe(1) // 0.5 → 1
    expect(percentOf(1_000, 19_000)).toBe(190) // 19% of 10.00
    expect(percentOf(1_005, 10_000)).toBe(101) // 10% of 10.05 = 1.005 → 1.01
    expect(percentOf(999, 8_875)).toBe(89) // 8.875% of 9.99 = 0.8866 → 0.89
  })

  it('R-PR-2 formats with the ISO 4217 exponent: JPY has no minor digits, KWD three', () => {
    expect(formatMoney({ amount: 123_456, currency: 'USD' })).toBe('1,234.56 USD')
    expect(formatMoney({ amount: 5, currency: 'USD' })).toBe('0.05 USD')
    expect(formatMoney({ amount: -250, currency: 'EUR' })).toBe('-2.50 EUR')
    expect(formatMoney({ amount: 1_500, currency: 'JPY' })).toBe('1,500 JPY')
    expect(formatMoney({ amount: 1_234, currency: 'KWD' })).toBe('1.234 KWD')
    expect(formatMoney({ amount: 0, currency: 'JPY' })).toBe('0 JPY')
  })
})

describe('pricing (Stripe tier semantics)', () => {
  it('R-PR-1 flat per unit: quantity × unit amount', () => {
    expect(periodAmount(perUnit(1_000), 50)).toBe(50_000)
    expect(periodAmount(perUnit(1_000), 0)).toBe(0)
  })

  it('R-PR-1 graduated: each unit at the rate of its own tier', () => {
    // 1 @ 100.00, 2–5 @ 75.00, 6+ @ 50.00 (the seeded SSO price in USD)
    const sso = tiered('graduated', [
      { upTo: 1, unitAmount: 10_000, flatAmount: 0 },
      { upTo: 5, unitAmount: 7_500, flatAmount: 0 },
      { upTo: null, unitAmount: 5_000, flatAmount: 0 },
    ])
    expect(periodAmount(sso, 1)).toBe(10_000)
    expect(periodAmount(sso, 3)).toBe(25_000) // 100 + 2 × 75
    expect(periodAmount(sso, 7)).toBe(50_000) // 100 + 4 × 75 + 2 × 50
    // 1–5 @ 5, 6–10 @ 4, 11+ @ 3: 12 units = 25 + 20 + 6
    const stripeDocs = tiered('graduated', [
      { upTo: 5, unitAmount: 500, flatAmount: 0 },
      { upTo: 10, unitAmount: 400, flatAmount: 0 },
      { upTo: null, unitAmount: 300, flatAmount: 0 },
    ])
    expect(periodAmount(stripeDocs, 12)).toBe(5_100)
  })

  it('R-PR-1 graduated flat fees are charged for every tier reached', () => {
    const base = tiered('graduated', [
      { upTo: 5, unitAmount: 0, flatAmount: 2_000 },
      { upTo: null, unitAmount: 300, flatAmount: 0 },
    ])
    expect(periodAmount(base, 3)).toBe(2_000)
    expect(periodAmount(base, 8)).toBe(2_900)
  })

  it('R-PR-1 volume: every unit at the rate of the tier the total falls in', () => {
    const volume = tiered('volume', [
      { upTo: 10, unitAmount: 1_000, flatAmount: 0 },
      { upTo: 50, unitAmount: 800, flatAmount: 500 },
      { upTo: null, unitAmount: 600, flatAmount: 0 },
    ])
    expect(periodAmount(volume, 10)).toBe(10_000)
    expect(periodAmount(volume, 11)).toBe(9_300) // 11 × 8.00 + 5.00
    expect(periodAmount(volume, 60)).toBe(36_000)
  })
})

describe('periods and proration', () => {
  it('R-SUB-3 periods are anchored on the start: Jan 31 → Feb 28 → Mar 31 → Apr 30', () => {
    const anchor = at('2026-01-31T10:00:00Z')
    expect([1, 2, 3].map((k) => new Date(addInterval(anchor, 'month', k)).toISOString())).toEqual([
      '2026-02-28T10:00:00.000Z',
      '2026-03-31T10:00:00.000Z',
      '2026-04-30T10:00:00.000Z',
    ])
    expect(periodBounds(at('2028-02-29T00:00:00Z'), 'year', 1)).toEqual({ start: at('2029-02-28T00:00:00Z'), end: at('2030-02-28T00:00:00Z') })
  })

  it('R-SUB-4 monthly: +5 users at 10.00 with 16 of 31 days left is 25.81', () => {
    // 5 × 1000 × (16 × 86400) / (31 × 86400) = 2580.645 → 2581
    const period = { start: at('2026-01-01T00:00:00Z'), end: at('2026-02-01T00:00:00Z') }
    expect(prorate(perUnit(1_000), 10, 15, period, at('2026-01-16T00:00:00Z'))).toEqual({
      amount: 2_581,
      secondsLeft: 1_382_400,
      secondsInPeriod: 2_678_400,
    })
  })

  it('R-SUB-4 yearly: +3 users at 100.00/year with 184 of 365 days left is 151.23', () => {
    // 3 × 10000 × 184 / 365 = 15123.29 → 15123
    const period = { start: at('2026-01-01T00:00:00Z'), end: at('2027-01-01T00:00:00Z') }
    expect(prorate(perUnit(10_000), 10, 13, period, at('2026-07-01T00:00:00Z')).amount).toBe(15_123)
  })

  it('R-SUB-4 across a February month-end: period Feb 28 → Mar 31 has 31 days', () => {
    // anchor Jan 31: period 1 is Feb 28 – Mar 31. +2 users on Mar 15: 2000 × 16/31 = 1032.26 → 1032
    const period = periodBounds(at('2026-01-31T00:00:00Z'), 'month', 1)
    expect(period).toEqual({ start: at('2026-02-28T00:00:00Z'), end: at('2026-03-31T00:00:00Z') })
    expect(prorate(perUnit(1_000), 4, 6, period, at('2026-03-15T00:00:00Z')).amount).toBe(1_032)
  })

  it('R-SUB-4 tiered prorations use the tier arithmetic for both quantities, and round half-up', () => {
    const graduated = tiered('graduated', [
      { upTo: 1, unitAmount: 10_000, flatAmount: 0 },
      { upTo: 5, unitAmount: 7_500, flatAmount: 0 },
      { upTo: null, unitAmount: 5_000, flatAmount: 0 },
    ])
    const period = { start: at('2026-01-01T00:00:00Z'), end: at('2026-01-03T00:00:00Z') } // 2 days
    // 1 → 3: 25000 − 10000 = 15000, half the period left: 7500
    expect(prorate(graduated, 1, 3, period, at('2026-01-02T00:00:00Z')).amount).toBe(7_500)
    // 1 unit at 0.01 with half a period left: 0.5 → 1 (half-up)
    expect(prorate(perUnit(1), 0, 1, period, at('2026-01-02T00:00:00Z')).amount).toBe(1)
    // volume 10 → 11 costs less (100.00 → 93.00): a credit of 7.00 × 1/2 = -3.50
    const volume = tiered('volume', [
      { upTo: 10, unitAmount: 1_000, flatAmount: 0 },
      { upTo: null, unitAmount: 800, flatAmount: 500 },
    ])
    expect(prorate(volume, 10, 11, period, at('2026-01-02T00:00:00Z')).amount).toBe(-350)
  })
})
