// Money is an integer count of a currency's minor unit (R-PR-2). Every division
// goes through roundHalfUp on BigInt, so no float ever touches an amount.
import { invalid } from './errors.js'

export type Money = { amount: number; currency: string }

export const money = (amount: number, currency: string): Money => ({ amount, currency })

/** numerator / denominator rounded half away from zero (0.5 → 1, -0.5 → -1). */
export function roundHalfUp(numerator: bigint, denominator: bigint): bigint {
  if (denominator <= 0n) throw new RangeError('denominator must be positive')
  const negative = numerator < 0n
  const magnitude = negative ? -numerator : numerator
  const rounded = (2n * magnitude + denominator) / (2n * denominator)
  return negative ? -rounded : rounded
}

/** amount × part / whole, rounded half-up to the minor unit. */
export function fraction(amount: number, part: number, whole: number): number {
  return Number(roundHalfUp(BigInt(amount) * BigInt(part), BigInt(whole)))
}

/** A percentage given in thousandths of a percent (19% = 19000) of an amount, half-up. */
export const percentOf = (amount: number, milliPercent: number): number => fraction(amount, milliPercent, 100_000)

export function sumMoney(amounts: readonly number[]): number {
  let total = 0
  for (const amount of amounts) total += amount
  return checkedAmount(total)
}

/**
 * An amount that JavaScript numbers hold exactly (|n| ≤ 2^53 − 1). Beyond that
 * arithmetic silently rounds, so such a price × quantity is refused as input.
 */
export function checkedAmount(amount: number, what = 'an amount'): number {
  if (Number.isSafeInteger(amount)) return amount
  throw invalid(`${what} comes to more than wsb can bill exactly (${Number.MAX_SAFE_INTEGER} minor units); use a smaller quantity or price`, {
    limit: Number.MAX_SAFE_INTEGER,
  })
}
