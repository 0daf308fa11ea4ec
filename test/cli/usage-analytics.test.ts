// usage report --rejections and days until full in usage report --by pool
// (issue 17) through the built binary, with the test clock moving time.
import { describe, expect, it } from 'vitest'
import { tempDbPath } from '../helpers/temp.js'
import { wsb } from '../helpers/cli.js'

function setup(capacity: number) {
  const db = tempDbPath()
  const cli = (...args: string[]) => wsb(args, { db, env: { NO_COLOR: '1' } })
  const json = (...args: string[]) => {
    const result = wsb([...args, '--json'], { db })
    if (result.code !== 0) throw new Error(`${args.join(' ')}: ${result.stderr}${result.stdout}`)
    return result.json()
  }
  json('workspace', 'create', 'Wall', '--mode', 'pooled', '--clock-start', '2026-03-01')
  json('account', 'create', 'A', '--currency', 'USD')
  json('pm', 'add', 'A', 'pm_card_visa')
  json('sub', 'add', 'A', '--item', `users=${capacity}`)
  json('org', 'create', 'Parent')
  json('org', 'create', 'Child', '--parent', 'Parent')
  json('org', 'create', 'Other')
  return { db, cli, json }
}

const record = (cli: (...args: string[]) => { code: number }, org: string, delta: number) => cli('usage', 'record', '--org', org, '--product', 'users', '--delta', String(delta)).code

describe('usage report --rejections (issue 17)', () => {
  it('ranks orgs by rejected reports in the range with the reason and what binds each now; --from/--to narrow it; a bad range exits 2', () => {
    const { cli, json } = setup(20)
    const ids = new Map<string, string>(json('org', 'list').orgs.map((o: { id: string; name: string }) => [o.name, o.id]))
    json('org', 'limit', 'set', 'Parent', 'users=5')
    // 1 March: Child takes 4 of Parent's limit of 5; two more reports would pass it.
    json('clock', 'advance', '--to', '2026-03-01T10:00:00Z')
    expect([record(cli, 'Parent/Child', 4), record(cli, 'Parent/Child', 3), record(cli, 'Parent/Child', 2)]).toEqual([0, 4, 4])
    // 2 March: Other takes the pool to 16 of 20; 5 more would pass the capacity.
    json('clock', 'advance', '--to', '2026-03-02T10:00:00Z')
    expect([record(cli, 'Other', 12), record(cli, 'Other', 5)]).toEqual([0, 4])
    json('clock', 'advance', '--to', '2026-03-03T12:00:00Z')

    const all = json('usage', 'report', '--rejections', '--from', '2026-03-01', '--to', '2026-03-03')
    expect(all).toEqual({
      from: '2026-03-01T00:00:00.000Z',
      to: '2026-03-03T00:00:00.000Z',
      toIncluded: false,
      rejections: [
        {
          orgId: ids.get('Child'),
          path: 'Parent/Child',
          product: 'users',
          rejected: 2,
          capacityExceeded: 0,
          limitExceeded: 2,
          other: 0,
          bindingNow: { kind: 'limit', orgId: ids.get('Parent'), orgPath: 'Parent', limit: 5, subtreeUsed: 4 },
          boundBy: [{ kind: 'limit', orgId: ids.get('Parent'), orgPath: 'Parent', rejected: 2 }],
        },
        {
          orgId: ids.get('Other'),
          path: 'Other',
          product: 'users',
          rejected: 1,
          capacityExceeded: 1,
          limitExceeded: 0,
          other: 0,
          bindingNow: { kind: 'pool', poolId: expect.stringMatching(/^ws_/), capacity: 20, used: 16 },
          boundBy: [{ kind: 'pool', poolId: expect.stringMatching(/^ws_/), rejected: 1 }],
        },
      ],
    })
    // The default range is the 30 days up to now: the same two.
    expect(json('usage', 'report', '--rejections').rejections.map((r: { path: string }) => r.path)).toEqual(['Parent/Child', 'Other'])
    // Only 2 March: Other alone; only 3 March: nobody.
    expect(json('usage', 'report', '--rejections', '--from', '2026-03-02', '--to', '2026-03-03').rejections.map((r: { path: string; rejected: number }) => [r.path, r.rejected])).toEqual([['Other', 1]])
    expect(json('usage', 'report', '--rejections', '--from', '2026-03-03', '--to', '2026-03-04').rejections).toEqual([])

    const human = cli('usage', 'report', '--rejections', '--from', '2026-03-01', '--to', '2026-03-03')
    expect(human.stdout.split('\n').slice(0, 4)).toEqual([
      'Rejected reports, 2026-03-01 to 2026-03-03 (UTC); bound by: what bound them then; binding now: what limits each org now',
      'org\tproduct\trejected\tover pool\tover limit\tother\tbound by\tbinding now',
      'Parent/Child\tusers\t2\t0\t2\t0\tlimit on Parent ×2\tlimit on Parent 4/5',
      'Other\tusers\t1\t1\t0\t0\tpool ×1\tpool 16/20',
    ])
    expect(cli('usage', 'report', '--rejections', '--from', '2026-03-03', '--to', '2026-03-04').stdout).toContain('None.')

    // Bad input: exit 2 naming the problem.
    const backwards = cli('usage', 'report', '--rejections', '--from', '2026-03-03', '--to', '2026-03-01')
    expect([backwards.code, backwards.stderr]).toEqual([2, expect.stringContaining('--from must be before --to')])
    const empty = cli('usage', 'report', '--rejections', '--from', '2026-03-01', '--to', '2026-03-01')
    expect(empty.code).toBe(2)
    expect(cli('usage', 'report', '--rejections', '--from', 'last week').code).toBe(2)
    const withoutFlag = cli('usage', 'report', '--from', '2026-03-01')
    expect([withoutFlag.code, withoutFlag.stderr]).toEqual([2, expect.stringContaining('--from and --to go with --rejections')])
  })
})

