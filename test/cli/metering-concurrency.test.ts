// Real processes metering into one database at once (R-USE-3), on the engine of
// the project: reporters racing for the seats of one pool, reporters in sibling
// subtrees under one ancestor's limit, and reporters racing a subscription
// cancel and a clock move that take capacity away. Each race proves it
// overlapped (test/helpers/race.ts); afterwards every acknowledged report is in
// the ledger by key with the outcome its reporter was told, the counters agree
// with the ledger (usage verify) and doctor finds nothing wrong.
// PostgreSQL-only twins with 8 processes: test/cli/postgres-race.test.ts.
import { describe, expect, it } from 'vitest'
import { wsb, wsbAsync } from '../helpers/cli.js'
import { type Ack, expectClean, expectLedgerHolds, expectOverlap, type Reporter, startRace } from '../helpers/race.js'
import { engineAll } from '../helpers/engine.js'
import { tempDbPath } from '../helpers/temp.js'

function setup(capacity: number, options: { testClock?: boolean } = {}) {
  const db = tempDbPath()
  const cli = (...args: string[]) => {
    const out = wsb([...args, '--json'], { db })
    if (out.code !== 0) throw new Error(`wsb ${args.join(' ')}: ${out.stdout}${out.stderr}`)
    return out.json()
  }
  cli('workspace', 'create', 'Race', '--mode', 'pooled', ...(options.testClock ? ['--test-clock', '--clock-start', '2026-01-01'] : []))
  cli('account', 'create', 'A', '--currency', 'USD')
  cli('pm', 'add', 'A', 'pm_card_visa')
  const sub = cli('sub', 'add', 'A', '--item', `users=${capacity}`, '--no-trial')
  return { db, cli, sub: sub.id as string }
}

const all = (reporters: Reporter[]) => reporters.flatMap((r) => r.acks)
const outcome = (a: Ack) => (a.accepted ? 'accepted' : a.reason)
const hadRejection = (acks: Ack[]) => acks.some((a) => !a.accepted)

/** The checks every race ends with: clean exits, overlap, the ledger by key, usage verify and doctor. */
function expectSound(db: string, cli: (...args: string[]) => any, reporters: Reporter[]) {
  expectClean(reporters)
  expectOverlap(reporters)
  expectLedgerHolds(db, reporters)
  expect(cli('usage', 'verify')).toMatchObject({ ok: true, mismatches: [] })
  expect(cli('doctor')).toMatchObject({ ok: true, violations: [] })
}

