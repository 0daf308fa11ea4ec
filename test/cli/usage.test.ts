// Metering through the built binary: the spec's JSON for usage record, import, report and verify.
import { writeFileSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { tempDir } from '../helpers/temp.js'
import { wsb } from '../helpers/cli.js'

function setup() {
  const dir = tempDir()
  const db = join(dir, 'wsb.sqlite')
  const cli = (...args: string[]) => wsb([...args, '--json'], { db })
  cli('workspace', 'create', 'Franchise', '--mode', 'pooled')
  cli('account', 'create', 'A', '--currency', 'USD')
  cli('sub', 'add', 'A', '--item', 'users=10', '--item', 'locations=2')
  cli('org', 'create', 'Downtown')
  cli('org', 'create', 'Kitchen', '--parent', 'Downtown')
  cli('org', 'limit', 'set', 'Downtown', 'users=6')
  return { dir, db, cli }
}

describe('usage through the CLI', () => {
  it('R-USE-2 usage record prints {accepted, replayed, orgId, product, level, headroom}; a rejection is exit 4 with the error object', () => {
    const { cli } = setup()
    const ok = cli('usage', 'record', '--org', 'Downtown/Kitchen', '--product', 'users', '--delta', '5', '--key', 'k1')
    expect(ok.code).toBe(0)
    expect(ok.json()).toMatchObject({ accepted: true, replayed: false, orgId: expect.stringMatching(/^org_/), product: 'users', level: 5, headroom: 1 })
    expect(cli('usage', 'record', '--org', 'Kitchen', '--product', 'users', '--delta', '5', '--key', 'k1').json()).toMatchObject({ replayed: true, level: 5 })
    const refused = cli('usage', 'record', '--org', 'Kitchen', '--product', 'users', '--delta', '2')
    expect(refused.code).toBe(4)
    expect(refused.json().error).toMatchObject({
      code: 'LIMIT_EXCEEDED',
      details: { orgId: ok.json().orgId, product: 'users', requested: 2, level: 5, headroom: 1, binding: { kind: 'limit', limit: 6 } },
    })
    expect(cli('usage', 'record', '--org', 'Kitchen', '--product', 'locations', '--delta', '3').json().error.code).toBe('CAPACITY_EXCEEDED')
    expect(cli('usage', 'record', '--org', 'Kitchen', '--product', 'users', '--delta', '1', '--key', 'k1').json().error.code).toBe('IDEMPOTENCY_CONFLICT')
    expect(cli('usage', 'record', '--org', 'Kitchen', '--product', 'users', '--delta', '-9').json().error.code).toBe('BELOW_ZERO')
  })

  it('bad usage flags exit 2, unknown orgs and products exit 3, and nothing changes', () => {
    const { cli } = setup()
    for (const args of [
      ['--delta', '1.5'],
      ['--delta', 'ten'],
      ['--delta', '1', '--set', '2'],
      [],
      ['--set', '-1'],
      ['--delta', '99999999999999999999'],
    ]) {
      const out = cli('usage', 'record', '--org', 'Kitchen', '--product', 'users', ...args)
      expect(out.code, args.join(' ')).toBe(2)
    }
    expect(cli('usage', 'record', '--org', 'Nowhere', '--product', 'users', '--delta', '1').code).toBe(3)
    expect(cli('usage', 'record', '--org', 'Kitchen', '--product', 'seats', '--delta', '1').code).toBe(3)
    expect(cli('usage', 'report', '--by', 'product').json().products.find((p: { product: string }) => p.product === 'users').used).toBe(0)
  })

  it('R-USE-6 usage import reads a file or stdin and prints {accepted, rejected, replayed, invalid, lines}', () => {
    const { dir, db, cli } = setup()
    const file = join(dir, 'in.ndjson')
    writeFileSync(
      file,
      [
        '{"org":"Kitchen","product":"users","delta":3,"key":"a"}',
        '{"org":"Kitchen","product":"users","delta":3,"key":"a"}',
        'garbage',
        '{"org":"Downtown","product":"users","delta":4}',
        '{"org":"Downtown","product":"locations","set":2}',
      ].join('\n'),
    )
    const out = cli('usage', 'import', file, '--results', join(dir, 'results.ndjson'))
    expect(out.code).toBe(0)
    expect(out.json()).toMatchObject({ lines: 5, accepted: 2, rejected: 1, replayed: 1, invalid: 1 })
    const results = readFileSync(join(dir, 'results.ndjson'), 'utf8').trim().split('\n').map((line) => JSON.parse(line))
    expect(results.map((r) => [r.line, r.invalid ? 'invalid' : r.replayed ? 'replayed' : r.accepted ? 'accepted' : r.reason])).toEqual([
      [1, 'accepted'],
      [2, 'replayed'],
      [3, 'invalid'],
      [4, 'LIMIT_EXCEEDED'],
      [5, 'accepted'],
    ])
    const piped = wsb(['usage', 'import', '-', '--json'], { db, input: '{"org":"Kitchen","product":"users","delta":-1}\n' })
    expect(piped.json()).toMatchObject({ lines: 1, accepted: 1 })
    const strict = wsb(['usage', 'import', '--strict', '--json'], { db, input: '{"org":"Kitchen","product":"users","delta":100}\n' })
    expect([strict.code, strict.json().error.code]).toEqual([4, 'REPORTS_REJECTED'])
    const streamed = wsb(['usage', 'import', '-', '--results', '-'], { db, input: '{"org":"Kitchen","product":"users","delta":1}\nnope\n' })
    expect(streamed.stdout.trim().split('\n').map((line) => JSON.parse(line).line)).toEqual([1, 2])
    expect(streamed.stderr).toContain('1 accepted')
    expect(cli('usage', 'import', join(dir, 'missing.ndjson')).code).toBe(3)
  })

  it('R-ORG-3 usage report --by org names what binds each org; --org narrows to a subtree', () => {
    const { cli } = setup()
    cli('usage', 'record', '--org', 'Kitchen', '--product', 'users', '--delta', '2')
    const { orgs } = cli('usage', 'report', '--by', 'org').json()
    expect(orgs.map((o: { name: string }) => o.name)).toEqual(['Downtown', 'Kitchen'])
    expect(orgs[1]).toMatchObject({ name: 'Kitchen', parentId: orgs[0].id })
    expect(orgs[1].products.find((p: { product: string }) => p.product === 'users')).toEqual({
      product: 'users',
      used: 2,
      subtreeUsed: 2,
      limit: null,
      headroom: 4,
      binding: { kind: 'limit', orgId: orgs[0].id, orgPath: 'Downtown', limit: 6, subtreeUsed: 2 },
    })
    expect(orgs[1].products.find((p: { product: string }) => p.product === 'locations')).toMatchObject({ headroom: 2, binding: { kind: 'pool', capacity: 2, used: 0 } })
    expect(cli('usage', 'report', '--org', 'Downtown/Kitchen').json().orgs.map((o: { name: string }) => o.name)).toEqual(['Kitchen'])
    expect(cli('usage', 'verify').json()).toMatchObject({ ok: true, mismatches: [] })
  })
})
