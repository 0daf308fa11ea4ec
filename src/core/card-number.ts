// What "looks like a card number" means (R-PM-2), for the guard that refuses
// one in anything typed or read (argv, names, notes, labels, addresses, import
// lines) and for the redaction of everything printed. Text is read NFKC-
// normalised, so full-width (４２４２) and other compatibility digits count.
import { refused } from './errors.js'

/** 12 to 19 digits, possibly grouped by single spaces or dashes: the shape of a PAN. */
const PAN = /(?<!\d)(?:\d[ -]?){11,18}\d(?!\d)/g
/** Card networks' first digits (MasterCard 2221–2720 and Mir 2200–2204, Amex, Diners, JCB, Visa, MasterCard, Discover, Maestro, UnionPay). */
const ISSUER = /^(?:2[2-7]|[3-6])/

/** Luhn's checksum: every real card number passes it, most other long numbers do not. */
export function luhn(digits: string): boolean {
  let sum = 0
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48
    if (i % 2 === 1) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
  }
  return sum % 10 === 0
}

/** Compatibility characters folded (full-width digits become 0–9); ASCII text is returned as it is. */
export const normalised = (text: string): string => (/[^\u0000-\u007f]/.test(text) ? text.normalize('NFKC') : text)

const digitsOf = (match: string) => match.replace(/[ -]/g, '')

/**
 * A card number in `text`: a PAN-shaped run that passes Luhn and starts like a
 * card network's numbers, so that dates, timestamps and amounts of that length
 * (20240612…, 1718000000000) are not taken for one.
 */
export function containsCardNumber(text: string): boolean {
  for (const match of normalised(text).matchAll(PAN)) {
    const digits = digitsOf(match[0])
    if (ISSUER.test(digits) && luhn(digits)) return true
  }
  return false
}

/** Refuses text holding a card number (RAW_CARD_REFUSED, exit 4) without repeating it; `what` names the field. */
export function refuseCardNumberIn(text: string, what = 'an argument'): void {
  if (containsCardNumber(text))
    throw refused(
      'RAW_CARD_REFUSED',
      `${what} looks like it holds a card number: wsb never accepts card data, in any field. For a payment method give a Stripe PaymentMethod id (pm_…) or a test token such as pm_card_visa`,
      { field: what },
    )
}

/**
 * Every Luhn-valid PAN-shaped run replaced by a marker (redaction is wider than
 * the guard: any such run, whatever its first digits). Text holding full-width
 * digits is redacted in its normalised form.
 */
export function maskCardNumbers(text: string): string {
  const mask = (from: string) => from.replace(PAN, (match) => (luhn(digitsOf(match)) ? '[card number redacted]' : match))
  const masked = mask(text)
  const folded = normalised(masked)
  if (folded === masked) return masked
  const foldedMasked = mask(folded)
  return foldedMasked === folded ? masked : foldedMasked
}
