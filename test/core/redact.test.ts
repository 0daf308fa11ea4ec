// The one redaction point: keys and card numbers out, everything else intact.
import { describe, expect, it } from 'vitest'
import { redact, redactDeep, registerSecret } from '../../src/core/redact.js'

describe('redact', () => {
  it('SPEC §3 removes Stripe secret and restricted keys wherever they stand, and Bearer tokens', () => {
    expect(redact('key sk_live_abcDEF123_x in text')).toBe('key [redacted] in text')
    expect(redact('inv_sk_test_abc and rk_test_Zz9')).toBe('inv_[redacted] and [redacted]')
    expect(redact('Authorization: Bearer whatever-token.1, next')).toBe('Authorization: Bearer [redacted], next')
  })

  it('R-API-2 removes a workspace API key, keeping only its prefix', () => {
    expect(redact('organization "wsbk_0123456789abcdefghijABCDEFGHIJkl" not found')).toBe('organization "wsbk_[redacted]" not found')
    // Its shown prefix and other words that start alike stay.
    expect(redact('key wsbk_AbCd1234… and wsbk_short')).toBe('key wsbk_AbCd1234… and wsbk_short')
  })

  it('SPEC §3 removes a registered secret of any shape (the exact key, a database password)', () => {
    registerSecret('hunter2-p4ss')
    expect(redact('password=hunter2-p4ss sslmode=require')).toBe('password=[redacted] sslmode=require')
    expect(redact('postgres://u:hunter2-p4ss@h/db')).toBe('postgres://u:***@h/db')
  })

  it('removes the password of any URL, even one never registered (oclif debug prints argv before flags are parsed)', () => {
    expect(redact("argv: [ '--db', 'postgres://bob:s3cret%40x@127.0.0.1:5432/billing' ]")).toBe("argv: [ '--db', 'postgres://bob:***@127.0.0.1:5432/billing' ]")
    expect(redact('postgresql://u:p@h/db and https://a:b@c')).toBe('postgresql://u:***@h/db and https://a:***@c')
    expect(redact('postgres://bob@host/db')).toBe('postgres://bob@host/db')
  })

  it('R-PM-2 removes card numbers (Luhn-valid, grouped or not) and keeps other long numbers', () => {
    expect(redact('card 4242 4242 4242 4242 declined')).toBe('card [card number redacted] declined')
    expect(redact('5555-5555-5555-4444')).toBe('[card number redacted]')
    expect(redact('378282246310005')).toBe('[card number redacted]')
    // Not Luhn-valid: an amount or a timestamp is not a card number.
    expect(redact('amount 9007199254740993')).toBe('amount 9007199254740993')
    expect(redact('1234567890123')).toBe('1234567890123')
  })

  it('redactDeep redacts strings inside objects and arrays and leaves numbers alone', () => {
    expect(redactDeep({ a: 'sk_test_x1', b: [1, 'Bearer t'], c: { d: 4242424242424242 } })).toEqual({ a: '[redacted]', b: [1, 'Bearer [redacted]'], c: { d: 4242424242424242 } })
  })
})
