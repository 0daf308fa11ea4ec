// apply killed at every provider call (issue 11, item 3): whatever was done
// before the kill, re-running the file ends exactly where an uninterrupted run
// ends — every method attached before anything is collected, every invoice
// paid once, no dunning. The kill points are the Stripe requests themselves:
// the local Stripe server holds each one while the test SIGKILLs wsb.
import { spawn } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cleanEnv, engineDb, WSB, wsbAsync } from '../helpers/cli.js'
import { engineAll } from '../helpers/engine.js'
import { type StripeFake, startStripeFake } from '../helpers/stripe-fake.js'
import { tempDbPath } from '../helpers/temp.js'

const KEY = 'sk_test_applyCrash0000'
const FILE = `workspace: { name: Crash Pay, mode: pooled, testClock: true, clockStart: 2026-03-01 }
accounts:
  - { name: North, currency: USD, paymentMethods: [pm_card_visa, pm_card_mastercard], subscriptions: [ { label: main, trial: false, items: { users: 2 } } ] }
  - { name: South, currency: USD, paymentMethods: [pm_card_visa, pm_card_amex], subscriptions: [ { label: main, trial: false, items: { users: 3 } } ] }
`

function outcome(db: string) {
  const all = (sql: string) => engineAll(db, sql)
  return {
    invoices: all(`SELECT a.name AS account, i.number, i.status, i.amount_paid AS paid FROM invoices i JOIN billing_accounts a ON a.id = i.account_id ORDER BY a.name, i.number`),
    subscriptions: all(`SELECT a.name AS account, s.status FROM subscriptions s JOIN billing_accounts a ON a.id = s.account_id ORDER BY a.name`),
    methods: all(`SELECT a.name AS account, count(*) AS n FROM payment_methods m JOIN billing_accounts a ON a.id = m.account_id GROUP BY a.name ORDER BY a.name`),
    failures: all(`SELECT kind FROM notifications WHERE kind LIKE 'payment_failed%'`),
    succeeded: all(`SELECT invoice_id, count(*) AS n FROM payment_attempts WHERE outcome = 'succeeded' GROUP BY invoice_id HAVING count(*) > 1`),
  }
}

describe('apply killed at every step', () => {
  let fake: StripeFake
  beforeAll(async () => {
    fake = await startStripeFake()
  })
  afterAll(() => fake.close())
  const env = () => ({ STRIPE_API_KEY: KEY, STRIPE_API_BASE: fake.url })

  it('R-PAY-1 SIGKILL at each provider call of apply, then a re-run: every method attached first, every invoice paid once, no dunning', async () => {
    const control = tempDbPath()
    const start = fake.requests.length
    expect((await wsbAsyncInput(['apply', '-f', '-'], control, env())).code).toBe(0)
    const calls = fake.requests.length - start
    const expected = outcome(control)
    expect(expected.invoices).toEqual([
      { account: 'North', number: 1, status: 'paid', paid: 2000 },
      { account: 'South', number: 1, status: 'paid', paid: 3000 },
    ])
    expect(calls).toBeGreaterThanOrEqual(8)

    for (let k = 1; k <= calls; k++) {
      const db = tempDbPath()
      let seen = 0
      const child = spawn(process.execPath, [WSB, 'apply', '-f', '-', '--json'], { env: cleanEnv({ WSB_DB: engineDb(db), ...env() }), stdio: ['pipe', 'ignore', 'ignore'] })
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
      fake.onRequest = async () => {
        if (++seen !== k) return
        child.kill('SIGKILL')
        await exited
      }
      child.stdin.end(FILE)
      await exited
      fake.onRequest = undefined
      expect(seen, `kill point ${k}`).toBeGreaterThanOrEqual(k)
      const rerun = await wsbAsyncInput(['apply', '-f', '-', '--json'], db, env())
      expect(rerun.code, `re-run after kill at call ${k}: ${rerun.stdout}`).toBe(0)
      const after = outcome(db)
      expect(after, `kill at provider call ${k} of ${calls}`).toEqual(expected)
      // A third run changes nothing.
      expect((await wsbAsyncInput(['apply', '-f', '-', '--json'], db, env())).json().changed).toBe(false)
    }
  })

  it('a file with an error attaches nothing, even for accounts that exist', async () => {
    const db = tempDbPath()
    const one = FILE.split('\n').slice(0, 3).join('\n').replace('pm_card_visa, pm_card_mastercard', 'pm_card_visa')
    expect((await wsbAsyncInput(['apply', '-f', '-'], db, env(), `${one}\n`)).code).toBe(0)
    const before = fake.requests.length
    const broken = `${one.replace('pm_card_visa]', 'pm_card_visa, pm_card_mastercard]')}\n  - { name: Bad, currency: XXX }\n`
    const out = await wsbAsyncInput(['apply', '-f', '-', '--json'], db, env(), broken)
    expect(out.code).toBe(2)
    expect(fake.requests.slice(before).filter((r) => r.path.endsWith('/attach'))).toEqual([])
    expect(outcome(db).methods).toEqual([{ account: 'North', n: 1 }])
  })
})

/** wsb with a file on stdin, without blocking the test process (the Stripe server lives in it). */
const wsbAsyncInput = (args: string[], db: string, env: Record<string, string>, input = FILE) => wsbAsync(args, { db, env, input })
