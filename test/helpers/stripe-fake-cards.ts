// Stripe's documented test PaymentMethod tokens and how each one behaves.
// As in Stripe, the declining tokens already fail when attached to a
// customer (attaching runs a card check); `pm_card_chargeCustomerFail`
// attaches fine and declines only when charged, which is the card a billing
// product meets when a saved card stops working. Custom cards from
// `addCard` behave like that by default.
import { createHash } from 'node:crypto'

export type Decline = { code: string; decline_code: string; on: 'attach' | 'charge' }
/**
 * 'processing': the PaymentIntent stays `processing` until the test settles it
 * (`fake.settle`), as bank debits do; 'requires_action': confirming answers 200
 * with status `requires_action` (3-D Secure); a Decline with code
 * `authentication_required` is Stripe's off-session answer for such a card.
 */
export type CardBehaviour = 'succeed' | 'processing' | 'requires_action' | Decline
/** A card, or a bank account behind a debit PaymentMethod. */
export type MethodKind = 'card' | 'sepa_debit' | 'us_bank_account'
export type Funding = 'credit' | 'debit' | 'prepaid' | 'unknown'

export type TestCard = {
  kind?: MethodKind
  /** A SetupIntent for it answers `requires_action`: the bank wants 3-D Secure when it is saved. */
  setupAuthentication?: true
  /**
   * A bank account's SetupIntent: 'microdeposits' answers `requires_action` with
   * `verify_with_microdeposits` (the customer confirms two small deposits days later);
   * 'processing' stays `processing` while the bank verifies the account.
   */
  setupVerification?: 'microdeposits' | 'processing'
  brand: string
  last4: string
  exp_month: number
  exp_year: number
  country: string
  funding: Funding
  behaviour: CardBehaviour
}

/** What `addCard` accepts: only the expiry is required. */
export type CardInput = {
  brand?: string
  last4?: string
  exp_month: number
  exp_year: number
  country?: string
  funding?: Funding
  behaviour?: 'succeed' | 'processing' | 'requires_action' | { decline_code: string; code?: string; on?: 'attach' | 'charge' }
  kind?: MethodKind
  setupVerification?: 'microdeposits' | 'processing'
}

export function cardFromInput(input: CardInput): TestCard {
  const behaviour = input.behaviour ?? 'succeed'
  return {
    ...(input.kind ? { kind: input.kind } : {}),
    ...(input.setupVerification ? { setupVerification: input.setupVerification } : {}),
    brand: input.brand ?? 'visa',
    last4: input.last4 ?? '4242',
    exp_month: input.exp_month,
    exp_year: input.exp_year,
    country: input.country ?? 'US',
    funding: input.funding ?? 'credit',
    behaviour:
      behaviour === 'succeed' || behaviour === 'processing' || behaviour === 'requires_action'
        ? behaviour
        : { code: behaviour.code ?? 'card_declined', decline_code: behaviour.decline_code, on: behaviour.on ?? 'charge' },
  }
}

/** The built-in tokens; they expire in December a few years after `now`. */
export function builtInTestCards(now: number): Map<string, TestCard> {
  const exp = { exp_month: 12, exp_year: new Date(now).getUTCFullYear() + 3, country: 'US', funding: 'credit' as const }
  const card = (brand: string, last4: string, behaviour: CardBehaviour): TestCard => ({ ...exp, brand, last4, behaviour })
  const declines = (code: string, decline_code: string, on: Decline['on'] = 'attach'): Decline => ({ code, decline_code, on })
  return new Map([
    ['pm_card_visa', card('visa', '4242', 'succeed')],
    ['pm_card_mastercard', card('mastercard', '4444', 'succeed')],
    ['pm_card_amex', card('amex', '8431', 'succeed')],
    ['pm_card_chargeDeclined', card('visa', '0002', declines('card_declined', 'generic_decline'))],
    ['pm_card_chargeDeclinedInsufficientFunds', card('visa', '9995', declines('card_declined', 'insufficient_funds'))],
    ['pm_card_chargeDeclinedExpiredCard', card('visa', '0069', declines('expired_card', 'expired_card'))],
    ['pm_card_chargeDeclinedIncorrectCvc', card('visa', '0127', declines('incorrect_cvc', 'incorrect_cvc'))],
    ['pm_card_chargeDeclinedFraudulent', card('visa', '0019', declines('card_declined', 'fraudulent'))],
    ['pm_card_chargeCustomerFail', card('visa', '0341', declines('card_declined', 'generic_decline', 'charge'))],
    // 4000 0025 0000 3155: authentication when it is saved (SetupIntent requires_action).
    ['pm_card_authenticationRequiredOnSetup', { ...card('visa', '3155', 'succeed'), setupAuthentication: true as const }],
    // Off-session, Stripe declines it with authentication_required (its number 4000 0027 6000 3184).
    ['pm_card_authenticationRequired', card('visa', '3184', declines('authentication_required', 'authentication_required', 'charge'))],
    // Bank debits: `processing` once charged, until the test settles them (test IBAN …3000, account …6789).
    ['pm_sepaDebit_success', { ...card('37040044', '3000', 'processing'), kind: 'sepa_debit' as const }],
    ['pm_usBankAccount_success', { ...card('STRIPE TEST BANK', '6789', 'processing'), kind: 'us_bank_account' as const }],
    // An account verified by micro-deposits: its SetupIntent waits for the customer (requires_action).
    ['pm_usBankAccount_microdeposits', { ...card('STRIPE TEST BANK', '6789', 'processing'), kind: 'us_bank_account' as const, setupVerification: 'microdeposits' as const }],
  ])
}

/** A card is valid through the last day of its expiry month. */
export const isExpired = (card: TestCard, now: number): boolean => now >= Date.UTC(card.exp_year, card.exp_month, 1)

/** The decline a card gives at `moment`, if any; a card past its expiry always declines. */
export function declineAt(card: TestCard, moment: 'attach' | 'charge', now: number): Decline | undefined {
  if (isExpired(card, now)) return { code: 'expired_card', decline_code: 'expired_card', on: moment }
  if (typeof card.behaviour === 'string') return undefined
  // A card that already fails on attach also fails on charge (e.g. a raw token used without a customer).
  return card.behaviour.on === 'attach' || moment === 'charge' ? card.behaviour : undefined
}

/** Stripe's customer-facing messages for the codes the test cards produce. */
export function declineMessage(decline: Decline): string {
  if (decline.code === 'expired_card') return 'Your card has expired.'
  if (decline.code === 'incorrect_cvc') return "Your card's security code is incorrect."
  if (decline.code === 'authentication_required') return 'Your card was declined. This transaction requires authentication.'
  if (decline.code === 'processing_error') return 'An error occurred while processing your card. Try again in a little bit.'
  if (decline.decline_code === 'insufficient_funds') return 'Your card has insufficient funds.'
  return 'Your card was declined.'
}

/** The card field Stripe blames in `error.param`. */
export const declineParam = (decline: Decline): string | undefined =>
  ({ expired_card: 'exp_month', incorrect_cvc: 'cvc', incorrect_number: 'number' } as Record<string, string>)[decline.code]

/** Stable per card number, like Stripe's, so tests can spot the same card saved twice. */
export const fingerprint = (card: TestCard): string =>
  createHash('sha256').update(`${card.brand}:${card.last4}:${card.exp_month}/${card.exp_year}`).digest('base64url').slice(0, 16)
