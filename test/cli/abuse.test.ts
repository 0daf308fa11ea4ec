// Abuse tests: every command fed wrong input. Each refusal is a clear error (one
// line on stderr, or the JSON error object and nothing else on stdout), the
// spec's exit code (2 for a user's mistake, never 1), no stack trace unless
// DEBUG=wsb, and the database file byte for byte as it was.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { alternating, abuseFixture, type Case, expectRefusals, type Fixture } from '../helpers/abuse-setup.js'
import { wsb } from '../helpers/cli.js'
import { tempDir } from '../helpers/temp.js'

let f: Fixture

beforeAll(() => {
  f = abuseFixture()
})

const INVALID = { exit: 2, code: 'INVALID_INPUT' }

/** Numbers as people mistype them. */
const NOT_INTEGERS = ['abc', '1.5', '1e3', '1e400', '0x10', 'NaN', 'Infinity', '', '   ', '1,000', '٣'] as const
const HUGE = ['99999999999999999999', '9007199254740992'] as const

describe('abuse: wrong types for numbers', () => {
  it('usage record --delta / --set: non-numbers, decimals, huge numbers are INVALID_INPUT (exit 2) naming the flag', async () => {
    const rows = [
      ...[...NOT_INTEGERS, ...HUGE, '-99999999999999999999'].map((value) => ['usage', 'record', '--org', 'Sales', '--product', 'users', `--delta=${value}`]),
      ...['1.5', '1e3', '-1', '0x10', '', HUGE[0]].map((value) => ['usage', 'record', '--org', 'Sales', '--product', 'users', `--set=${value}`]),
    ]
    const errors = await expectRefusals(f.db, alternating(rows, INVALID))
    errors.forEach((error, i) => expect(error.message, rows[i]?.join(' ')).toMatch(/--(delta|set)/))
    const [huge] = await expectRefusals(f.db, [{ args: ['usage', 'record', '--org', 'Sales', '--product', 'users', '--delta', HUGE[0]], expected: INVALID, json: true }])
    expect(huge?.message).toBe('--delta: too large')
  })

  it('-0 and +0 are integers: an accepted no-op (and JSON never says -0)', () => {
    for (const value of ['-0', '+0']) {
      const out = wsb(['usage', 'record', '--org', 'Sales', '--product', 'users', `--delta=${value}`, '--json'], { db: f.db })
      expect(out.code, out.stderr).toBe(0)
      expect(out.stdout).not.toMatch(/: -0\b/)
      expect(out.json()).toMatchObject({ accepted: true, delta: 0, level: 3 })
    }
  })

  it('PRODUCT=N pairs (sub add/update --item, org limit set, invoice preview --change): N must be a non-negative integer', async () => {
    const values = ['abc', '1.5', '1e3', '0x10', '٣', HUGE[0], '-1', '-0']
    const rows = [
      ...values.map((value) => ['sub', 'update', f.subId, '--item', `users=${value}`]),
      ...['1.5', '-1', HUGE[0]].flatMap((value) => [
        ['sub', 'add', 'Acme Inc', '--item', `users=${value}`],
        ['org', 'limit', 'set', 'Sales', `users=${value}`],
        ['invoice', 'preview', 'Acme Inc', '--change', `${f.subId}:users=${value}`],
      ]),
      ...['users=', '=5', 'users=5=5', 'Users=5', 'users=5,locations=2'].map((pair) => ['sub', 'update', f.subId, '--item', pair]),
      ['sub', 'update', f.subId, '--item', 'users=5', '--item', 'users=6'],
      ['invoice', 'preview', 'Acme Inc', '--change', 'users=5'],
    ]
    await expectRefusals(f.db, alternating(rows, INVALID))
  })

  it('amounts in minor units (price set, coupon --amount-off, account credit) refuse decimals, exponents, hex and overflow', async () => {
    const rows = [
      ...['1.5', '1e3', '0x10', '', '-1', HUGE[0]].map((value) => ['price', 'set', 'users', '--currency', 'USD', '--interval', 'month', '--unit-amount', value]),
      ...['1e3', '', '-1'].map((value) => ['coupon', 'create', 'BAD', '--amount-off', value, '--currency', 'USD', '--duration', 'once']),
      // Credit amounts are signed; -1 is a rule (CREDIT_OVERDRAWN), -0 is no amount.
      ...['1.5', '0x10', ' ', '-0', HUGE[0]].map((value) => ['account', 'credit', 'Acme Inc', '--amount', value]),
      ...['10:abc', '1e3:5,inf:1', '10:5', '10:5,5:3,inf:1', '10:99999999999999999999,inf:1'].map((tiers) => [
        'price', 'set', 'users', '--currency', 'USD', '--interval', 'month', '--tiers', tiers,
      ]),
    ]
    await expectRefusals(f.db, alternating(rows, INVALID))
  })

  it('percentages (--tax-rate, --percent-off) name the flag and refuse > 100, 4 decimals, exponents', async () => {
    const values = ['abc', '', '-1', '101', '1.2345', '1e1']
    const coupons = await expectRefusals(f.db, values.map((value) => ({ args: ['coupon', 'create', 'PCT', '--percent-off', value, '--duration', 'once'], expected: INVALID, json: true })))
    for (const error of coupons) expect(error.message).toMatch(/^--percent-off: /)
    const accounts = await expectRefusals(f.db, values.map((value) => ({ args: ['account', 'update', 'Acme Inc', '--tax-rate', value], expected: INVALID, json: true })))
    for (const error of accounts) expect(error.message).toMatch(/^tax rate: /)
  })

  it('counts (events --limit, usage import --batch-size, coupon --invoices) take digits only', async () => {
    const rows = [
      ...['', '1e3', '0x10'].flatMap((value) => [
        ['events', '--limit', value],
        ['usage', 'import', '-', '--batch-size', value],
        ['coupon', 'create', 'REP', '--percent-off', '5', '--duration', 'repeating', '--invoices', value],
      ]),
      ['events', '--limit', '1.5'],
      ['events', '--limit', HUGE[0]],
      ['usage', 'import', '-', '--batch-size', '-1'],
      ['coupon', 'create', 'REP', '--percent-off', '5', '--duration', 'repeating', '--invoices', 'Infinity'],
    ]
    await expectRefusals(f.db, alternating(rows, INVALID))
  })

  it('times and durations: malformed, impossible and beyond the year 9999 are exit 2, never "Invalid time value"', async () => {
    const rows = [
      ...['', 'soon', '2026-02-30', '+275760-09-13T00:00:00.001Z'].map((value) => ['clock', 'advance', '--to', value]),
      ...['', '1.5d', '99999999999y', '99999999999999999999999d', '7975y', '2y1'].map((value) => ['clock', 'advance', '--by', value]),
      ['events', '--since', 'yesterday'],
      ['workspace', 'create', 'Later', '--mode', 'single', '--clock-start', '2026-02-30'],
    ]
    await expectRefusals(f.db, [...alternating(rows, INVALID), { args: ['clock', 'advance', '--to', '2025-12-31'], expected: { exit: 2, code: 'CLOCK_BACKWARDS' }, json: true }])
  })

  it('a quantity whose price is beyond exact integer money is refused (exit 2) and nothing is written', async () => {
    // 9,007,199,254,741 users at 10.00 USD is 9,007,199,254,741,000 minor units: past 2^53 − 1, where numbers round.
    await expectRefusals(
      f.db,
      alternating(
        [
          ['sub', 'add', 'Acme Inc', '--item', 'users=9007199254740991'],
          ['sub', 'update', f.subId, '--item', 'users=9007199254741'],
          ['invoice', 'preview', 'Acme Inc', '--change', `${f.subId}:users=9007199254741`],
          ['sub', 'update', f.subId, '--item', 'locations=9007199254741'],
        ],
        INVALID,
      ),
    )
    expect(wsb(['sub', 'show', f.subId, '--json'], { db: f.db }).json().items).toMatchObject([{ product: 'users', quantity: 100 }])
  })

  it('empty strings where a value is needed', async () => {
    const rows = [
      ['usage', 'record', '--org', '', '--product', 'users', '--delta', '1'],
      ['usage', 'record', '--org', 'Sales', '--product', '', '--delta', '1'],
      ['usage', 'record', '--org', 'Sales', '--product', 'users', '--delta', '1', '--key', ''],
      ['product', 'create', ''],
      ['coupon', 'create', '', '--percent-off', '5', '--duration', 'once'],
      ['account', 'update', 'Acme Inc', '--email', ''],
      ['account', 'update', 'Acme Inc', '--country', ''],
      ['account', 'update', 'Acme Inc', '--address', ''],
      ['account', 'update', 'Acme Inc', '--tax-id', ' '],
      ['account', 'credit', 'Acme Inc', '--amount', '5', '--note', ''],
      ['events', '--kind', ''],
    ]
    await expectRefusals(f.db, [
      ...alternating(rows, INVALID),
      { args: ['pm', 'add', 'Acme Inc', ''], expected: { exit: 2, code: 'INVALID_PAYMENT_METHOD' }, json: true },
      { args: ['account', 'update', 'Acme Inc', '--currency', ''], expected: { exit: 2, code: 'INVALID_CURRENCY' }, json: false },
      { args: ['price', 'list', '--currency', ''], expected: { exit: 2, code: 'INVALID_CURRENCY' }, json: true },
      { args: ['invoice', 'pdf', f.invoiceId, '-o', ''], expected: { exit: 2, code: 'OUTPUT_UNWRITABLE' }, json: false },
    ])
  })
})

