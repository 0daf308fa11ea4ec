// Proration of an increase (R-SUB-4): the difference between the period price
// at the new and at the old quantity, times the share of the period left,
// counted in whole seconds and rounded half-up to the minor unit.
import { periodAmount } from '../catalog/pricing.js'
import { fraction } from '../money.js'
import type { PriceRow } from '../store/schema/index.js'

export type Proration = { amount: number; secondsLeft: number; secondsInPeriod: number }

export function prorate(
  price: Pick<PriceRow, 'scheme' | 'unitAmount' | 'tiers'>,
  fromQuantity: number,
  toQuantity: number,
  period: { start: number; end: number },
  at: number,
): Proration {
  const secondsInPeriod = Math.floor((period.end - period.start) / 1000)
  const secondsLeft = Math.max(0, Math.floor((period.end - at) / 1000))
  const difference = periodAmount(price, toQuantity) - periodAmount(price, fromQuantity)
  return { amount: secondsInPeriod > 0 ? fraction(difference, secondsLeft, secondsInPeriod) : 0, secondsLeft, secondsInPeriod }
}
