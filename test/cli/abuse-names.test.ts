// Abuse tests for names and references: unicode that must work, control
// characters that must not, the path separator, over-long and blank names, and
// unknown ids of every kind (exit 3, NOT_FOUND, the kind in details).
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { name, orgName, parseInput } from '../../src/core/schemas.js'
import { expectFailure } from '../helpers/abuse.js'
import { abuseFixture, alternating, type Case, expectRefusals, type Fixture } from '../helpers/abuse-setup.js'
import { wsb } from '../helpers/cli.js'
import { tempDbPath, tempDir } from '../helpers/temp.js'

let f: Fixture

beforeAll(() => {
  f = abuseFixture()
})

const INVALID = { exit: 2, code: 'INVALID_INPUT' }

/** Characters that break a table or a terminal line, or reorder what follows them. */
const CONTROLS = {
  escape: 'Red\u001b[31mTeam',
  newline: 'Two\nLines',
  carriageReturn: 'Over\rwrite',
  tab: 'Tab\tbed',
  nextLine: 'Next\u0085Line',
  bell: 'Bell\u0007',
  delete: 'Del\u007f',
  lineSeparator: 'Line\u2028Separator',
  rightToLeftOverride: 'Evil\u202eGOOD',
} as const

describe('abuse: names', () => {
  it('names with control characters are refused with exit 2 by every command that takes a name', async () => {
    const bad = Object.values(CONTROLS)
    const cases: Case[] = [
      ...alternating(bad.map((value) => ['org', 'create', value]), INVALID),
      ...alternating(
        [CONTROLS.escape, CONTROLS.nextLine].flatMap((value) => [
          ['workspace', 'create', value, '--mode', 'single'],
          ['workspace', 'update', 'Acme', '--name', value],
          ['org', 'update', 'Sales', '--name', value],
          ['account', 'create', value, '--currency', 'USD'],
          ['account', 'update', 'Acme Inc', '--name', value],
          ['account', 'update', 'Acme Inc', '--address', value],
          ['account', 'credit', 'Acme Inc', '--amount', '5', '--note', value],
          ['coupon', 'create', value, '--percent-off', '5', '--duration', 'once'],
          ['product', 'create', 'seats', '--name', value],
        ]),
        INVALID,
        1,
      ),
    ]
    const errors = await expectRefusals(f.db, cases)
    for (const error of errors) expect(error.message).toMatch(/must not contain control characters/)
  })

  it('a NUL cannot travel in argv; in an apply file or through the schema it is refused like any control character', () => {
    expect(() => parseInput(name('organization name'), 'a\u0000b')).toThrowError(expect.objectContaining({ code: 'INVALID_INPUT', exitCode: 2 }))
    expect(() => parseInput(orgName(), '\u0000')).toThrowError(/control characters/)
    const db = tempDbPath()
    const file = join(tempDir(), 'setup.json')
    writeFileSync(file, JSON.stringify({ workspace: { name: 'Acme', mode: 'single' }, organizations: [{ name: 'Null\u0000Org' }] }))
    const out = expectFailure(wsb(['apply', '-f', file, '--json'], { db }), INVALID)
    expect(out.message).toMatch(/control characters/)
    // Nothing was created: no workspace, or (SQLite) no database file at all, DB_NOT_FOUND (issue 15).
    const listed = wsb(['workspace', 'list', '--json'], { db }).json()
    expect(listed.workspaces ?? listed.error.code).toEqual(listed.workspaces ? [] : 'DB_NOT_FOUND')
  })

  it('empty, blank and over-long names are refused (exit 2); 200 characters is the limit, counted as people count them', async () => {
    const long = 'x'.repeat(10_000)
    const errors = await expectRefusals(
      f.db,
      alternating(
        [
          ['org', 'create', ''],
          ['org', 'create', '   '],
          ['org', 'create', '\u3000\u00a0'],
          ['org', 'create', long],
          ['org', 'create', 'x'.repeat(201)],
          ['org', 'create', '🚀'.repeat(201)],
          ['workspace', 'create', long, '--mode', 'single'],
          ['account', 'create', long, '--currency', 'USD'],
          ['org', 'update', 'Sales', '--name', ' '],
          ['coupon', 'create', long, '--percent-off', '5', '--duration', 'once'],
        ],
        INVALID,
      ),
    )
    expect(errors[3]?.message).toBe('organization name: at most 200 characters')
    expect(errors[3]?.message.length).toBeLessThan(100) // the name is not echoed back
  })

  it('emoji and CJK names work: accepted, trimmed, shown back intact in JSON and text, found by name and by path', () => {
    const db = tempDbPath()
    const ok = (args: string[]) => {
      const out = wsb([...args, '--json'], { db })
      expect(out.code, `${args.join(' ')}\n${out.stdout}${out.stderr}`).toBe(0)
      return out.json()
    }
    const family = '👩‍👩‍👧 Family' // a ZWJ sequence: joiners are not control characters
    const flags = '🇯🇵🇩🇪 Flags'
    expect(ok(['workspace', 'create', '  🚀 東京ワークスペース  ', '--mode', 'pooled', '--test-clock']).name).toBe('🚀 東京ワークスペース')
    const tokyo = ok(['org', 'create', '東京支社'])
    expect(tokyo.name).toBe('東京支社')
    const child = ok(['org', 'create', family, '--parent', '東京支社'])
    expect(child).toMatchObject({ name: family, path: `東京支社/${family}`, parentId: tokyo.id })
    expect(ok(['org', 'create', flags, '--parent', `東京支社/${family}`]).path).toBe(`東京支社/${family}/${flags}`)
    expect(ok(['org', 'create', 'Ñandú Café — Zürich']).name).toBe('Ñandú Café — Zürich')
    expect(ok(['org', 'create', '🚀'.repeat(200)]).name).toBe('🚀'.repeat(200))
    expect(ok(['org', 'show', `東京支社/${family}/${flags}`]).name).toBe(flags)
    expect(ok(['org', 'show', 'ñandú café — zürich']).name).toBe('Ñandú Café — Zürich') // case-insensitive beyond ASCII
    expect(ok(['account', 'create', '株式会社テスト', '--currency', 'JPY']).name).toBe('株式会社テスト')
    expect(ok(['org', 'limit', 'set', family, 'users=5']).limits).toEqual({ users: 5 })
    expect(ok(['org', 'list']).orgs.map((o: { name: string }) => o.name)).toEqual(expect.arrayContaining(['東京支社', family, flags]))
    expect(ok(['workspace', 'show', '🚀 東京ワークスペース']).name).toBe('🚀 東京ワークスペース')
    const text = wsb(['org', 'list'], { db })
    expect(text.code).toBe(0)
    for (const shown of ['東京支社', family, flags, 'Ñandú Café — Zürich']) expect(text.stdout).toContain(shown)
  })

  it('names are unique and found case-insensitively beyond ASCII, by every command alike (never UNIQUE-constraint crashes)', () => {
    const db = tempDbPath()
    const ok = (args: string[]) => {
      const out = wsb([...args, '--json'], { db })
      expect(out.code, `${args.join(' ')}\n${out.stdout}${out.stderr}`).toBe(0)
      return out.json()
    }
    const taken = (args: string[]) => expectFailure(wsb([...args, '--json'], { db }), { exit: 4, code: 'NAME_TAKEN' }, args.join(' '))
    const ws = ok(['workspace', 'create', 'ÉCOLE', '--mode', 'pooled', '--test-clock'])
    // SQLite's lower() leaves É alone: 'École' used to pass the check and then hit the unique index (exit 1).
    taken(['workspace', 'create', 'École', '--mode', 'single'])
    taken(['workspace', 'create', 'école', '--mode', 'single'])
    expect(ok(['workspace', 'show', 'école']).id).toBe(ws.id)
    const account = ok(['account', 'create', 'ÉCOLE SA', '--currency', 'EUR'])
    taken(['account', 'create', 'école sa', '--currency', 'EUR'])
    expect(ok(['account', 'show', 'ÉCOLE SA']).id).toBe(account.id) // its exact name used to be NOT_FOUND
    expect(ok(['account', 'show', 'École Sa']).id).toBe(account.id)
    ok(['coupon', 'create', 'ÉTÉ', '--percent-off', '5', '--duration', 'once'])
    taken(['coupon', 'create', 'été', '--percent-off', '5', '--duration', 'once'])
    expect(ok(['account', 'discount', 'ÉCOLE SA', '--coupon', 'ÉTÉ']).coupon).toMatchObject({ code: 'ÉTÉ' })
    ok(['sub', 'add', 'ÉCOLE SA', '--item', 'users=10', '--no-trial'])
    const org = ok(['org', 'create', 'Ñandú Café'])
    const child = ok(['org', 'create', 'Ünter', '--parent', 'ñandú café'])
    // usage record and import resolve orgs in SQL: they must agree with org show.
    expect(ok(['org', 'show', 'ÑANDÚ CAFÉ']).id).toBe(org.id)
    expect(ok(['usage', 'record', '--org', 'ñandú café', '--product', 'users', '--delta', '1']).orgId).toBe(org.id)
    expect(ok(['usage', 'record', '--org', 'ÑANDÚ CAFÉ/ünter', '--product', 'users', '--delta', '1']).orgId).toBe(child.id)
    const imported = wsb(['usage', 'import', '-', '--json'], { db, input: `${JSON.stringify({ org: 'ñandú café/ÜNTER', product: 'users', delta: 1 })}\n` })
    expect(imported.json()).toMatchObject({ accepted: 1, rejected: 0, invalid: 0 })
  })

  it('"/" separates org paths, so an org name cannot hold it (exit 2); workspace and account names may', async () => {
    const errors = await expectRefusals(
      f.db,
      alternating(
        [
          ['org', 'create', 'Sales/EMEA'], // looks like a path: must not become one org named so
          ['org', 'create', 'A/B'],
          ['org', 'create', '/'],
          ['org', 'create', 'R&D / Ops', '--parent', 'Sales'],
          ['org', 'update', 'EMEA', '--name', 'EMEA/APAC'],
        ],
        INVALID,
      ),
    )
    for (const error of errors) expect(error.message).toMatch(/"\/"/)
    // Elsewhere "/" means nothing: such names are accepted and found again.
    const db = tempDbPath()
    expect(wsb(['workspace', 'create', 'R&D / Ops', '--mode', 'single', '--test-clock'], { db }).code).toBe(0)
    expect(wsb(['account', 'create', 'Acme / EU', '--currency', 'EUR'], { db }).code).toBe(0)
    expect(wsb(['workspace', 'show', 'R&D / Ops', '--json'], { db }).json().name).toBe('R&D / Ops')
    expect(wsb(['account', 'show', 'Acme / EU', '--json'], { db }).json().name).toBe('Acme / EU')
  })
})

