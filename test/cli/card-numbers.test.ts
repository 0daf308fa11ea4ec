// R-PM-2 everywhere text goes in (issue 21, item 6): a card number, in ASCII or
// full-width digits (read NFKC-normalised), typed as any argument or written in
// any stored or printed field of an apply file or an import line, is refused as
// RAW_CARD_REFUSED (exit 4) — an import line is invalid alone — and is never
// echoed, never in DEBUG=* output, never stored. Dates, timestamps and IBANs of
// card length are not card numbers.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { expectFailure, snapshot } from '../helpers/abuse.js'
import { abuseFixture } from '../helpers/abuse-setup.js'
import { type CliResult, wsb } from '../helpers/cli.js'
import { engineDump } from '../helpers/engine.js'
import { tempDir } from '../helpers/temp.js'

const FULL_WIDTH = '４２４２ ４２４２ ４２４２ ４２４２'
const FULL_WIDTH_RUN = '５５５５５５５５５５５５４４４４'
const ASCII = '4242 4242 4242 4242'

/** Neither card number appears, in any width, grouped or not. */
function expectNoCard(text: string, what: string): void {
  const folded = text.normalize('NFKC')
  expect(folded, what).not.toMatch(/4242[ -]?4242[ -]?4242[ -]?4242/)
  expect(folded, what).not.toMatch(/5555[ -]?5555[ -]?5555[ -]?4444/)
}

/** Nothing stored holds one: PostgreSQL's rows as text, or SQLite's bytes read as UTF-8 (full-width digits are 3 bytes each). */
function expectNoCardStored(db: string): void {
  const dump = engineDump(db)
  expectNoCard(dump, 'the database')
  expectNoCard(Buffer.from(dump, 'latin1').toString('utf8'), 'the database as UTF-8')
}

const debug = { DEBUG: '*' }

function expectCardRefused(out: CliResult, what: string): void {
  expectNoCard(out.stdout + out.stderr, what)
  expect(out.code, `${what}\n${out.stdout}\n${out.stderr.slice(0, 2000)}`).toBe(4)
  expect(out.stdout + out.stderr, what).toContain('RAW_CARD_REFUSED')
}

