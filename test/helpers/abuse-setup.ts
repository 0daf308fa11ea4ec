// The database the abuse tests attack: an assigned-mode workspace on a frozen
// test clock (so no lifecycle step can fall due between two commands and every
// refused command must leave the file byte for byte as it was).
import { expect } from 'vitest'
import { type Expected, expectFailure, snapshot } from './abuse.js'
import { type CliResult, wsb, wsbAsync } from './cli.js'
import { tempDbPath } from './temp.js'

export type Fixture = { db: string; subId: string; invoiceId: string; accountId: string; orgId: string }

export function abuseFixture(): Fixture {
  const db = tempDbPath()
  const run = (args: string[]) => {
    const out = wsb([...args, '--json'], { db })
    expect(out.code, `${args.join(' ')}\n${out.stdout}${out.stderr}`).toBe(0)
    return out.json()
  }
  run(['workspace', 'create', 'Acme', '--mode', 'assigned', '--test-clock', '--clock-start', '2026-01-01'])
  const org = run(['org', 'create', 'Sales'])
  run(['org', 'create', 'EMEA', '--parent', 'Sales'])
  const account = run(['account', 'create', 'Acme Inc', '--currency', 'USD', '--org', 'Sales'])
  run(['pm', 'add', 'Acme Inc', 'pm_card_visa'])
  const sub = run(['sub', 'add', 'Acme Inc', '--item', 'users=100', '--no-trial'])
  run(['coupon', 'create', 'TENOFF', '--percent-off', '10', '--duration', 'once'])
  run(['usage', 'record', '--org', 'Sales', '--product', 'users', '--delta', '3'])
  const invoices = run(['invoice', 'list', 'Acme Inc']).invoices
  expect(invoices).toHaveLength(1)
  return { db, subId: sub.id, invoiceId: invoices[0].id, accountId: account.id, orgId: org.id }
}

/**
 * Runs a command that must be refused and checks the contract and that the
 * database did not change. `json` picks the output mode (both are checked by
 * the callers across their cases).
 */
export function expectRefusal(db: string, args: string[], expected: Expected, json: boolean) {
  const before = snapshot(db)
  const out = wsb(json ? [...args, '--json'] : args, { db })
  const error = expectFailure(out, expected, args.join(' '))
  expect(snapshot(db), `${args.join(' ')}: the database must not change`).toEqual(before)
  return error
}

export type Case = { args: string[]; expected: Expected; json: boolean }

/** Cases alternating text and JSON output, so both contracts are checked across a table. */
export const alternating = (rows: string[][], expected: Expected, start = 0): Case[] =>
  rows.map((args, i) => ({ args, expected, json: (i + start) % 2 === 0 }))

/**
 * Runs many commands that must all be refused, a few at a time (none of them
 * writes, so they cannot disturb each other), then checks each one's contract and
 * that the database file is byte for byte as before. Returns the errors in order.
 */
export async function expectRefusals(db: string, cases: Case[], concurrency = 4) {
  const before = snapshot(db)
  const outs: CliResult[] = new Array(cases.length)
  let next = 0
  const worker = async () => {
    for (let i = next++; i < cases.length; i = next++) {
      const { args, json } = cases[i] as Case
      outs[i] = await wsbAsync(json ? [...args, '--json'] : args, { db })
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  const errors = cases.map((c, i) => expectFailure(outs[i] as CliResult, c.expected, `${c.args.join(' ')}${c.json ? ' --json' : ''}`))
  expect(snapshot(db), 'the database must not change').toEqual(before)
  return errors
}