describe('ranges on the test clock (issue 17 review)', () => {
  it('after clock advance --by 1d (now on a day edge) the defaults keep now\'s reports; --from/--to take spans back from now (7d, 12h, 2w); a range after now exits 2 naming now', () => {
    const { cli, json } = setup(20)
    json('org', 'limit', 'set', 'Parent', 'users=5')
    json('clock', 'advance', '--by', '1d')
    expect(record(cli, 'Parent/Child', 4)).toBe(0)
    json('clock', 'advance', '--by', '1d')
    // now = 2026-03-03 00:00: one accepted and one rejected report at now.
    expect([record(cli, 'Other', 3), record(cli, 'Parent/Child', 2)]).toEqual([0, 4])
    const days = json('usage', 'history', '--pool', 'A', '--product', 'users').buckets
    expect(days.at(-1)).toMatchObject({ start: '2026-03-03T00:00:00.000Z', level: 7, accepted: 1, rejected: { total: 1, limitExceeded: 1 } })
    expect(json('usage', 'report', '--rejections').rejections.map((r: { path: string; rejected: number }) => [r.path, r.rejected])).toEqual([['Parent/Child', 1]])
    // --from now, no --to: today's bucket alone (was "--from must be before --to").
    expect(json('usage', 'history', '--pool', 'A', '--product', 'users', '--from', '2026-03-03').buckets.map((b: { start: string; level: number }) => [b.start.slice(0, 10), b.level])).toEqual([['2026-03-03', 7]])
    // Spans back from now, as lists' --since: 1d = from 2026-03-02 00:00; 12h by hour = 12:00 to now's hour.
    expect(json('usage', 'history', '--pool', 'A', '--product', 'users', '--from', '1d').buckets.map((b: { start: string; level: number }) => [b.start.slice(0, 10), b.level])).toEqual([['2026-03-02', 4], ['2026-03-03', 7]])
    const hours = json('usage', 'history', '--pool', 'A', '--product', 'users', '--from', '12h', '--bucket', 'hour')
    expect([hours.from, hours.to, hours.buckets.length]).toEqual(['2026-03-02T12:00:00.000Z', '2026-03-03T01:00:00.000Z', 13])
    expect(json('usage', 'history', '--pool', 'A', '--product', 'users', '--from', '2w', '--to', '1d').buckets.map((b: { start: string }) => b.start.slice(0, 10))).toEqual(['2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20', '2026-02-21', '2026-02-22', '2026-02-23', '2026-02-24', '2026-02-25', '2026-02-26', '2026-02-27', '2026-02-28', '2026-03-01'])
    expect(json('usage', 'report', '--rejections', '--from', '7d', '--to', '1d').rejections).toEqual([])
    expect(json('usage', 'report', '--rejections', '--from', '12h').rejections).toHaveLength(1)
    // After now: refused naming now, for a flag given and for the default --to.
    const future = cli('usage', 'history', '--pool', 'A', '--product', 'users', '--from', '2027-01-01', '--to', '2027-02-01')
    expect([future.code, future.stderr, future.stdout]).toEqual([2, expect.stringContaining("--from must be before now (the workspace's time, 2026-03-03 00:00)"), ''])
    const later = cli('usage', 'report', '--rejections', '--from', '2026-03-04')
    expect([later.code, later.stderr]).toEqual([2, expect.stringContaining("--from must be before now (the workspace's time, 2026-03-03 00:00)")])
    expect(cli('usage', 'report', '--rejections', '--from', '3x').code).toBe(2)
    // The human heading says the default range runs to now.
    expect(cli('usage', 'report', '--rejections').stdout.split('\n')[0]).toContain('to now (2026-03-03) (UTC)')
  })
})