describe('card numbers are refused wherever text goes in', () => {
  it('R-PM-2 full-width and ASCII card numbers as arguments (names, notes, labels, addresses, seller fields, pm default/remove) with DEBUG=*: exit 4, never echoed, nothing stored', () => {
    const f = abuseFixture()
    const before = snapshot(f.db)
    const cases: string[][] = [
      ['account', 'create', `Card ${FULL_WIDTH}`, '--currency', 'USD'],
      ['account', 'update', 'Acme Inc', '--name', `Acme ${FULL_WIDTH_RUN}`],
      ['account', 'credit', 'Acme Inc', '--amount', '100', '--note', `refund to card ${ASCII}`],
      ['account', 'credit', 'Acme Inc', '--amount', '100', '--note', `refund to card ${FULL_WIDTH}`],
      ['sub', 'add', 'Acme Inc', '--item', 'users=1', '--label', FULL_WIDTH],
      ['org', 'create', `Team ${FULL_WIDTH_RUN}`],
      ['workspace', 'seller', 'set', '--footer', `Pay by card ${FULL_WIDTH}`],
      ['workspace', 'seller', 'set', '--address', `PO Box ${ASCII}`],
      ['pm', 'default', 'Acme Inc', FULL_WIDTH_RUN],
      ['pm', 'remove', 'Acme Inc', FULL_WIDTH],
      ['pm', 'add', 'Acme Inc', FULL_WIDTH],
      // Not Luhn-valid, but shaped like a card: as a payment method it is never looked up, so never echoed.
      ['pm', 'default', 'Acme Inc', '4242 4242 4242 4241'],
    ]
    for (const args of cases)
      for (const json of [true, false]) expectCardRefused(wsb(json ? [...args, '--json'] : args, { db: f.db, env: debug }), args.join(' '))
    expect(snapshot(f.db), 'nothing stored').toEqual(before)
    expectNoCardStored(f.db)
  })

  it('R-PM-2 a card number in an apply file (credit note, subscription label, seller footer, account address), full-width or not: RAW_CARD_REFUSED, nothing stored', () => {
    const f = abuseFixture()
    const before = snapshot(f.db)
    const file = join(tempDir(), 'apply.yaml')
    const fields = [
      `accounts: [ { name: Acme Inc, currency: USD, credits: [ { amount: 100, note: "card ${FULL_WIDTH}" } ] } ]`,
      `accounts: [ { name: Acme Inc, currency: USD, subscriptions: [ { label: "${ASCII}", items: { users: 1 } } ] } ]`,
      `accounts: [ { name: Acme Inc, currency: USD, address: "${FULL_WIDTH_RUN}" } ]`,
      'accounts: [ { name: Acme Inc, currency: USD, email: "5555555555554444@example.com" } ]',
    ]
    for (const body of [...fields, `seller-footer`]) {
      const text =
        body === 'seller-footer'
          ? `workspace: { name: Acme, mode: assigned, seller: { legalName: Acme LLC, footer: "Card ${FULL_WIDTH}" } }\n`
          : `workspace: { name: Acme, mode: assigned }\n${body}\n`
      writeFileSync(file, text)
      expectCardRefused(wsb(['apply', '-f', file, '--json'], { db: f.db, env: debug }), body)
      expectCardRefused(wsb(['apply', '-f', file], { db: f.db, env: debug }), body)
    }
    expect(snapshot(f.db), 'nothing stored').toEqual(before)
  })

  it('R-PM-2 R-USE-6 an import line with a card number as its key or org is invalid alone, not echoed in the results, not stored', () => {
    const f = abuseFixture()
    const dir = tempDir()
    const input = join(dir, 'in.ndjson')
    const results = join(dir, 'results.ndjson')
    const lines = [
      { org: 'Sales', product: 'users', delta: 1, key: 'ok-1' },
      { org: 'Sales', product: 'users', delta: 1, key: FULL_WIDTH },
      { org: `Sales ${ASCII}`, product: 'users', delta: 1, key: 'ok-3' },
      { org: 'Sales', product: 'users', delta: 1, key: 'ok-4' },
    ]
    writeFileSync(input, `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`)
    const out = wsb(['usage', 'import', input, '--results', results, '--json'], { db: f.db, env: debug })
    expectNoCard(out.stdout + out.stderr, 'output')
    expect(out.code, out.stdout + out.stderr).toBe(0)
    expect(out.json()).toMatchObject({ lines: 4, accepted: 2, invalid: 2 })
    const byLine = readFileSync(results, 'utf8').trim().split('\n').map((line) => JSON.parse(line))
    expect(byLine[1]).toMatchObject({ line: 2, invalid: true, error: expect.stringContaining('key: looks like a card number') })
    expect(byLine[2]).toMatchObject({ line: 3, invalid: true, error: expect.stringContaining('org: looks like a card number') })
    expectNoCard(readFileSync(results, 'utf8'), 'results')
    expectNoCardStored(f.db)
  })

  it('numbers that are not card numbers stay accepted: dates, timestamps, an IBAN, a tax id', () => {
    const f = abuseFixture()
    const ok = (args: string[]) => {
      const out = wsb([...args, '--json'], { db: f.db, env: debug })
      expect(out.code, `${args.join(' ')}\n${out.stdout}${out.stderr.slice(0, 1000)}`).toBe(0)
    }
    ok(['org', 'create', 'Backup 20240612123456'])
    ok(['org', 'create', 'Run 1718000000000'])
    ok(['workspace', 'seller', 'set', '--legal-name', 'Acme GmbH', '--footer', 'IBAN DE89 3704 0044 0532 0130 00, BIC COBADEFFXXX', '--tax-id', 'DE123456789'])
    expectFailure(wsb(['org', 'create', 'Team 4111 1111 1111 1111', '--json'], { db: f.db }), { exit: 4, code: 'RAW_CARD_REFUSED' })
  })
})
