// No secret in any output (SPEC §3, R-PM-2): the Stripe key and card numbers,
// injected through every error path of both providers, never reach stdout,
// stderr (with DEBUG unset, `wsb` and `*`), the database or its WAL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { StripeErrorBody } from '../helpers/stripe-fake-errors.js'
import { type StripeFake, startStripeFake } from '../helpers/stripe-fake.js'
import { engineDump } from '../helpers/engine.js'
import { wsb, wsbAsync } from '../helpers/cli.js'
import { tempDbPath } from '../helpers/temp.js'

const KEY = 'sk_test_51LeakCanaryDoNotPrint7788'
const PAN = '4242 4242 4242 4242'
const DEBUGS = [undefined, 'wsb', '*'] as const

/** What the database holds, as text (SQLite: the file and its WAL; PostgreSQL: every row): a secret stored anywhere shows up here. */
const stored = (db: string) => engineDump(db)

const clean = (text: string) => {
  expect(text).not.toContain(KEY)
  expect(text).not.toContain('LeakCanary')
  expect(text).not.toMatch(/4242[ -]?4242[ -]?4242[ -]?4242/)
}

/** Stripe's documented error shapes, each echoing the Authorization header and a card number back. */
const ECHOES: { name: string; status: number; error: StripeErrorBody; times: number }[] = [
  { name: 'card_error with decline_code', status: 402, times: 1, error: { type: 'card_error', code: 'card_declined', decline_code: 'generic_decline', message: `Declined. Debug: {authorization} card ${PAN}` } },
  { name: 'card_error without decline_code', status: 402, times: 1, error: { type: 'card_error', code: 'expired_card', message: `Expired. Debug: {authorization}` } },
  { name: 'card_error echoing in decline_code', status: 402, times: 1, error: { type: 'card_error', code: 'card_declined', decline_code: '{authorization}', message: 'Declined' } },
  { name: 'invalid_request_error', status: 400, times: 1, error: { type: 'invalid_request_error', code: 'parameter_invalid', message: `Bad request from {authorization} for ${PAN}` } },
  { name: 'resource_missing', status: 404, times: 1, error: { type: 'invalid_request_error', code: 'resource_missing', message: `No such payment_method; key {authorization}` } },
  { name: 'idempotency_error', status: 400, times: 1, error: { type: 'idempotency_error', message: `Keys for idempotent requests ({authorization})` } },
  { name: 'authentication_error', status: 401, times: 1, error: { type: 'invalid_request_error', code: 'api_key_invalid', message: 'Invalid API Key provided: {authorization}' } },
  { name: 'api_error 500 (the SDK does not retry)', status: 500, times: 1, error: { type: 'api_error', message: `Internal error {authorization} ${PAN}` } },
]

describe('no secret in any output', () => {
  let fake: StripeFake
  beforeAll(async () => {
    fake = await startStripeFake()
  })
  afterAll(() => fake.close())

  const run = (db: string, debug: string | undefined) => (...args: string[]) =>
    wsbAsync([...args, '--json'], { db, env: { STRIPE_API_KEY: KEY, STRIPE_API_BASE: fake.url, ...(debug ? { DEBUG: debug } : {}) } })

  it('SPEC §3 a Stripe error of every shape echoing the key or a card number: pm add, sub add, invoice pay, invoice list and events stay clean, and so do the database and its WAL', async () => {
    for (const debug of DEBUGS) {
      const db = tempDbPath()
      const cli = run(db, debug)
      const outputs: string[] = []
      const go = async (...args: string[]) => {
        const out = await cli(...args)
        outputs.push(out.stdout, out.stderr)
        return out
      }
      await go('workspace', 'create', 'Leak Co', '--mode', 'single', '--clock-start', '2026-06-01')
      await go('account', 'create', 'Leak Co', '--currency', 'USD')
      expect((await go('pm', 'add', 'Leak Co', 'pm_card_visa')).code).toBe(0)
      // The attach path: every shape, on a customer that already exists.
      for (const echo of ECHOES) {
        fake.failNext(echo.times, { status: echo.status, error: echo.error })
        const out = await go('pm', 'add', 'Leak Co', 'pm_card_mastercard')
        expect(out.code, `${echo.name} (DEBUG=${debug})`).not.toBe(0)
        expect(out.json().error.message).toMatch(/\[redacted\]|Stripe/)
      }
      expect((await go('pm', 'add', 'Leak Co', 'pm_card_mastercard')).code).toBe(0)
      // The charge path: both methods answer a card error that echoes the key; the attempts are stored.
      fake.failNext(2, { status: 402, error: ECHOES[0]?.error as StripeErrorBody })
      expect((await go('sub', 'add', 'Leak Co', '--item', 'users=1', '--no-trial')).code).toBe(0)
      const [invoice] = (await go('invoice', 'list')).json().invoices
      expect(invoice.payments.map((p: { outcome: string }) => p.outcome)).toEqual(['failed', 'failed'])
      expect(invoice.payments[0].message).toContain('Bearer [redacted]')
      // And through invoice pay: every other shape, each on the first method tried.
      for (const echo of ECHOES.slice(1)) {
        fake.failNext(echo.times, { status: echo.status, error: echo.error })
        fake.failNext(echo.times, { status: echo.status, error: echo.error })
        await go('invoice', 'pay', invoice.id)
        fake.clearFailures()
      }
      await go('invoice', 'list')
      await go('invoice', 'show', invoice.id)
      await go('events')
      await go('notifications')
      for (const text of outputs) clean(text)
      clean(stored(db))
    }
    // About 120 CLI runs: 20-30 s on a quiet machine, more than the default minute on a loaded one.
  }, 240_000)
})