describe('abuse: flags that conflict or are missing', () => {
  it('exactly-one-of pairs given both or neither, and flags that need another: exit 2', async () => {
    const rows = [
      ['usage', 'record', '--org', 'Sales', '--product', 'users', '--delta', '1', '--set', '2'],
      ['usage', 'record', '--org', 'Sales', '--product', 'users'],
      ['clock', 'advance', '--to', '2026-02-01', '--by', '1d'],
      ['clock', 'advance'],
      ['price', 'set', 'users', '--currency', 'USD', '--interval', 'month', '--unit-amount', '5', '--tiers', '10:5,inf:1'],
      ['price', 'set', 'users', '--currency', 'USD', '--interval', 'month'],
      ['coupon', 'create', 'BOTH', '--percent-off', '5', '--amount-off', '5', '--currency', 'USD', '--duration', 'once'],
      ['coupon', 'create', 'NONE', '--duration', 'once'],
      ['coupon', 'create', 'ONCE', '--percent-off', '5', '--duration', 'once', '--invoices', '3'],
      ['account', 'discount', 'Acme Inc', '--coupon', 'TENOFF', '--remove'],
      ['account', 'discount', 'Acme Inc'],
      ['org', 'update', 'EMEA', '--parent', 'Sales', '--top-level'],
      ['sub', 'cancel', f.subId, '--force'],
      ['usage', 'report', '--by', 'pool', '--org', 'Sales'],
      ['sub', 'update', f.subId],
      ['sub', 'add', 'Acme Inc'],
    ]
    const errors = await expectRefusals(f.db, [...alternating(rows, INVALID), { args: ['usage', 'import', '-', '--results', '-'], expected: INVALID, json: true }])
    for (const error of errors) expect(error.message.length).toBeLessThan(300)
  })

  it('a missing required flag or argument is MISSING_INPUT (exit 2) naming it, at once without a terminal', async () => {
    const table: [string[], string][] = [
      [['usage', 'record', '--product', 'users', '--delta', '1'], '--org'],
      [['usage', 'record', '--org', 'Sales', '--delta', '1'], '--product'],
      [['price', 'set', 'users', '--interval', 'month', '--unit-amount', '5'], '--currency'],
      [['invoice', 'pdf', f.invoiceId], '--output'],
      [['coupon', 'create', 'X', '--percent-off', '5'], '--duration'],
      [['coupon', 'create', 'REP2', '--percent-off', '5', '--duration', 'repeating'], '--invoices'],
      [['account', 'assign', 'Acme Inc'], '--org'],
      [['workspace', 'create', 'New'], '--mode'],
      [['org', 'show'], 'org'],
      [['org', 'limit', 'set', 'Sales'], 'limits'],
      [['pm', 'add', 'Acme Inc'], 'paymentMethod'],
    ]
    const errors = await expectRefusals(f.db, alternating(table.map(([args]) => args), { exit: 2, code: 'MISSING_INPUT' }))
    errors.forEach((error, i) => {
      // The text form has only the message; both name what is missing.
      expect(error.message).toContain(table[i]?.[1])
    })
  })

  it('unknown flags, bad option values, a flag without its value, unknown commands: exit 2, also with NODE_ENV=development', async () => {
    const cases: Case[] = [
      ...alternating([['org', 'list', '--bogus'], ['org', 'list', '--db'], ['sub', 'add', 'Acme Inc', '--item', 'users=1', '--interval', 'week'], ['sub', 'list', '--status', 'happy'], ['usage', 'report', '--by', 'moon'], ['workspace', 'create', 'X', '--mode', 'shared']], INVALID),
      ...alternating([['frobnicate'], ['org', 'list', 'extra'], ['--json', 'org', 'list']], { exit: 2, code: 'UNKNOWN_COMMAND' }),
    ]
    const errors = await expectRefusals(f.db, cases)
    // Each says what went wrong in the words typed, not oclif's "org:list:extra".
    expect(errors.slice(-3).map((e) => e.message)).toEqual([
      'unknown command "frobnicate"; see wsb --help',
      '"org list" does not take "extra"; see wsb org list --help',
      '"--json" comes before any command; flags go after the command (wsb COMMAND --json); see wsb --help',
    ])
    // oclif adds a developer warning to stderr after a failed parse when NODE_ENV is
    // development or test; the error must still be the only line.
    for (const env of ['development', 'test']) {
      const out = wsb(['clock', 'advance', '--to', '2026-02-01', '--by', '1d'], { db: f.db, env: { NODE_ENV: env } })
      expect(out.code).toBe(2)
      expect(out.stderr).toBe('Error: --to cannot also be provided when using --by [INVALID_INPUT]\n')
    }
  })
})

