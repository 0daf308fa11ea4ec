// Money for people: the integer minor units placed with the currency's ISO 4217
// exponent (JPY 0, USD 2, KWD 3), grouped, with the code: "1,234.56 USD".
import { exponentOf } from '../core/currency.js'
import type { Money } from '../core/money.js'

/** Made on first use: a number format costs ~5 ms to build (ICU), too much for every start-up. */
let grouping: Intl.NumberFormat | undefined

export function formatMoney({ amount, currency }: Money): string {
  const exponent = exponentOf(currency)
  const digits = Math.abs(amount).toString().padStart(exponent + 1, '0')
  const whole = digits.slice(0, digits.length - exponent)
  const minor = exponent > 0 ? `.${digits.slice(digits.length - exponent)}` : ''
  return `${amount < 0 ? '-' : ''}${(grouping ??= new Intl.NumberFormat('en-US')).format(BigInt(whole))}${minor} ${currency}`
}
