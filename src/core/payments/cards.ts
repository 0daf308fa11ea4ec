// Card data must never reach wsb (R-PM-2): anything that looks like a card
// number is refused without being echoed, stored or logged.
import { refused } from '../errors.js'

/** 12 to 19 digits, possibly grouped by spaces or dashes: the shape of a PAN. */
const PAN = /(?:\d[ -]?){11,18}\d/

/** Read NFKC-normalised: full-width digits (４２４２…) are digits too. */
export const looksLikeCardNumber = (text: string): boolean => PAN.test(text.normalize('NFKC'))

/** The refusal; it never repeats what was given. */
export const cardRefusal = () =>
  refused(
    'RAW_CARD_REFUSED',
    'that looks like a card number: wsb never accepts card data. Give a Stripe PaymentMethod id (pm_…) or a test token such as pm_card_visa',
    {},
  )

export function refuseCardNumber(text: string): void {
  if (looksLikeCardNumber(text)) throw cardRefusal()
}

/** A card is good through the last moment of its expiry month (UTC). */
export const expiresAt = (expMonth: number, expYear: number): number => Date.UTC(expYear, expMonth, 1)

export const EXPIRY_WARNING_DAYS = 30
