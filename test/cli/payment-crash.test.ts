// Payments through the built binary against the stateful Stripe fake, where a
// whole process matters: killed between Stripe's charge and wsb's record, a
// 40-day outage, mandates and STRIPE_API_BASE given on the command line, and
// doctor reporting a rejected key.
import { spawn } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cleanEnv, engineDb, WSB, wsbAsync } from '../helpers/cli.js'
import { type StripeFake, startStripeFake } from '../helpers/stripe-fake.js'
import { tempDbPath } from '../helpers/temp.js'

const KEY = 'sk_test_51CrashNeverPrinted0000'
const HOUR = 60 * 60 * 1000
let fake: StripeFake

beforeAll(async () => {
  fake = await startStripeFake({ now: () => Date.parse('2026-06-01T00:00:00Z') })
})
afterAll(() => fake.close())

const env = (extra: Record<string, string> = {}) => ({ STRIPE_API_KEY: KEY, STRIPE_API_BASE: fake.url, ...extra })
const cli = (db: string, extra: Record<string, string> = {}) => (...args: string[]) => wsbAsync([...args, '--json'], { db, env: env(extra) })
const intentsOf = (invoiceId: string) => [...fake.paymentIntents.values()].filter((pi) => pi.metadata.wsb_invoice_id === invoiceId)

async function account(db: string, name: string, ...tokens: string[]) {
  const run = cli(db)
  expect((await run('workspace', 'create', `${name} ws`, '--mode', 'single', '--clock-start', '2026-06-01')).code).toBe(0)
  expect((await run('account', 'create', name, '--currency', 'USD')).code).toBe(0)
  for (const token of tokens) expect((await run('pm', 'add', name, token)).code).toBe(0)
  return run
}

