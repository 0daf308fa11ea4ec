// The smaller items of the hardening campaign (issue 11, item 10), each through
// the built binary: exit codes as documented, contradictions refused, duplicate
// NDJSON keys invalid, one event per change, bounded lengths.
import { describe, expect, it } from 'vitest'
import { wsb } from '../helpers/cli.js'
import { engineAll, engineSize } from '../helpers/engine.js'
import { tempDbPath } from '../helpers/temp.js'

const SETUP = 'workspace: { name: Small, mode: single, testClock: true, clockStart: 2026-01-01 }\norganizations: [ { name: Ops } ]\naccounts: [ { name: Small Co, currency: USD, paymentMethods: [pm_card_visa], subscriptions: [ { label: main, trial: false, items: { users: 10, locations: 5 } } ] } ]\n'

function seeded() {
  const db = tempDbPath()
  expect(wsb(['apply', '-f', '-'], { db, input: SETUP }).code).toBe(0)
  return db
}

describe('hardening: the smaller items', () => {
  it('an alias bomb ("billion laughs") in an apply file is invalid input (exit 2), not a crash', () => {
    const db = tempDbPath()
    const rows = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for (let i = 1; i < 9; i++) rows.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`)
    const bomb = `${rows.join('\n')}\nworkspace: { name: Boom, mode: single }\n`
    const out = wsb(['apply', '-f', '-', '--json'], { db, input: bomb })
    expect([out.code, out.json().error.code]).toEqual([2, 'INVALID_INPUT'])
  })

  it('R-USE-5 unknown org and product names of 1 MB are ledgered bounded: 100 such lines do not grow the database by 100 MB', () => {
    const db = seeded()
    const before = engineSize(db)
    const huge = 'x'.repeat(1 << 20)
    const lines = Array.from({ length: 100 }, (_, i) => JSON.stringify(i % 2 ? { org: huge, product: 'users', delta: 1 } : { org: 'Ops', product: huge, delta: 1 })).join('\n')
    const out = wsb(['usage', 'import', '-', '--json'], { db, input: `${lines}\n` })
    expect(out.json()).toMatchObject({ lines: 100, rejected: 100 })
    expect(out.stdout.length).toBeLessThan(100_000)
    const longest = engineAll(db, 'SELECT max(length(org_id)) AS org, max(length(product)) AS product FROM usage_ledger')
    expect(longest).toEqual([{ org: 256, product: 256 }])
    expect(engineSize(db) - before).toBeLessThan(5 << 20)
  })

  it('an empty --org of usage report and an empty -f of apply are invalid input (exit 2), as the README says', () => {
    const db = seeded()
    for (const args of [['usage', 'report', '--org', ''], ['usage', 'report', '--by', 'org', '--org', ' '], ['apply', '-f', '']]) {
      const out = wsb([...args, '--json'], { db })
      expect([args.join(' '), out.code, out.json().error.code]).toEqual([args.join(' '), 2, 'INVALID_INPUT'])
    }
  })

  it('R-TR-1 sub add --trial --no-trial contradicts itself: exit 2 naming both, nothing created', () => {
    const db = seeded()
    const out = wsb(['sub', 'add', 'Small Co', '--item', 'users=1', '--trial', '--no-trial', '--json'], { db })
    expect(out.code).toBe(2)
    expect(out.json().error.message).toMatch(/--trial and --no-trial/)
    expect(wsb(['sub', 'list', '--json'], { db }).json().subscriptions).toHaveLength(1)
  })

  it('R-USE-6 an NDJSON line with a key given twice is invalid, not applied with the last value', () => {
    const db = seeded()
    const input = '{"org":"Ops","product":"users","delta":1,"delta":2}\n{"org":"Ops","org":"Ops","product":"users","delta":1}\n{"org":"Ops","product":"users","delta":3,"key":"a\\"delta\\":1"}\n'
    const out = wsb(['usage', 'import', '-', '--json'], { db, input })
    expect(out.json()).toMatchObject({ lines: 3, accepted: 1, invalid: 2 })
    expect(out.json().problems.map((p: { line: number }) => p.line)).toEqual([1, 2])
    const [org] = wsb(['usage', 'report', '--by', 'org', '--json'], { db }).json().orgs
    expect(org.products.find((p: { product: string }) => p.product === 'users').used).toBe(3)
  })

  it('R-SUB-5 the same scheduled change asked three times is one change and one event', () => {
    const db = seeded()
    const [sub] = wsb(['sub', 'list', '--json'], { db }).json().subscriptions
    for (let i = 0; i < 3; i++) expect(wsb(['sub', 'update', sub.id, '--item', 'users=8', '--json'], { db }).code).toBe(0)
    for (let i = 0; i < 3; i++) expect(wsb(['sub', 'update', sub.id, '--interval', 'year', '--json'], { db }).code).toBe(0)
    const events = wsb(['events', '--kind', 'subscription.change_scheduled', '--json'], { db }).json().events
    expect(events.map((e: { data: Record<string, unknown> }) => e.data.to)).toEqual([8, 'year'])
    expect(wsb(['sub', 'show', sub.id, '--json'], { db }).json().scheduledChanges).toHaveLength(2)
  })

  it('R-BA-1 an email longer than 254 characters is invalid input; 254 is accepted', () => {
    const db = seeded()
    const long = `${'a'.repeat(100_000)}@example.com`
    const out = wsb(['account', 'update', 'Small Co', '--email', long, '--json'], { db })
    expect([out.code, out.json().error.message]).toEqual([2, 'email: at most 254 characters'])
    const fits = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.com`
    expect(fits.length).toBe(254)
    expect(wsb(['account', 'update', 'Small Co', '--email', fits, '--json'], { db }).json().email).toBe(fits)
  })

  it('R-PAY-1 a re-run of apply naming the workspace in another case beyond ASCII attaches its new payment method first, as for the exact name', () => {
    const db = tempDbPath()
    const file = (name: string, methods: string) =>
      `workspace: { name: ${name}, mode: single, testClock: true, clockStart: 2026-01-01 }\naccounts: [ { name: A, currency: USD, paymentMethods: [${methods}], subscriptions: [ { label: main, trial: false, items: { users: 1 } } ] } ]\n`
    expect(wsb(['apply', '-f', '-'], { db, input: file('élan', '') }).code).toBe(0)
    const again = wsb(['apply', '-f', '-', '--json'], { db, input: file('ÉLAN', 'pm_card_visa') }).json()
    expect(again.actions.map((a: { action: string; kind: string }) => `${a.action} ${a.kind}`).slice(0, 2)).toEqual(['create payment_method', 'unchanged workspace'])
    expect(wsb(['workspace', 'list', '--json'], { db }).json().workspaces).toHaveLength(1)
  })
})
