// Lifecycle across hosts (issue 13, R-WS-3, R-WS-4, R-PAY-1): two processes
// running the same due steps at the same moment — two `clock advance` to one
// time, two `billing run` — perform each step once: every invoice issued once,
// numbers gapless per account, every charge sent to the provider once. On
// PostgreSQL (a database of its own on the test server) and on SQLite (two
// processes on one file). Payments go to the Stripe fake, which counts requests.
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CliResult, cleanEnv, engineDb, WSB, wsbAsync } from '../helpers/cli.js'
import { engineAll } from '../helpers/engine.js'
import { postgresDatabase } from '../helpers/postgres.js'
import { startStripeFake, type StripeFake } from '../helpers/stripe-fake.js'
import { tempDbPath, tempDir } from '../helpers/temp.js'

const KEY = 'sk_test_51LifecycleAcrossHosts000000'
const DAY = 24 * 60 * 60 * 1000

type Invoice = { id: string; number: number; accountId: string; subscriptionId: string | null; periodStart: string; status: string }

/** An apply file: `accounts` accounts × 3 monthly subscriptions; every fifth account's default card is declined (the 5th, 10th…) (its backup pays). */
function applyFile(name: string, accounts: number, testClock: boolean): string {
  const file = join(tempDir(), `${name}.json`)
  writeFileSync(
    file,
    JSON.stringify({
      version: 1,
      workspace: { name, mode: 'pooled', ...(testClock ? { testClock: true, clockStart: '2026-01-01T00:00:00Z' } : {}) },
      accounts: Array.from({ length: accounts }, (_, i) => ({
        name: `${name} ${String(i).padStart(2, '0')}`,
        currency: 'USD',
        paymentMethods: i % 5 === 4 ? ['pm_card_chargeCustomerFail', 'pm_card_visa'] : ['pm_card_visa'],
        subscriptions: ['a', 'b', 'c'].map((label) => ({ label, interval: 'month', trial: false, items: { users: 1 } })),
      })),
    }),
  )
  return file
}

/** A preload that moves this process's wall clock `ms` ahead: `billing run` a month later. */
function clockAhead(ms: number): string {
  const file = join(tempDir(), 'clock-ahead.mjs')
  writeFileSync(
    file,
    `const Real = Date; const shift = ${ms};
class Shifted extends Real { constructor(...a) { if (a.length === 0) super(Real.now() + shift); else super(...a) } static now() { return Real.now() + shift } }
globalThis.Date = Shifted
`,
  )
  return `--import=${file}`
}

const engines = [
  { engine: 'PostgreSQL', db: async () => await postgresDatabase() },
  { engine: 'SQLite', db: async () => tempDbPath() },
]

