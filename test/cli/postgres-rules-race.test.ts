// Rules that a write checks before it writes, raced by real processes (issue 13:
// "every other write that checks a rule locks the row that guards it"): at most
// 3 live subscriptions per account (R-BA-5) with invoice numbers gapless per
// account (R-INV-1), at most 5 payment methods (SPEC §3), one account in single
// mode (R-BA-2). On PostgreSQL (its own database on the test server) and on
// SQLite (one file). Payments go to the built-in sandbox provider.
import { describe, expect, it } from 'vitest'
import { type CliResult, wsb, wsbAsync } from '../helpers/cli.js'
import { postgresDatabase } from '../helpers/postgres.js'
import { tempDbPath } from '../helpers/temp.js'

const engines = [
  { engine: 'PostgreSQL', db: async () => await postgresDatabase() },
  { engine: 'SQLite', db: async () => tempDbPath() },
]

/** Starts every command at once; returns the successes and the codes of the refusals. */
async function race(db: string, commands: string[][]): Promise<{ ok: CliResult[]; refused: string[] }> {
  const results = await Promise.all(commands.map((args) => wsbAsync([...args, '--json'], { db })))
  const ok = results.filter((r) => r.code === 0)
  const refused = results.filter((r) => r.code !== 0)
  for (const r of refused) expect(r.code, r.stdout + r.stderr).toBe(4) // a rule, never a retry or a stack trace
  return { ok, refused: refused.map((r) => r.json().error.code as string) }
}

describe.each(engines)('rule checks raced by processes on $engine', ({ engine, db: newDb }) => {
  it(`R-BA-5 R-INV-1 8 processes add a subscription to one account at once (${engine}): exactly 3 made, the rest SUBSCRIPTION_LIMIT; invoices numbered 1, 2, 3`, async () => {
    const db = await newDb()
    const cli = (...args: string[]) => wsb([...args, '--json'], { db })
    expect(cli('workspace', 'create', 'Subs', '--mode', 'pooled').code).toBe(0)
    cli('account', 'create', 'A', '--currency', 'USD')
    expect(cli('pm', 'add', 'A', 'pm_card_visa').code).toBe(0)
    const { ok, refused } = await race(db, Array.from({ length: 8 }, () => ['sub', 'add', 'A', '--item', 'users=2', '--no-trial']))
    expect(ok).toHaveLength(3)
    expect(refused).toEqual(Array(5).fill('SUBSCRIPTION_LIMIT'))
    expect(cli('sub', 'list', '--account', 'A').json().subscriptions).toHaveLength(3)
    const numbers = (cli('invoice', 'list', 'A').json().invoices as { number: number; status: string }[]).map((i) => i.number).sort()
    expect(numbers).toEqual([1, 2, 3])
    expect(cli('doctor').json()).toMatchObject({ ok: true, violations: [] })
  }, 120_000)

  it(`SPEC §3 8 processes add a payment method to one account at once (${engine}): exactly 5 on file, the rest PAYMENT_METHOD_LIMIT, one default`, async () => {
    const db = await newDb()
    const cli = (...args: string[]) => wsb([...args, '--json'], { db })
    cli('workspace', 'create', 'Cards', '--mode', 'pooled')
    cli('account', 'create', 'A', '--currency', 'USD')
    const { ok, refused } = await race(db, Array.from({ length: 8 }, (_, i) => ['pm', 'add', 'A', `pm_card_visa@0${i + 1}/2031`]))
    expect(ok).toHaveLength(5)
    expect(refused).toEqual(Array(3).fill('PAYMENT_METHOD_LIMIT'))
    const methods = cli('pm', 'list', 'A').json().paymentMethods as { isDefault: boolean }[]
    expect(methods).toHaveLength(5)
    expect(methods.filter((m) => m.isDefault)).toHaveLength(1)
    expect(cli('doctor').json()).toMatchObject({ ok: true, violations: [] })
  }, 120_000)

  it(`R-BA-2 6 processes create an account in one single-mode workspace at once (${engine}): exactly 1 made, the rest ACCOUNT_LIMIT`, async () => {
    const db = await newDb()
    const cli = (...args: string[]) => wsb([...args, '--json'], { db })
    cli('workspace', 'create', 'Solo', '--mode', 'single')
    const { ok, refused } = await race(db, Array.from({ length: 6 }, (_, i) => ['account', 'create', `Solo ${i}`, '--currency', 'USD']))
    expect(ok).toHaveLength(1)
    expect(refused).toEqual(Array(5).fill('ACCOUNT_LIMIT'))
    expect(cli('account', 'list').json().accounts).toHaveLength(1)
    expect(cli('doctor').json()).toMatchObject({ ok: true, violations: [] })
  }, 120_000)
})