describe('abuse: unknown references', () => {
  it('an unknown id of every kind exits 3 with NOT_FOUND, the kind and the reference in details, and writes nothing', async () => {
    const missing = join(tempDir(), 'missing.ndjson')
    const table: [string[], string, string][] = [
      [['workspace', 'show', 'ws_nope'], 'workspace', 'ws_nope'],
      [['workspace', 'update', 'ws_nope', '--name', 'X'], 'workspace', 'ws_nope'],
      [['org', 'list', '--workspace', 'Elsewhere'], 'workspace', 'Elsewhere'],
      [['org', 'show', 'org_nope'], 'organization', 'org_nope'],
      [['org', 'show', 'Sales/Nope'], 'organization', 'Sales/Nope'],
      [['org', 'update', 'org_nope', '--name', 'X'], 'organization', 'org_nope'],
      [['org', 'update', 'EMEA', '--parent', 'Ghost'], 'organization', 'Ghost'],
      [['org', 'delete', 'Ghost'], 'organization', 'Ghost'],
      [['org', 'create', 'Child', '--parent', 'Ghost'], 'organization', 'Ghost'],
      [['org', 'limit', 'set', 'Ghost', 'users=5'], 'organization', 'Ghost'],
      [['org', 'limit', 'clear', 'Ghost', 'users'], 'organization', 'Ghost'],
      [['usage', 'report', '--org', 'Ghost'], 'organization', 'Ghost'],
      [['account', 'assign', 'Acme Inc', '--org', 'Ghost'], 'organization', 'Ghost'],
      [['account', 'show', 'acct_nope'], 'billing account', 'acct_nope'],
      [['account', 'update', 'acct_nope', '--name', 'X'], 'billing account', 'acct_nope'],
      [['account', 'assign', 'acct_nope', '--org', 'Sales'], 'billing account', 'acct_nope'],
      [['account', 'unassign', 'acct_nope'], 'billing account', 'acct_nope'],
      [['account', 'credit', 'acct_nope', '--amount', '5'], 'billing account', 'acct_nope'],
      [['account', 'discount', 'acct_nope', '--coupon', 'TENOFF'], 'billing account', 'acct_nope'],
      [['pm', 'add', 'acct_nope', 'pm_card_visa'], 'billing account', 'acct_nope'],
      [['pm', 'list', 'acct_nope'], 'billing account', 'acct_nope'],
      [['sub', 'add', 'acct_nope', '--item', 'users=1'], 'billing account', 'acct_nope'],
      [['sub', 'list', '--account', 'acct_nope'], 'billing account', 'acct_nope'],
      [['invoice', 'list', 'acct_nope'], 'billing account', 'acct_nope'],
      [['invoice', 'preview', 'acct_nope'], 'billing account', 'acct_nope'],
      [['account', 'discount', 'Acme Inc', '--coupon', 'NOPE'], 'coupon', 'NOPE'],
      [['pm', 'default', 'Acme Inc', 'pm_nope'], 'payment method', 'pm_nope'],
      [['pm', 'remove', 'Acme Inc', 'pm_nope'], 'payment method', 'pm_nope'],
      [['price', 'set', 'widgets', '--currency', 'USD', '--interval', 'month', '--unit-amount', '5'], 'product', 'widgets'],
      [['price', 'list', '--product', 'widgets'], 'product', 'widgets'],
      [['org', 'limit', 'set', 'Sales', 'widgets=5'], 'product', 'widgets'],
      [['org', 'limit', 'clear', 'Sales', 'widgets'], 'product', 'widgets'],
      [['sub', 'add', 'Acme Inc', '--item', 'widgets=1'], 'product', 'widgets'],
      [['sub', 'show', 'sub_nope'], 'subscription', 'sub_nope'],
      [['sub', 'update', 'sub_nope', '--item', 'users=1'], 'subscription', 'sub_nope'],
      [['sub', 'cancel', 'sub_nope'], 'subscription', 'sub_nope'],
      [['sub', 'resume', 'sub_nope'], 'subscription', 'sub_nope'],
      [['invoice', 'preview', 'Acme Inc', '--change', 'sub_nope:users=3'], 'subscription', 'sub_nope'],
      [['invoice', 'show', 'inv_nope'], 'invoice', 'inv_nope'],
      [['invoice', 'pay', 'inv_nope'], 'invoice', 'inv_nope'],
      [['invoice', 'pdf', 'inv_nope', '-o', join(tempDir(), 'x.pdf')], 'invoice', 'inv_nope'],
      [['usage', 'import', missing], 'file', missing],
    ]
    const notFound = { exit: 3, code: 'NOT_FOUND' }
    // JSON for the details; a few in text for the one-line form.
    const errors = await expectRefusals(f.db, [
      ...table.map(([args]) => ({ args, expected: notFound, json: true })),
      ...table.filter((_, i) => i % 8 === 0).map(([args]) => ({ args, expected: notFound, json: false })),
    ])
    table.forEach(([args, kind, ref], i) => {
      const details = errors[i]?.details as { kind: string; ref: string }
      expect(details.kind, args.join(' ')).toBe(kind)
      expect(details.ref, args.join(' ')).toBe(ref)
      expect(errors[i]?.message, args.join(' ')).toContain(kind)
    })
  })

  it('an empty --workspace is invalid input naming the flag, not "the only workspace"; an empty WSB_WORKSPACE is unset', () => {
    const before = wsb(['org', 'list', '--json'], { db: f.db }).json()
    const error = expectFailure(wsb(['org', 'create', 'Ops', '--workspace', '', '--json'], { db: f.db }), INVALID)
    expect(error.details).toMatchObject({ flag: 'workspace' })
    expect(wsb(['org', 'list', '--json'], { db: f.db }).json()).toEqual(before)
    const fromEnv = wsb(['org', 'list', '--json'], { db: f.db, env: { WSB_WORKSPACE: '' } })
    expect(fromEnv.code).toBe(0)
    expect(fromEnv.json()).toEqual(before)
  })

  it('usage record for an unknown org or product: exit 3, NOT_FOUND with the kind; the rejection is ledgered, no level moves', () => {
    const level = () =>
      wsb(['usage', 'report', '--by', 'org', '--json'], { db: f.db })
        .json()
        .orgs.find((o: { name: string }) => o.name === 'Sales')
        .products.find((p: { product: string }) => p.product === 'users').used
    const before = level()
    const org = expectFailure(wsb(['usage', 'record', '--org', 'Ghost', '--product', 'users', '--delta', '1', '--json'], { db: f.db }), { exit: 3, code: 'NOT_FOUND' })
    expect(org.details).toMatchObject({ kind: 'organization', ref: 'Ghost', product: 'users', requested: 1 })
    const product = expectFailure(wsb(['usage', 'record', '--org', 'Sales', '--product', 'widgets', '--delta', '1'], { db: f.db }), { exit: 3, code: 'NOT_FOUND' })
    expect(product.message).toBe('product "widgets" not found')
    const json = wsb(['usage', 'record', '--org', 'Sales', '--product', 'USERS', '--delta', '1', '--json'], { db: f.db }).json()
    expect(json.error.details).toMatchObject({ kind: 'product', ref: 'USERS', orgId: f.orgId })
    expect(level()).toBe(before)
    const rejected = wsb(['events', '--kind', 'usage.rejected', '--json'], { db: f.db }).json().events
    expect(rejected.length).toBeGreaterThanOrEqual(3) // R-USE-5: every report is ledgered, rejected ones too
  })
})