describe.each(engines)('lifecycle across processes on $engine', ({ engine, db: newDb }) => {
  let fake: StripeFake
  beforeAll(async () => {
    fake = await startStripeFake()
  })
  afterAll(() => fake.close())

  const env = (extra: Record<string, string> = {}) => ({ STRIPE_API_KEY: KEY, STRIPE_API_BASE: fake.url, ...extra })
  // Asynchronous only: the Stripe fake answers from this process, which a blocking spawn would stall.
  const cli = async (db: string, ...args: string[]) => await wsbAsync([...args, '--json'], { db, env: env() })

  /** The charges the provider saw: each idempotency key (invoice, run, method) must arrive once, never replayed. */
  const charges = (since: number) => fake.requests.slice(since).filter((r) => r.method === 'POST' && r.path === '/v1/payment_intents')

  /** Every invoice issued once per subscription period, numbers 1…n per account, each paid by one charge per method tried. */
  async function checkOnce(db: string, workspace: string, accounts: number, periods: number, chargesSeen: { idempotencyKey: string | undefined; replayed: boolean }[]) {
    const invoices = ((await cli(db, 'invoice', 'list', '--workspace', workspace)).json() as { invoices: Invoice[] }).invoices
    expect(invoices).toHaveLength(accounts * 3 * periods)
    const periodsOf = new Set(invoices.map((i) => `${i.subscriptionId} ${i.periodStart}`))
    expect(periodsOf.size).toBe(invoices.length)
    const byAccount = new Map<string, number[]>()
    for (const invoice of invoices) byAccount.set(invoice.accountId, [...(byAccount.get(invoice.accountId) ?? []), invoice.number])
    for (const numbers of byAccount.values()) expect(numbers.sort((a, b) => a - b)).toEqual(Array.from({ length: 3 * periods }, (_, i) => i + 1))
    expect(invoices.every((i) => i.status === 'paid')).toBe(true)
    // One account in five tries its declined card first: 2 charges for its invoices, 1 for the others.
    const declining = Math.floor(accounts / 5)
    const expected = (accounts + declining) * 3 * periods
    expect(chargesSeen.filter((c) => c.replayed)).toEqual([])
    expect(new Set(chargesSeen.map((c) => c.idempotencyKey)).size).toBe(chargesSeen.length)
    expect(chargesSeen).toHaveLength(expected)
    // And wsb recorded each attempt once: one payment event per charge, one invoice.paid per invoice.
    const events = ((await cli(db, 'events', '--workspace', workspace, '--kind', 'payment', '--kind', 'invoice.paid')).json() as { events: { kind: string; refs: { invoiceId?: string } }[] }).events
    expect(events.filter((e) => e.kind.startsWith('payment.'))).toHaveLength(expected)
    const paid = events.filter((e) => e.kind === 'invoice.paid').map((e) => e.refs.invoiceId)
    expect(paid).toHaveLength(invoices.length)
    expect(new Set(paid).size).toBe(invoices.length)
  }

  const applied = async (db: string, file: string) => {
    const out = await cli(db, 'apply', '-f', file)
    expect(out.stderr).toBe('')
    expect(out.code, out.stdout).toBe(0)
  }

  const bothOk = (results: CliResult[]) => {
    for (const result of results) {
      expect(result.stderr).toBe('')
      expect(result.code, result.stdout).toBe(0)
    }
  }

  it(`R-WS-3 R-WS-4 R-PAY-1 two clock advance to one time at once (${engine}): 102 renewals due, each invoice issued once, numbers gapless per account, each charge sent once`, async () => {
    const db = await newDb()
    const before = fake.requests.length
    await applied(db, applyFile('Advance', 34, true))
    const results = await Promise.all([0, 1].map(() => wsbAsync(['clock', 'advance', '--to', '2026-02-01T00:00:00Z', '--workspace', 'Advance', '--json'], { db, env: env() })))
    bothOk(results)
    const advanced = results.map((r) => r.json() as { now: string; steps: number; invoicesIssued: number })
    expect(advanced.map((a) => a.now)).toEqual(['2026-02-01T00:00:00.000Z', '2026-02-01T00:00:00.000Z'])
    // Each reports only the steps it ran itself (a process starting after the other moved the clock runs some in its catch-up).
    expect(advanced.every((a) => a.steps <= 34 * 3 * 2)).toBe(true)
    await checkOnce(db, 'Advance', 34, 2, charges(before))
    expect((await cli(db, 'doctor')).json()).toMatchObject({ ok: true, violations: [] })
  }, 240_000)

  it(`R-WS-4 R-PAY-1 two billing run at once over two real-clock workspaces (${engine}): 102 renewals due, each invoice issued once, numbers gapless, each charge sent once`, async () => {
    const db = await newDb()
    const before = fake.requests.length
    await applied(db, applyFile('North', 17, false))
    await applied(db, applyFile('South', 17, false))
    // 32 days later by the wall clock: every subscription's first period has ended.
    const later = env({ NODE_OPTIONS: clockAhead(32 * DAY) })
    const results = await Promise.all([0, 1].map(() => wsbAsync(['billing', 'run', '--json'], { db, env: later })))
    bothOk(results)
    const runs = results.map((r) => r.json() as { workspaces: { name: string; steps: number }[] })
    for (const name of ['North', 'South']) {
      const steps = runs.flatMap((run) => run.workspaces.filter((w) => w.name === name).map((w) => w.steps))
      // 51 renewals and 51 collections, each run (and counted) by one of the two.
      expect(steps.reduce((a, b) => a + b, 0)).toBe(17 * 3 * 2)
    }
    const seen = charges(before)
    const north = ((await cli(db, 'invoice', 'list', '--workspace', 'North')).json() as { invoices: Invoice[] }).invoices.map((i) => i.id)
    await checkOnce(db, 'North', 17, 2, seen.filter((c) => north.some((id) => c.idempotencyKey?.includes(id))))
    await checkOnce(db, 'South', 17, 2, seen.filter((c) => !north.some((id) => c.idempotencyKey?.includes(id))))
    expect((await wsbAsync(['doctor', '--json'], { db, env: later })).json()).toMatchObject({ ok: true, violations: [] })
  }, 240_000)

  it(`R-PAY-1 a clock advance killed while its charge is at the provider leaves its claim; the next command takes it over and the invoice is charged once (${engine})`, async () => {
    const db = await newDb()
    await applied(db, applyFile('Killed', 1, true))
    const sentBefore = fake.requests.length
    // Killed at its first charge: after its claim was committed, before the provider answered.
    const child = spawn(process.execPath, [WSB, 'clock', 'advance', '--to', '2026-02-01T00:00:00Z', '--workspace', 'Killed', '--json'], {
      env: cleanEnv({ WSB_DB: engineDb(db), ...env() }),
      stdio: 'ignore',
    })
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)))
    let killed = false
    fake.onRequest = async (request) => {
      if (killed || request.path !== '/v1/payment_intents') return
      killed = true
      child.kill('SIGKILL')
      await exited
    }
    expect(await exited).toBe('SIGKILL')
    fake.onRequest = undefined
    expect(killed).toBe(true)
    // The killed process left its claim on a step, its lease still running (5 minutes).
    const [claim] = engineAll<{ claimed_by: string; claimed_until: number }>(db, 'SELECT claimed_by, claimed_until FROM due_steps WHERE claimed_by IS NOT NULL')
    expect(claim?.claimed_by).toMatch(new RegExp(`:${child.pid}$`))
    // The claim's process is gone (SQLite: no such pid on this host; PostgreSQL: its lane went with its connection):
    // the next command takes the claim over instead of waiting for the lease to run out.
    const again = await cli(db, 'clock', 'advance', '--to', '2026-02-01T00:00:00Z', '--workspace', 'Killed')
    expect(again.code, again.stdout).toBe(0)
    expect(Date.now(), 'taken over before its lease ran out, not waited out').toBeLessThan(Number(claim?.claimed_until))
    expect(engineAll(db, 'SELECT claimed_by FROM due_steps WHERE claimed_by IS NOT NULL')).toEqual([])
    const invoices = ((await cli(db, 'invoice', 'list', '--workspace', 'Killed')).json() as { invoices: Invoice[] }).invoices
    expect(invoices.map((i) => [i.number, i.status]).sort()).toEqual([1, 2, 3, 4, 5, 6].map((n) => [n, 'paid']))
    // The provider charged each renewal once: the killed one's re-sent request carried the same idempotency key.
    const events = ((await cli(db, 'events', '--workspace', 'Killed', '--kind', 'payment', '--kind', 'invoice.paid')).json() as { events: { kind: string; refs: { invoiceId?: string } }[] }).events
    for (const renewal of invoices.filter((i) => i.number > 3)) {
      expect([...fake.paymentIntents.values()].filter((pi) => JSON.stringify(pi).includes(renewal.id))).toHaveLength(1)
      const sent = charges(sentBefore).filter((c) => c.idempotencyKey?.includes(renewal.id))
      expect(new Set(sent.map((c) => c.idempotencyKey)).size).toBe(1)
      expect(events.filter((e) => e.refs.invoiceId === renewal.id).map((e) => e.kind).sort()).toEqual(['invoice.paid', 'payment.succeeded'])
    }
    expect((await cli(db, 'doctor')).json()).toMatchObject({ ok: true, violations: [] })
  }, 120_000)
})
