// The offline sandbox provider (SPEC §3): Stripe's documented test
// PaymentMethods without a network. pm_card_visa, pm_card_mastercard and
// pm_card_amex pay; the chargeDeclined family declines with Stripe's codes.
// Unlike live Stripe (which refuses declining test cards when they are
// attached), the sandbox attaches them and declines at charge time, so failover
// and dunning can be exercised offline. A test token may end in @MM/YYYY to
// give the card that expiry (sandbox only), e.g. pm_card_visa@03/2026.
// pm_card_authenticationRequired needs 3-D Secure on every charge (off-session it
// cannot pay). Bank debits (pm_sepaDebit_success / _failure, pm_usBankAccount_success /
// _failure, Stripe's test IBAN and account numbers) are `processing` for
// BANK_SETTLE_DAYS of workspace time after the charge, then succeed or fail.
import { createHash } from 'node:crypto'
import { invalid } from '../errors.js'
import type { MethodType } from './label.js'
import { type ChargeResult, declineClass } from './outcome.js'
import { type Card, type ChargeInput, type LookupInput, NO_EXPIRY, type PaymentProvider } from './provider.js'

type TestCard = {
  type?: MethodType
  brand: string
  last4: string
  decline?: { code: string; declineCode: string; message: string }
  authentication?: true
  /** 3-D Secure when saved (Stripe's SetupIntent answers requires_action): refused at pm add. */
  setupAuthentication?: true
}

/** Days a sandbox bank debit stays `processing` (Stripe: ACH about 4 business days, SEPA up to 14; 5 here for both). */
export const BANK_SETTLE_DAYS = 5
const DAY_MS = 24 * 60 * 60 * 1000

const declined = (code: string, declineCode: string, message: string) => ({ code, declineCode, message })

const TEST_CARDS: Record<string, TestCard> = {
  pm_card_visa: { brand: 'visa', last4: '4242' },
  pm_card_visa_debit: { brand: 'visa', last4: '5556' },
  pm_card_mastercard: { brand: 'mastercard', last4: '4444' },
  pm_card_amex: { brand: 'amex', last4: '8431' },
  pm_card_discover: { brand: 'discover', last4: '1117' },
  pm_card_jcb: { brand: 'jcb', last4: '0505' },
  pm_card_chargeDeclined: { brand: 'visa', last4: '0002', decline: declined('card_declined', 'generic_decline', 'Your card was declined.') },
  pm_card_chargeDeclinedInsufficientFunds: {
    brand: 'visa',
    last4: '9995',
    decline: declined('card_declined', 'insufficient_funds', 'Your card has insufficient funds.'),
  },
  pm_card_chargeDeclinedExpiredCard: { brand: 'visa', last4: '0069', decline: declined('expired_card', 'expired_card', 'Your card has expired.') },
  pm_card_chargeDeclinedIncorrectCvc: { brand: 'visa', last4: '0127', decline: declined('incorrect_cvc', 'incorrect_cvc', "Your card's security code is incorrect.") },
  pm_card_chargeDeclinedFraudulent: { brand: 'visa', last4: '0019', decline: declined('card_declined', 'fraudulent', 'Your card was declined.') },
  pm_card_chargeCustomerFail: { brand: 'visa', last4: '0341', decline: declined('card_declined', 'generic_decline', 'Your card was declined.') },
  pm_card_authenticationRequired: { brand: 'visa', last4: '3184', authentication: true },
  pm_card_authenticationRequiredOnSetup: { brand: 'visa', last4: '3155', setupAuthentication: true },
  pm_sepaDebit_success: { type: 'sepa_debit', brand: 'sepa_debit', last4: '3000' },
  pm_sepaDebit_failure: { type: 'sepa_debit', brand: 'sepa_debit', last4: '3001', decline: declined('charge_failed', 'insufficient_funds', 'The debit failed: insufficient funds.') },
  pm_usBankAccount_success: { type: 'us_bank_account', brand: 'STRIPE TEST BANK', last4: '6789' },
  pm_usBankAccount_failure: { type: 'us_bank_account', brand: 'STRIPE TEST BANK', last4: '1116', decline: declined('charge_failed', 'insufficient_funds', 'The debit failed: insufficient funds.') },
}

const SANDBOX_ID = /^pm_sandbox_([A-Za-z]+(?:_[A-Za-z]+)*)_[0-9a-f]{8}(?:_(\d{2})_(\d{4}))?$/

export class SandboxProvider implements PaymentProvider {
  readonly name = 'sandbox' as const

  async ensureCustomer(account: { id: string; customerId: string | null }): Promise<string> {
    return account.customerId ?? `cus_sandbox_${account.id}`
  }