describe('card numbers and keys typed by mistake', () => {
  it('R-PM-2 a card number given to pm add is refused and absent from stdout and stderr with DEBUG unset, wsb and *', () => {
    for (const debug of DEBUGS) {
      const db = tempDbPath()
      wsb(['workspace', 'create', 'Acme', '--mode', 'single'], { db })
      wsb(['account', 'create', 'Acme', '--currency', 'USD'], { db })
      for (const args of [
        ['pm', 'add', 'Acme', PAN, '--json'],
        ['pm', 'add', 'Acme', '4242-4242-4242-4242'],
        ['pm', 'add', 'Acme', '4242424242424242'],
      ]) {
        const out = wsb(args, { db, env: debug ? { DEBUG: debug } : {} })
        expect(out.code).toBe(4)
        expect(out.stdout + out.stderr).toContain('RAW_CARD_REFUSED')
        clean(out.stdout + out.stderr)
      }
      clean(stored(db))
    }
  })

  it('SPEC §3 a secret key pasted where a payment method or a name belongs is never echoed back (sandbox paths)', () => {
    for (const debug of DEBUGS) {
      const db = tempDbPath()
      const env = debug ? { DEBUG: debug } : {}
      wsb(['workspace', 'create', 'Acme', '--mode', 'single'], { db })
      wsb(['account', 'create', 'Acme', '--currency', 'USD'], { db })
      for (const args of [
        ['pm', 'add', 'Acme', KEY, '--json'],
        ['pm', 'add', 'Acme', KEY],
        ['pm', 'default', 'Acme', KEY],
        ['account', 'show', KEY],
        ['invoice', 'show', `inv_${KEY}`, '--json'],
        ['pm', 'add', 'Acme', `pm_card_visa ${PAN}`],
      ]) {
        const out = wsb(args, { db, env })
        expect(out.code, args.join(' ')).not.toBe(0)
        clean(out.stdout + out.stderr)
      }
      // An invalid STRIPE_API_KEY is named, never shown.
      const bad = wsb(['pm', 'add', 'Acme', 'pm_card_visa', '--json'], { db, env: { ...env, STRIPE_API_KEY: `${KEY} extra` } })
      expect(bad.json().error.code).toBe('INVALID_ENVIRONMENT')
      clean(bad.stdout + bad.stderr)
      clean(stored(db))
    }
  })
})

describe('database passwords', () => {
  it('SPEC §3 a PostgreSQL password in --db or WSB_DB never reaches stdout or stderr, with DEBUG unset, wsb and * (oclif prints argv before flags are read)', () => {
    const url = 'postgres://bob:s3cretPassw0rd@127.0.0.1:1/billing'
    for (const debug of DEBUGS)
      for (const [args, env] of [
        [['workspace', 'list', '--db', url], {}],
        [['workspace', 'list', '--json'], { WSB_DB: url }],
      ] as const) {
        const out = wsb([...args], { env: { ...env, ...(debug ? { DEBUG: debug } : {}) } })
        expect(out.code).toBe(1)
        expect(out.stdout + out.stderr).toContain('DB_UNREACHABLE')
        expect(out.stdout + out.stderr).toContain('bob:***@127.0.0.1:1')
        expect(out.stdout + out.stderr).not.toContain('s3cret')
      }
  })
})