describe('abuse: apply and export files', () => {
  it('apply -f with a missing, unreadable, malformed or wrongly shaped file is refused before anything is written', async () => {
    const dir = tempDir()
    const write = (name: string, content: string | Buffer) => {
      const path = join(dir, name)
      writeFileSync(path, content)
      return path
    }
    const folder = join(dir, 'a-folder')
    mkdirSync(folder)
    const garbage = Buffer.alloc(3000)
    for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919 + 13) % 256
    const workspace = { name: 'Acme', mode: 'assigned' }
    const cases: Case[] = [
      { args: ['apply', '-f', join(dir, 'missing.yaml')], expected: { exit: 3, code: 'NOT_FOUND', details: { kind: 'file' } }, json: true },
      ...alternating(
        [
          ['apply', '-f', folder],
          ['apply', '-f', write('cut.yaml', 'workspace:\n  name: Acme\n  mode: [assigned')],
          ['apply', '-f', write('garbage.yaml', garbage)],
          ['apply', '-f', write('array.json', JSON.stringify([{ workspace }]))],
          ['apply', '-f', write('empty.yaml', '')],
          ['apply', '-f', write('extra.json', JSON.stringify({ workspace, extra: 1 }))],
          ['apply', '-f', write('slash.json', JSON.stringify({ workspace, organizations: [{ name: 'Sales/EMEA' }] }))],
          ['apply', '-f', write('limit.json', JSON.stringify({ workspace, organizations: [{ name: 'Sales', limits: { users: 1.5 } }] }))],
          ['apply', '-f', write('mode.json', JSON.stringify({ workspace: { name: 'Acme', mode: 'shared' } }))],
        ],
        INVALID,
      ),
      { args: ['export', '-o', folder], expected: { exit: 2, code: 'OUTPUT_UNWRITABLE' }, json: true },
      { args: ['export', '-o', join(dir, 'no', 'such', 'dir.yaml')], expected: { exit: 2, code: 'OUTPUT_UNWRITABLE' }, json: false },
    ]
    const errors = await expectRefusals(f.db, cases)
    expect(errors[1]?.message).toMatch(/is a directory/)
    expect(errors[2]?.message).toMatch(/not valid YAML or JSON at line 3/)
    expect(errors[4]?.message).toMatch(/expected a mapping with a "workspace" key/)
  })
})