  /** Offline there is no mandate to keep: a bank debit's mandate is Stripe's (docs/payments.md "Mandates"). */
  async attach(customerId: string, source: string): Promise<{ providerId: string; card: Card; mandateId: string | null }> {
    const [token = '', expiry] = source.split('@')
    const card = TEST_CARDS[token]
    if (!card)
      throw invalid(`the sandbox does not know the payment method "${source}"; use a Stripe test token such as ${Object.keys(TEST_CARDS).slice(0, 4).join(', ')}`, {
        known: Object.keys(TEST_CARDS),
      }, 'UNKNOWN_PAYMENT_METHOD')
    if (card.setupAuthentication)
      throw invalid(`the bank asks the customer to authenticate this card (3-D Secure) before it can be saved; have the customer complete it in your checkout, then add the PaymentMethod it gives`, {}, 'SETUP_NEEDS_AUTHENTICATION')
    const type = card.type ?? 'card'
    let expMonth: number = type === 'card' ? 12 : NO_EXPIRY.expMonth
    let expYear: number = type === 'card' ? 2034 : NO_EXPIRY.expYear
    if (expiry !== undefined) {
      if (type !== 'card') throw invalid(`"${token}" is a bank account: it has no expiry`, {}, 'INVALID_PAYMENT_METHOD')
      const match = /^(\d{2})\/(\d{4})$/.exec(expiry)
      const month = Number(match?.[1])
      if (!match || month < 1 || month > 12) throw invalid(`"${expiry}" is not an expiry MM/YYYY`, {}, 'INVALID_PAYMENT_METHOD')
      expMonth = month
      expYear = Number(match[2])
    }
    // Like Stripe, attaching a token makes a new PaymentMethod with its own id.
    const digest = createHash('sha256').update(`${customerId}:${source}`).digest('hex').slice(0, 8)
    const providerId = `pm_sandbox_${token.slice(3)}_${digest}${expiry !== undefined ? `_${String(expMonth).padStart(2, '0')}_${expYear}` : ''}`
    return { providerId, card: { type, brand: card.brand, last4: card.last4, expMonth, expYear }, mandateId: null }
  }

  async setDefault(): Promise<void> {}

  async detach(): Promise<void> {}

  async charge(input: ChargeInput): Promise<ChargeResult> {
    const match = SANDBOX_ID.exec(input.paymentMethodId)
    const card = match ? TEST_CARDS[`pm_${match[1]}`] : undefined
    const paymentId = sandboxIntent(input.idempotencyKey)
    if (!card) return { outcome: 'unusable', paymentId: null, declineCode: 'resource_missing', message: `No such PaymentMethod: '${input.paymentMethodId}'` }
    if (card.type && card.type !== 'card') return { outcome: 'processing', paymentId }
    return cardAnswer(card, paymentId, match?.[2] !== undefined && input.at >= Date.UTC(Number(match[3]), Number(match[2]), 1))
  }

  /**
   * The sandbox's payments are its answers, so a lookup gives the same answer again: a card's
   * charge as it was, a bank debit processing for BANK_SETTLE_DAYS after the charge, then settled.
   */
  async lookup(input: LookupInput): Promise<ChargeResult | null> {
    if (!input.paymentId) return null
    const match = SANDBOX_ID.exec(input.paymentMethodId)
    const card = TEST_CARDS[`pm_${match?.[1]}`]
    if (!card) return null
    if (!card.type || card.type === 'card') return cardAnswer(card, input.paymentId, match?.[2] !== undefined && input.chargedAt >= Date.UTC(Number(match[3]), Number(match[2]), 1))
    if (input.at - input.chargedAt < BANK_SETTLE_DAYS * DAY_MS) return { outcome: 'processing', paymentId: input.paymentId }
    if (card.decline) return declineClass(input.paymentId, card.decline.declineCode, card.decline.message)
    return { outcome: 'succeeded', paymentId: input.paymentId }
  }

  async cancel(paymentId: string): Promise<ChargeResult> {
    return { outcome: 'canceled', paymentId, message: 'the payment was canceled' }
  }
}

const sandboxIntent = (key: string): string => `pi_sandbox_${createHash('sha256').update(key).digest('hex').slice(0, 16)}`

function cardAnswer(card: TestCard, paymentId: string, expired: boolean): ChargeResult {
  if (card.authentication) return { outcome: 'requires_action', paymentId, declineCode: 'authentication_required', message: 'This payment requires the customer to authenticate (3-D Secure).', action: 'authenticate' }
  if (card.decline) return declineClass(paymentId, card.decline.declineCode, card.decline.message)
  if (expired) return declineClass(paymentId, 'expired_card', 'Your card has expired.')
  return { outcome: 'succeeded', paymentId }
}