describe('concurrent reporters', () => {
  it('R-USE-3 R-USE-5 four reporters race for C seats of one pool: exactly C accepted, the rest CAPACITY_EXCEEDED, every acknowledged report in the ledger', async () => {
    const capacity = 60
    const { db, cli } = setup(capacity)
    cli('org', 'create', 'Parent')
    cli('org', 'create', 'Child', '--parent', 'Parent')
    cli('org', 'create', 'Other')
    const race = await startRace(db, ['a', 'b', 'c', 'd'].map((tag, i) => ({ tag, line: () => ({ org: i % 2 ? 'Parent/Child' : 'Other', delta: 1 }) })))
    // Until the pool is full and every reporter has been told so.
    await race.until(hadRejection)
    const reporters = await race.stop()
    const acks = all(reporters)
    expect(acks.filter((a) => a.accepted)).toHaveLength(capacity)
    expect(new Set(acks.filter((a) => !a.accepted).map(outcome))).toEqual(new Set(['CAPACITY_EXCEEDED']))
    const report = cli('usage', 'report', '--by', 'pool')
    expect(report.pools[0].products.find((p: { product: string }) => p.product === 'users')).toMatchObject({ capacity, used: capacity, available: 0 })
    expectSound(db, cli, reporters)
  })

  it('R-ORG-3 R-USE-3 four reporters in sibling subtrees under one limit: exactly the limit accepted across them, the rest LIMIT_EXCEEDED', async () => {
    const { db, cli } = setup(1000)
    cli('org', 'create', 'Region')
    cli('org', 'limit', 'set', 'Region', 'users=40')
    for (const side of ['East', 'West']) {
      cli('org', 'create', side, '--parent', 'Region')
      cli('org', 'create', 'Shop', '--parent', `Region/${side}`)
    }
    const orgs = ['Region/East', 'Region/West', 'Region/East/Shop', 'Region/West/Shop']
    const race = await startRace(db, orgs.map((org, i) => ({ tag: `r${i}`, line: () => ({ org, delta: 1 }) })))
    await race.until(hadRejection)
    const reporters = await race.stop()
    const acks = all(reporters)
    expect(acks.filter((a) => a.accepted)).toHaveLength(40)
    expect(new Set(acks.filter((a) => !a.accepted).map(outcome))).toEqual(new Set(['LIMIT_EXCEEDED']))
    const region = cli('usage', 'report', '--by', 'org', '--org', 'Region').orgs[0]
    expect(region.products.find((p: { product: string }) => p.product === 'users')).toMatchObject({ subtreeUsed: 40, limit: 40, headroom: 0 })
    expectSound(db, cli, reporters)
  })

  /**
   * Capacity taken away while four reporters add: before the command started every
   * report fits (2 + 100,000 seats); once it has ended the pool holds 2 seats and
   * more than 2 are in use, so every report sent after must be CAPACITY_EXCEEDED.
   */
  function expectCutAt(reporters: Reporter[], window: { startedAt: number; endedAt: number }) {
    const acks = all(reporters)
    const before = acks.filter((a) => a.ackedAt <= window.startedAt)
    const after = acks.filter((a) => a.sentAt > window.endedAt)
    expect(before.length).toBeGreaterThanOrEqual(reporters.length)
    expect(after.length).toBeGreaterThanOrEqual(reporters.length)
    expect(new Set(before.map(outcome))).toEqual(new Set(['accepted']))
    expect(new Set(after.map(outcome))).toEqual(new Set(['CAPACITY_EXCEEDED']))
  }

  it('R-SUB-5 R-USE-3 a subscription canceled now (--force) while four reporters add: what is sent after the cancel ended is refused, nothing is lost', async () => {
    const { db, cli, sub } = setup(2)
    const big = cli('sub', 'add', 'A', '--item', 'users=100000', '--no-trial').id
    for (const team of ['T1', 'T2', 'T3', 'T4']) cli('org', 'create', team)
    const race = await startRace(db, ['T1', 'T2', 'T3', 'T4'].map((org) => ({ tag: org, line: () => ({ org, delta: 1 }) })))
    const window = await race.during(async () => await wsbAsync(['sub', 'cancel', big, '--now', '--force', '--json'], { db }))
    expect(window.result.code, window.result.stdout + window.result.stderr).toBe(0)
    const reporters = await race.stop()
    expectCutAt(reporters, window)
    expect(cli('sub', 'show', big).status).toBe('canceled')
    expect(cli('sub', 'show', sub).status).toBe('active')
    const used = all(reporters).filter((a) => a.accepted).length
    expect(cli('usage', 'report', '--by', 'pool').pools[0].products.find((p: { product: string }) => p.product === 'users')).toMatchObject({ capacity: 2, used })
    expectSound(db, cli, reporters)
  })

  it('R-WS-4 R-SUB-5 R-USE-3 the clock moved past a period end that cancels a subscription while four reporters add: what is sent after the move is refused', async () => {
    const { db, cli, sub } = setup(2, { testClock: true })
    const big = cli('sub', 'add', 'A', '--item', 'users=100000', '--no-trial').id
    cli('sub', 'cancel', big) // at its period end, 2026-02-01
    for (const team of ['T1', 'T2', 'T3', 'T4']) cli('org', 'create', team)
    const race = await startRace(db, ['T1', 'T2', 'T3', 'T4'].map((org) => ({ tag: org, line: () => ({ org, delta: 1 }) })))
    const window = await race.during(async () => await wsbAsync(['clock', 'advance', '--to', '2026-02-02T00:00:00Z', '--json'], { db }))
    expect(window.result.code, window.result.stdout + window.result.stderr).toBe(0)
    const reporters = await race.stop()
    expectCutAt(reporters, window)
    expect(cli('sub', 'show', big).status).toBe('canceled')
    expect(cli('sub', 'show', sub).status).toBe('active')
    expectSound(db, cli, reporters)
  })

  it('R-USE-3 four concurrent `usage import -` streams in batches of 7 against one limit never pass it; every acknowledged line is in the ledger', async () => {
    const { db, cli } = setup(1000)
    cli('org', 'create', 'Parent')
    cli('org', 'create', 'Child', '--parent', 'Parent')
    cli('org', 'limit', 'set', 'Parent', 'users=333')
    const lines = (tag: string) =>
      Array.from({ length: 200 }, (_, i) => JSON.stringify({ org: 'Parent/Child', product: 'users', delta: 1, key: `${tag}-${i}` })).join('\n')
    const results = await Promise.all(['a', 'b', 'c', 'd'].map((tag) => wsbAsync(['usage', 'import', '-', '--batch-size', '7', '--results', '-'], { db, input: lines(tag) })))
    const reporters: Reporter[] = results.map((r, i) => ({
      tag: 'abcd'[i] as string,
      code: r.code,
      stderr: r.stderr,
      acks: r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l)).map((d) => ({ key: d.key, accepted: d.accepted, reason: d.reason, sentAt: 0, ackedAt: 0 })),
    }))
    expectClean(reporters)
    expect(all(reporters)).toHaveLength(800)
    expect(all(reporters).filter((a) => a.accepted)).toHaveLength(333)
    const parent = cli('usage', 'report', '--by', 'org', '--org', 'Parent').orgs[0]
    expect(parent.products.find((p: { product: string }) => p.product === 'users')).toMatchObject({ subtreeUsed: 333, limit: 333, headroom: 0 })
    expectLedgerHolds(db, reporters)
    expect(cli('usage', 'verify')).toMatchObject({ ok: true, mismatches: [] })
  })

  it('R-USE-3 R-USE-4 four concurrent `usage import` runs in batches of 150 (bulk on PostgreSQL), two of them with the same keys, then all four again: each key applied once, never past the limit', async () => {
    const { db, cli } = setup(1000)
    cli('org', 'create', 'Parent')
    cli('org', 'create', 'Left', '--parent', 'Parent')
    cli('org', 'create', 'Right', '--parent', 'Parent')
    cli('org', 'limit', 'set', 'Parent', 'users=333')
    const lines = (tag: string) =>
      Array.from({ length: 400 }, (_, i) => JSON.stringify({ org: i % 2 ? 'Parent/Left' : 'Parent/Right', product: 'users', delta: 1, key: `${tag}-${i}` })).join('\n')
    const tags = ['a', 'a', 'b', 'c']
    const run = async () => {
      const results = await Promise.all(tags.map((tag) => wsbAsync(['usage', 'import', '-', '--batch-size', '150', '--results', '-'], { db, input: lines(tag) })))
      return results.map((r, i) => {
        expect(r.code, `${tags[i]}: ${r.stderr}`).toBe(0)
        const acks = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { key: string; accepted: boolean; replayed?: boolean })
        expect(acks).toHaveLength(400)
        return new Map(acks.map((a) => [a.key, a.accepted]))
      })
    }
    const first = await run()
    // The two runs of the same keys were told the same: a key one of them had accepted, the other replayed.
    for (const [key, accepted] of first[0] as Map<string, boolean>) expect(first[1]?.get(key), key).toBe(accepted)
    const acceptedKeys = new Set(first.flatMap((m) => [...m].filter(([, accepted]) => accepted).map(([key]) => key)))
    expect(acceptedKeys.size).toBe(333)
    const ledger = () => engineAll<{ key: string }>(db, "SELECT key FROM usage_ledger WHERE outcome = 'accepted' AND key IS NOT NULL").map((r) => r.key)
    expect(ledger().sort()).toEqual([...acceptedKeys].sort())
    // Again, all four at once: every accepted key replays, nothing is applied twice, the limit stays full.
    const again = await run()
    for (const m of again) for (const [key, accepted] of m) if (acceptedKeys.has(key)) expect(accepted, key).toBe(true)
    expect(ledger().sort()).toEqual([...acceptedKeys].sort())
    const parent = cli('usage', 'report', '--by', 'org', '--org', 'Parent').orgs[0]
    expect(parent.products.find((p: { product: string }) => p.product === 'users')).toMatchObject({ subtreeUsed: 333, limit: 333, headroom: 0 })
    expect(cli('usage', 'verify')).toMatchObject({ ok: true, mismatches: [] })
    expect(cli('doctor')).toMatchObject({ ok: true, violations: [] })
  })
})
