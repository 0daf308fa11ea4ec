// An apply file whose entries resolve to one object twice (issue 21, item 5):
// the last entry used to win and each re-run flipped the object back and forth
// with new events, so the file never converged. It is refused as INVALID_INPUT
// naming both places, whatever the case of the names and through YAML aliases,
// and nothing is written.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { expectFailure, snapshot } from '../helpers/abuse.js'
import { abuseFixture } from '../helpers/abuse-setup.js'
import { wsb } from '../helpers/cli.js'
import { tempDir } from '../helpers/temp.js'

const HEAD = 'workspace: { name: Acme, mode: assigned }\n'

/** [what, the file after the workspace, the places each problem names] */
const CASES: [string, string, string[]][] = [
  [
    'two top-level organizations differing in case',
    'organizations:\n  - { name: Sales, limits: { users: 50 } }\n  - { name: SALES, limits: { users: 60 } }\n',
    ['organizations[1]: organization "SALES" is already stated by organizations[0]'],
  ],
  [
    'siblings deep in the tree, one with spaces around its name',
    'organizations:\n  - name: Sales\n    children:\n      - { name: EMEA }\n      - { name: APAC }\n      - { name: "  emea ", limits: { users: 5 } }\n',
    ['organizations[0].children[2]: organization "emea" is already stated by organizations[0].children[0]'],
  ],
  [
    'an organization repeated through a YAML alias',
    'organizations:\n  - &sales { name: Sales, limits: { users: 50 } }\n  - *sales\n',
    ['organizations[1]: organization "Sales" is already stated by organizations[0]'],
  ],
  [
    'two accounts differing in case, one with another currency',
    'accounts:\n  - { name: Acme Inc, currency: USD }\n  - { name: ACME INC, currency: EUR }\n',
    ['accounts[1]: account "ACME INC" is already stated by accounts[0]'],
  ],
  [
    'an account repeated through a YAML alias',
    'accounts:\n  - &acme { name: Acme Inc, currency: USD, subscriptions: [ { label: main, items: { users: 100 } } ] }\n  - *acme\n',
    ['accounts[1]: account "Acme Inc" is already stated by accounts[0]'],
  ],
  [
    'one subscription label twice in an account',
    'accounts:\n  - name: Acme Inc\n    currency: USD\n    subscriptions:\n      - { label: main, items: { users: 100 } }\n      - { label: main, items: { users: 200 } }\n',
    ['accounts[0].subscriptions[1]: subscription "main" is already stated by accounts[0].subscriptions[0]'],
  ],
  [
    "one org's alert by two spellings of its path",
    'alerts:\n  - { org: Sales/EMEA, product: users, at: [80%] }\n  - { org: sales/emea, product: users, at: [90%] }\n',
    ['alerts[1]: org sales/emea, product users is already stated by alerts[0]'],
  ],
  [
    "the pool's alert by two spellings of the account",
    'alerts:\n  - { pool: Acme Inc, product: users, at: [80%] }\n  - { pool: ACME inc, product: users, at: [90%] }\n',
    ['alerts[1]: pool ACME inc, product users is already stated by alerts[0]'],
  ],
  [
    'a coupon code in two cases, a price twice, a product twice',
    'products:\n  - { key: seats, prices: [ { currency: USD, interval: month, unitAmount: 100 }, { currency: usd, interval: month, unitAmount: 200 } ] }\n  - { key: seats }\ncoupons:\n  - { code: TENOFF, percentOff: 10, duration: once }\n  - { code: tenoff, percentOff: 10, duration: once }\n',
    [
      'products[1]: product seats is already stated by products[0]',
      'products[0].prices[1]: the USD/month price is already stated by products[0].prices[0]',
      'coupons[1]: coupon tenoff is already stated by coupons[0]',
    ],
  ],
]

describe('apply refuses entries that resolve to one object twice', () => {
  it('duplicates by case, by spacing and through YAML aliases: INVALID_INPUT (exit 2) naming both places, nothing written', () => {
    const f = abuseFixture()
    const dir = tempDir()
    const before = snapshot(f.db)
    for (const [what, body, problems] of CASES) {
      const file = join(dir, 'file.yaml')
      writeFileSync(file, HEAD + body)
      for (const json of [true, false]) {
        const error = expectFailure(wsb(['apply', '-f', file, ...(json ? ['--json'] : [])], { db: f.db }), { exit: 2, code: 'INVALID_INPUT' }, what)
        for (const problem of problems) expect(error.message, what).toContain(problem)
      }
      // And no dry run gets past it either.
      expectFailure(wsb(['apply', '-f', file, '--dry-run', '--json'], { db: f.db }), { exit: 2, code: 'INVALID_INPUT' }, what)
    }
    expect(snapshot(f.db), 'nothing written').toEqual(before)
  })

  it('one entry per object converges: a second run changes nothing; distinct siblings of one name under different parents are not duplicates', () => {
    const f = abuseFixture()
    const file = join(tempDir(), 'file.yaml')
    writeFileSync(
      file,
      `${HEAD}organizations:\n  - name: Sales\n    limits: { users: 60 }\n    children: [ { name: EMEA, children: [ { name: Team, limits: { locations: 5 } } ] }, { name: APAC, children: [ { name: Team } ] } ]\naccounts:\n  - { name: Acme Inc, currency: USD }\nalerts:\n  - { org: Sales, product: users, at: [80%] }\n  - { org: Sales/EMEA/Team, product: locations, at: [90%] }\n`,
    )
    const first = wsb(['apply', '-f', file, '--json'], { db: f.db })
    expect(first.code, first.stdout + first.stderr).toBe(0)
    const again = wsb(['apply', '-f', file, '--json'], { db: f.db })
    expect(again.code, again.stdout + again.stderr).toBe(0)
    expect(again.json()).toMatchObject({ changed: false })
  })
})