describe('abuse: error output', () => {
  it('what the user typed is quoted without raw control characters (no colour or cursor escapes, one line); details keep it exact', async () => {
    const refs = ['X\u001b[31mRED', 'a\u0085b', 'line\u2028two', 'x\u202eevil']
    const notFound = { exit: 3, code: 'NOT_FOUND' }
    const text = await expectRefusals(f.db, refs.map((ref) => ({ args: ['org', 'show', ref], expected: notFound, json: false })))
    for (const error of text) expect(error.message).toMatch(/^organization ".*" not found$/)
    expect(text[0]?.message).toBe('organization "X\\u001b[31mRED" not found')
    const json = await expectRefusals(f.db, refs.map((ref) => ({ args: ['org', 'show', ref], expected: notFound, json: true })))
    json.forEach((error, i) => expect(error.details).toMatchObject({ kind: 'organization', ref: refs[i] }))
  })

  it('a stack trace only with DEBUG=wsb, on stderr, after the one-line error', () => {
    const plain = wsb(['org', 'show', 'Ghost'], { db: f.db })
    expect(plain.stderr).toBe('Error: organization "Ghost" not found [NOT_FOUND]\n')
    const debug = wsb(['org', 'show', 'Ghost'], { db: f.db, env: { DEBUG: 'wsb' } })
    expect(debug.code).toBe(3)
    expect(debug.stderr.split('\n')[0]).toBe('Error: organization "Ghost" not found [NOT_FOUND]')
    expect(debug.stderr).toMatch(/^\s+at /m)
    const json = wsb(['org', 'show', 'Ghost', '--json'], { db: f.db, env: { DEBUG: 'wsb' } })
    expect(json.json().error.code).toBe('NOT_FOUND') // stdout stays one JSON document
  })
})
