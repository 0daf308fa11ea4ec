// What wsb says about a payment waiting for the customer, by method and by what
// Stripe asks (issue 22 item 7): 3-D Secure is a card's; a bank account waiting
// for micro-deposits says so. No database: the classes and words themselves.
import { describe, expect, it } from 'vitest'
import { customerActionText, methodLabel } from '../../src/core/payments/label.js'
import { classifyError, classifyIntent } from '../../src/core/payments/outcome.js'

describe('payment wording', () => {
  it('SPEC §3 requires_action names 3-D Secure for cards only; micro-deposits for a bank account being verified', () => {
    const card = { type: 'card' as const, brand: 'visa', last4: '3184' }
    const ach = { type: 'us_bank_account' as const, brand: 'STRIPE TEST BANK', last4: '6789' }
    const sepa = { type: 'sepa_debit' as const, brand: 'sepa_debit', last4: '3000' }
    expect(customerActionText(card, 'authenticate')).toBe('the bank asks the customer to authenticate the payment on Visa ••••3184 (3-D Secure)')
    expect(customerActionText(ach, 'verify_microdeposits')).toBe('the customer must verify US bank account ••••6789 with the micro-deposits Stripe sent to it')
    expect(customerActionText(sepa, 'authenticate')).toBe('the customer must confirm the debit on SEPA debit ••••3000')
    for (const text of [customerActionText(ach, 'verify_microdeposits'), customerActionText(sepa, 'authenticate')]) expect(text).not.toMatch(/3-D Secure/)
    expect(classifyIntent({ id: 'pi_1', status: 'requires_action', next_action: { type: 'verify_with_microdeposits' } })).toMatchObject({ outcome: 'requires_action', action: 'verify_microdeposits', declineCode: 'verify_with_microdeposits' })
    expect(classifyIntent({ id: 'pi_2', status: 'requires_action', next_action: { type: 'use_stripe_sdk' } })).toMatchObject({ outcome: 'requires_action', action: 'authenticate' })
  })

  it('SPEC §3 a SEPA debit is labelled by its type, never by a bank code stored as its brand', () => {
    expect(methodLabel({ type: 'sepa_debit', brand: '37040044', last4: '3000' })).toBe('SEPA debit ••••3000')
  })

  it('SPEC §3 answers are classed by whom they concern', () => {
    const request = (status: number, code: string | undefined, param?: string) => classifyError({ type: 'StripeInvalidRequestError', statusCode: status, code, param, message: 'm' }).outcome
    expect(request(404, 'resource_missing', 'payment_method')).toBe('unusable')
    expect(request(400, undefined, 'payment_method')).toBe('unusable')
    expect(request(404, 'resource_missing', 'customer')).toBe('customer_missing')
    expect(request(400, 'parameter_unknown', 'hooks')).toBe('refused')
    expect(request(400, 'amount_too_small', 'amount')).toBe('refused')
    expect(request(409, 'idempotency_key_in_use')).toBe('outage')
    expect(request(429, 'rate_limit')).toBe('outage')
    expect(classifyError({ type: 'StripeAuthenticationError', statusCode: 401, code: 'api_key_expired' }).outcome).toBe('key_rejected')
    expect(classifyError({ type: 'StripePermissionError', statusCode: 403 }).outcome).toBe('key_rejected')
    expect(classifyError({ type: 'StripeAPIError', statusCode: 500 }).outcome).toBe('outage')
    expect(classifyError({ type: 'StripeConnectionError' }).outcome).toBe('outage')
    const card = (code: string, decline_code = '') => classifyError({ type: 'StripeCardError', statusCode: 402, code, decline_code }).outcome
    expect(card('expired_card')).toBe('unusable')
    expect(card('card_declined', 'stolen_card')).toBe('unusable')
    expect(card('card_declined', 'insufficient_funds')).toBe('declined')
    expect(card('authentication_required', 'authentication_required')).toBe('requires_action')
  })
})
