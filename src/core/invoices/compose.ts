// Invoice arithmetic (R-INV-2), pure: subtotal of the lines, the account's
// discount, tax at the account's rate on the discounted subtotal (half-up),
// credit drawn from the balance, total and amount due. Integer minor units.
import { checkedAmount, percentOf, sumMoney } from '../money.js'

export type Discount = { percentOffMilli: number | null; amountOff: number | null }

export type Totals = {
  subtotal: number
  discount: number
  tax: number
  total: number
  creditApplied: number
  amountDue: number
  /** When the total is negative (a credit): what goes back to the credit balance. */
  creditGranted: number
}

export function composeTotals(input: { lineAmounts: readonly number[]; discount: Discount | null; taxRateMilli: number; creditBalance: number }): Totals {
  const subtotal = sumMoney(input.lineAmounts)
  let discount = 0
  if (input.discount && subtotal > 0)
    discount = input.discount.percentOffMilli !== null ? percentOf(subtotal, input.discount.percentOffMilli) : Math.min(input.discount.amountOff ?? 0, subtotal)
  const taxable = subtotal - discount
  const tax = percentOf(taxable, input.taxRateMilli)
  const total = checkedAmount(taxable + tax, 'the invoice total')
  const creditApplied = total > 0 ? Math.min(Math.max(0, input.creditBalance), total) : 0
  return {
    subtotal,
    discount,
    tax,
    total,
    creditApplied,
    amountDue: Math.max(0, total - creditApplied),
    creditGranted: total < 0 ? -total : 0,
  }
}