describe('payments survive what happens to a process (issue 22, issue 21 item 8)', () => {
  it('R-PAY-1 killed between the charge and its record, then resumed after Stripe forgot the key: the PaymentIntent is found, never made twice', async () => {
    const db = tempDbPath()
    const run = await account(db, 'Killed', 'pm_card_visa')
    const child = spawn(process.execPath, [WSB, 'sub', 'add', 'Killed', '--item', 'users=2', '--no-trial', '--db', engineDb(db)], { env: cleanEnv(env()), stdio: 'ignore' })
    const exited = new Promise((resolve) => child.on('exit', resolve))
    let killed = false
    fake.onAnswer = async (request) => {
      if (request.method !== 'POST' || request.path !== '/v1/payment_intents') return
      fake.onAnswer = undefined
      // Stripe has charged; the answer never reaches wsb.
      killed = true
      child.kill('SIGKILL')
      await exited
    }
    await exited
    expect(killed).toBe(true)
    fake.advanceTime(25 * HOUR) // a day later Stripe no longer knows the idempotency key
    const list = await run('invoice', 'list')
    expect(list.code).toBe(0)
    const [invoice] = list.json().invoices
    expect(invoice).toMatchObject({ status: 'paid', amountPaid: { amount: 2000, currency: 'USD' } })
    expect(invoice.payments.map((p: { outcome: string; run: string }) => [p.run, p.outcome])).toEqual([['run-1', 'succeeded']])
    expect(intentsOf(invoice.id).map((pi) => pi.status)).toEqual(['succeeded'])
  })

  it('SPEC §3 clock advance --by 40d while Stripe answers 500 to everything: one request per collect run, none retried by the SDK, and then it pays', async () => {
    const db = tempDbPath()
    const run = await account(db, 'Outage', 'pm_card_visa')
    const before = fake.requests.length
    fake.failNext(100_000, 500)
    try {
      expect((await run('sub', 'add', 'Outage', '--item', 'users=1', '--no-trial')).code).toBe(0)
      const advanced = await run('clock', 'advance', '--by', '40d')
      expect(advanced.code).toBe(0)
    } finally {
      fake.clearFailures()
    }
    const sent = fake.requests.slice(before)
    const unavailable = (await run('events', '--kind', 'payment.provider_unavailable', '--limit', '1000')).json().events
    expect(sent.length).toBe(unavailable.length)
    expect(sent.every((r) => r.status === 500)).toBe(true)
    expect(unavailable.length).toBeGreaterThan(35)
    expect(unavailable.length).toBeLessThan(60)
    const paid = await run('clock', 'advance', '--by', '2d')
    expect(paid.code).toBe(0)
    for (const invoice of (await run('invoice', 'list')).json().invoices) {
      expect(invoice.status).toBe('paid')
      expect(intentsOf(invoice.id).filter((pi) => pi.status === 'succeeded').length).toBe(1)
    }
  })

  it('SPEC §3 pm add takes a bank debit mandate from its flags, and says how when it is missing; the key never shows', async () => {
    const db = tempDbPath()
    const run = await account(db, 'Sepa')
    const missing = await run('pm', 'add', 'Sepa', 'pm_sepaDebit_success')
    expect([missing.code, missing.json().error.code]).toEqual([2, 'MANDATE_REQUIRED'])
    expect(missing.json().error.message).toMatch(/--mandate-offline/)
    const both = await run('pm', 'add', 'Sepa', 'pm_sepaDebit_success', '--mandate-offline', '--mandate', 'mandate_123')
    expect([both.code, both.json().error.code, both.json().error.message]).toEqual([2, 'INVALID_INPUT', 'give one way of the mandate, not --mandate and --mandate-offline'])
    const badIp = await run('pm', 'add', 'Sepa', 'pm_sepaDebit_success', '--mandate-ip', 'not-an-ip', '--mandate-user-agent', 'Mozilla/5.0')
    expect([badIp.code, badIp.json().error.message]).toEqual([2, expect.stringMatching(/^--mandate-ip: expected the IPv4 or IPv6 address/)])
    const online = await run('pm', 'add', 'Sepa', 'pm_sepaDebit_success', '--mandate-ip', '203.0.113.7', '--mandate-user-agent', 'Mozilla/5.0 (X11)')
    expect(online.code).toBe(0)
    expect(online.json()).toMatchObject({ type: 'sepa_debit', brand: 'sepa_debit', label: 'SEPA debit ••••3000', mandateId: expect.stringMatching(/^mandate_/) })
    expect(fake.mandates.get(online.json().mandateId)).toMatchObject({ customer_acceptance: { type: 'online', online: { ip_address: '203.0.113.7', user_agent: 'Mozilla/5.0 (X11)' } } })
    for (const out of [missing, both, badIp, online]) expect(out.stdout + out.stderr).not.toContain(KEY)
  })

  it('SPEC §3 a STRIPE_API_BASE with a path is refused naming the problem, never silently dropped', async () => {
    const db = tempDbPath()
    const run = await account(db, 'Based')
    const pathed = await cli(db, { STRIPE_API_BASE: `${fake.url}/stripe-proxy` })('pm', 'add', 'Based', 'pm_card_visa')
    expect([pathed.code, pathed.json().error.code]).toEqual([2, 'INVALID_ENVIRONMENT'])
    expect(pathed.json().error.message).toMatch(/^STRIPE_API_BASE: give only the scheme, host and port/)
    expect(pathed.stdout + pathed.stderr).not.toContain(KEY)
    expect((await run('pm', 'list', 'Based')).json().paymentMethods).toEqual([])
  })

  it('SPEC §3 wsb doctor reports a rejected Stripe key as a warning until the key works again', async () => {
    const key = 'sk_test_51RolledKeyNeverShown01'
    const db = tempDbPath()
    const run = cli(db, { STRIPE_API_KEY: key })
    await run('workspace', 'create', 'Doctor ws', '--mode', 'single', '--clock-start', '2026-06-01')
    await run('account', 'create', 'Doctor', '--currency', 'USD')
    expect((await run('pm', 'add', 'Doctor', 'pm_card_visa')).code).toBe(0)
    fake.rejectKey(key, 'expired')
    try {
      expect((await run('sub', 'add', 'Doctor', '--item', 'users=1', '--no-trial')).code).toBe(0)
      const doctor = await run('doctor')
      expect(doctor.json()).toMatchObject({ ok: true, warnings: [{ check: 'provider-key', rule: 'SPEC §3', message: expect.stringMatching(/^the Stripe key was rejected \(401\)/) }] })
      expect(doctor.stdout + doctor.stderr).not.toContain(key)
      const notes = (await run('notifications')).json().notifications
      expect(notes.map((n: { kind: string }) => n.kind)).toEqual(['provider_key_rejected'])
    } finally {
      fake.acceptKey(key)
    }
    expect((await run('clock', 'advance', '--by', '1d')).code).toBe(0)
    expect((await run('doctor')).json().warnings).toEqual([])
    expect((await run('invoice', 'list')).json().invoices[0].status).toBe('paid')
  })
})