describe('days until full in usage report --by pool (issue 17)', () => {
  it('growth over the last 7 days, (used now - used 7 days ago) / 7, gives the days until full; the table says it is a linear estimate', () => {
    const { db, cli, json } = setup(100)
    const users = () => json('usage', 'report', '--by', 'pool').pools[0].products.find((p: { product: string }) => p.product === 'users')
    json('clock', 'advance', '--to', '2026-03-01T00:30:00Z')
    expect(record(cli, 'Parent', 20)).toBe(0)
    // 10 March: 34 used, 20 of them there 7 days ago: 14 / 7 = 2 a day, 66 available: 33 days.
    json('clock', 'advance', '--to', '2026-03-10T00:00:00Z')
    expect(record(cli, 'Other', 14)).toBe(0)
    expect(users()).toMatchObject({ capacity: 100, used: 34, available: 66, forecast: { windowDays: 7, growthPerDay: 2, daysUntilFull: 33 } })
    const human = wsb(['usage', 'report', '--by', 'pool'], { db, env: { WSB_TTY: '1', COLUMNS: '120', NO_COLOR: '1' } }).stdout
    const row = human.split('\n').find((line) => line.startsWith('│ users'))
    expect(row?.split('│').map((cell) => cell.trim()).filter(Boolean).slice(0, 6)).toEqual(['users', '100', '34', '66', '34%', '33 d'])
    expect(human).toContain("full in: a linear estimate at the last 7 days' growth (—: not growing)")
    // The note is whole at 80 columns too (it was cut with … there).
    const narrow = wsb(['usage', 'report', '--by', 'pool'], { db, env: { WSB_TTY: '1', COLUMNS: '80', NO_COLOR: '1' } }).stdout
    expect(narrow).toContain("full in: a linear estimate at the last 7 days' growth (—: not growing)")
    // 18 March, no report for 8 days: not growing, no estimate.
    json('clock', 'advance', '--to', '2026-03-18T00:00:00Z')
    expect(users().forecast).toEqual({ windowDays: 7, growthPerDay: 0, daysUntilFull: null })
    const later = wsb(['usage', 'report', '--by', 'pool'], { db, env: { WSB_TTY: '1', COLUMNS: '120', NO_COLOR: '1' } }).stdout.split('\n').find((line) => line.startsWith('│ users'))
    expect(later?.split('│').map((cell) => cell.trim())[6]).toBe('—')
    // Full: 0 days.
    expect(record(cli, 'Other', 66)).toBe(0)
    expect(users().forecast).toEqual({ windowDays: 7, growthPerDay: 9.43, daysUntilFull: 0 })
  })

  it('a young pool: the window starts when it began, usage seeded at creation is the starting level, under a day of history gives no estimate; JSON and the note say the window used', () => {
    const { db, cli, json } = setup(100)
    const users = () => json('usage', 'report', '--by', 'pool').pools[0].products.find((p: { product: string }) => p.product === 'users')
    const note = () => wsb(['usage', 'report', '--by', 'pool'], { db, env: { WSB_TTY: '1', COLUMNS: '120', NO_COLOR: '1' } }).stdout
    // Seeded at creation (2026-03-01 00:00): 60 users.
    expect(record(cli, 'Parent', 60)).toBe(0)
    json('clock', 'advance', '--to', '2026-03-01T12:00:00Z')
    expect(users().forecast).toEqual({ windowDays: 0.5, growthPerDay: null, daysUntilFull: null })
    expect(note()).toContain('full in: no estimate yet (the pool began 0.5 days ago, under a day)')
    // 5 days on, nothing changed since creation: not growing (was 60 / 7 = 8.57 a day, "full in 4.7 d").
    json('clock', 'advance', '--to', '2026-03-06T00:00:00Z')
    expect(users().forecast).toEqual({ windowDays: 5, growthPerDay: 0, daysUntilFull: null })
    // 10 more: 10 / 5 = 2 a day, 30 available: 15 days.
    expect(record(cli, 'Other', 10)).toBe(0)
    expect(users().forecast).toEqual({ windowDays: 5, growthPerDay: 2, daysUntilFull: 15 })
    const human = note()
    expect(human).toContain("full in: a linear estimate over the pool's 5 days of growth (—: not growing)")
    expect(human.split('\n').find((line) => line.startsWith('│ users'))?.split('│').map((cell) => cell.trim())[6]).toBe('15 d')
  })
})
