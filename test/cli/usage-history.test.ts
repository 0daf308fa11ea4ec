// usage history and alert commands through the built binary (issue 17), and
// concurrent reporters crossing one threshold at once: exactly one notification.
import { describe, expect, it } from 'vitest'
import { tempDbPath } from '../helpers/temp.js'
import { wsb, wsbAsync } from '../helpers/cli.js'

function setup(capacity: number) {
  const db = tempDbPath()
  const cli = (...args: string[]) => wsb(args, { db })
  const json = (...args: string[]) => {
    const result = wsb([...args, '--json'], { db })
    if (result.code !== 0) throw new Error(`${args.join(' ')}: ${result.stderr}${result.stdout}`)
    return result.json()
  }
  json('workspace', 'create', 'Hist', '--mode', 'pooled', '--clock-start', '2026-03-01')
  json('account', 'create', 'A', '--currency', 'USD')
  json('pm', 'add', 'A', 'pm_card_visa')
  json('sub', 'add', 'A', '--item', `users=${capacity}`)
  json('org', 'create', 'Parent')
  json('org', 'create', 'Child', '--parent', 'Parent')
  return { db, cli, json }
}

describe('usage history command', () => {
  it('table, --json and --csv from the same buckets; usage moved over two days', () => {
    const { db, cli, json } = setup(10)
    json('clock', 'advance', '--to', '2026-03-01T09:30:00Z')
    json('usage', 'record', '--org', 'Parent/Child', '--product', 'users', '--delta', '7')
    expect(cli('usage', 'record', '--org', 'Parent/Child', '--product', 'users', '--delta', '5').code).toBe(4)
    json('clock', 'advance', '--to', '2026-03-02T18:00:00Z')
    json('usage', 'record', '--org', 'Parent/Child', '--product', 'users', '--delta', '-4')
    const args = ['usage', 'history', '--pool', 'A', '--product', 'users', '--from', '2026-03-01', '--to', '2026-03-03', '--bucket', 'day']
    const view = json(...args)
    expect(view.buckets).toEqual([
      { start: '2026-03-01T00:00:00.000Z', end: '2026-03-02T00:00:00.000Z', level: 7, peak: 7, capacity: 10, limit: null, peakUtilization: 70, accepted: 1, rejected: { total: 1, capacityExceeded: 1, limitExceeded: 0, other: 0 } },
      { start: '2026-03-02T00:00:00.000Z', end: '2026-03-03T00:00:00.000Z', level: 3, peak: 7, capacity: 10, limit: null, peakUtilization: 70, accepted: 1, rejected: { total: 0, capacityExceeded: 0, limitExceeded: 0, other: 0 } },
    ])
    const csv = cli(...args, '--csv')
    expect(csv.code).toBe(0)
    expect(csv.stdout.trim().split('\n')).toEqual([
      'start,end,level,peak,limit,capacity,peak_utilization_percent,accepted,rejected,rejected_capacity,rejected_limit,rejected_other',
      '2026-03-01T00:00:00.000Z,2026-03-02T00:00:00.000Z,7,7,,10,70,1,1,1,0,0',
      '2026-03-02T00:00:00.000Z,2026-03-03T00:00:00.000Z,3,7,,10,70,1,0,0,0,0',
    ])
    // On a terminal: the table; piped: every cell, tab-separated (issue 15).
    const human = wsb([...args, '--wide'], { db, env: { WSB_TTY: '1', COLUMNS: '80' } })
    expect(human.stdout).toContain('users on pool Hist, by day (UTC), 2026-03-01 to 2026-03-03')
    // --wide on a terminal: one record per bucket, one field a line, every field there (issue 25).
    const record = human.stdout.split('\n\n').find((text) => text.includes('day:           2026-03-01'))
    const cells = ['2026-03-01', '7', '7', '—', '10', '70%', '1', '1', '1', '0', '0']
    const fields = record?.split('\n') ?? []
    expect(fields.slice(fields.findIndex((line) => line.startsWith('day:'))).map((line) => line.replace(/^[^:]+: +/, ''))).toEqual(cells)
    const piped = cli(...args).stdout.split('\n')
    expect(piped[1]?.split('\t')).toEqual(['day', 'level', 'peak', 'limit', 'capacity', 'peak %', 'accepted', 'rejected', 'rej. capacity', 'rej. limit', 'rej. other'])
    expect(piped.find((line) => line.startsWith('2026-03-01'))?.split('\t')).toEqual(cells)
  })

  it('at 80 columns (WSB_TTY=1 COLUMNS=80) the bucket stays whole for every bucket size and the least important columns give way with a --wide note', () => {
    const { db, json } = setup(10)
    json('clock', 'advance', '--to', '2026-03-02T14:30:00Z')
    json('usage', 'record', '--org', 'Parent/Child', '--product', 'users', '--delta', '3')
    const terminal = (...more: string[]) => {
      const out = wsb(['usage', 'history', ...more, '--product', 'users', '--from', '2026-03-02T13:00:00Z', '--to', '2026-03-02T16:00:00Z'], { db, env: { WSB_TTY: '1', COLUMNS: '80' } })
      expect(out.code).toBe(0)
      for (const line of out.stdout.split('\n')) expect([...line].length, line).toBeLessThanOrEqual(80)
      return out.stdout
    }
    const firstCell = (text: string, start: string) => text.split('\n').find((line) => line.startsWith(`│ ${start}`))?.split('│').map((cell) => cell.trim()).filter(Boolean)
    const hour = terminal('--pool', 'A', '--bucket', 'hour')
    // The range stops with the hour holding now (14:30): no bucket after now.
    expect(hour).toContain('users on pool Hist, by hour (UTC), 2026-03-02 13:00 to 2026-03-02 15:00')
    expect(firstCell(hour, 'hour')).toEqual(['hour', 'level', 'peak', 'capacity', 'peak %', 'accepted', 'rejected'])
    expect(firstCell(hour, '2026-03-02 14:00')).toEqual(['2026-03-02 14:00', '3', '3', '10', '30%', '1', '0'])
    expect(hour).toContain('(limit, rej. capacity, rej. limit, rej. other not shown at this width;\n --wide shows every column)')
    expect(firstCell(terminal('--pool', 'A', '--bucket', 'day'), '2026-03-02')).toEqual(['2026-03-02', '3', '3', '10', '30%', '1', '0'])
    expect(firstCell(terminal('--pool', 'A', '--bucket', 'week'), '2026-03-02')?.[0]).toBe('2026-03-02')
    expect(firstCell(terminal('--pool', 'A', '--bucket', 'month'), '2026-03 ')?.[0]).toBe('2026-03')
    // An org's history keeps its limit column; the accepted count gives way first.
    const org = terminal('--org', 'Parent', '--subtree', '--bucket', 'hour')
    expect(firstCell(org, '2026-03-02 14:00')).toEqual(['2026-03-02 14:00', '3', '3', '—', '10', '30%', '0'])
    expect(org).toContain('(accepted, rej. capacity, rej. limit, rej. other not shown')
  })

  it('bad input: exit 2 naming the problem, exit 3 for an unknown org', () => {
    const { cli } = setup(10)
    const bad = cli('usage', 'history', '--org', 'Parent', '--product', 'users', '--bucket', 'year')
    expect(bad.code).toBe(2)
    const both = cli('usage', 'history', '--org', 'Parent', '--pool', 'A', '--product', 'users')
    expect([both.code, both.stderr]).toEqual([2, expect.stringContaining('exactly one of --pool and --org')])
    expect(cli('usage', 'history', '--org', 'Nobody', '--product', 'users').code).toBe(3)
    expect(cli('usage', 'history', '--org', 'Parent', '--product', 'users', '--from', 'yesterday').code).toBe(2)
  })
})

describe('alert commands', () => {
  it('set, list, fire once into notifications and events --kind alert, remove', () => {
    const { cli, json } = setup(10)
    const set = json('alert', 'set', '--pool', 'A', '--product', 'users', '--at', '80%,100%')
    expect(set.alerts.map((a: { percent: number; armed: boolean }) => [a.percent, a.armed])).toEqual([[80, true], [100, true]])
    expect(cli('alert', 'set', '--pool', 'A', '--product', 'users', '--at', '0%').code).toBe(2)
    expect(cli('alert', 'set', '--org', 'Parent', '--product', 'users', '--at', '80%').code).toBe(4)
    json('usage', 'record', '--org', 'Parent', '--product', 'users', '--delta', '8')
    json('usage', 'record', '--org', 'Parent', '--product', 'users', '--delta', '1')
    const notes = json('notifications').notifications.filter((n: { kind: string }) => n.kind === 'usage_alert')
    expect(notes.map((n: { message: string }) => n.message)).toEqual([expect.stringMatching(/^users reached 80% of the pool of "Hist": 8 of 10/)])
    const events = json('events', '--kind', 'alert.crossed').events
    expect(events).toHaveLength(1)
    expect(json('alert', 'list').alerts.map((a: { armed: boolean }) => a.armed)).toEqual([false, true])
    expect(json('alert', 'remove', '--pool', 'A', '--product', 'users', '--at', '80').removed).toHaveLength(1)
    expect(json('alert', 'list').alerts.map((a: { percent: number }) => a.percent)).toEqual([100])
    // People read the org and the pool by name (issue 15): the accepted line and a rejection.
    expect(cli('usage', 'record', '--org', 'Parent/Child', '--product', 'users', '--delta', '0').stdout).toMatch(/^Accepted: users \+0 on "Child" \(org_[0-9a-z]{12}\)\n/)
    const full = cli('usage', 'record', '--org', 'Parent/Child', '--product', 'users', '--delta', '5')
    expect([full.code, full.stderr]).toEqual([4, expect.stringContaining('the pool of "Hist" has 1 users available; "Parent/Child" asked for 5 more')])
  })

  it('alert remove names what is missing: an unknown product, a threshold that is not set; a list with one missing threshold removes nothing', () => {
    const { cli, json } = setup(10)
    json('alert', 'set', '--pool', 'A', '--product', 'users', '--at', '80%,100%')
    const fails = (...args: string[]) => {
      const out = cli('alert', 'remove', ...args)
      return [out.code, out.stderr.trim()]
    }
    expect(fails('--pool', 'A', '--product', 'nope')).toEqual([3, expect.stringContaining('product "nope" not found')])
    expect(fails('--pool', 'A', '--product', 'users', '--at', '70%')).toEqual([3, expect.stringContaining('no 70% alert on pool Hist users; it has 80%, 100%')])
    expect(fails('--pool', 'A', '--product', 'users', '--at', '80%,70%')).toEqual([3, expect.stringContaining('no 70% alert on pool Hist users; it has 80%, 100%')])
    expect(fails('--org', 'Parent', '--product', 'users')).toEqual([3, expect.stringContaining('no alert on org Parent users')])
    // Nothing was removed by the refused calls.
    expect(json('alert', 'list').alerts.map((a: { percent: number }) => a.percent)).toEqual([80, 100])
    expect(json('alert', 'remove', '--pool', 'A', '--product', 'users', '--at', '80%,100%').removed).toHaveLength(2)
  })

  it('concurrent reporters crossing one threshold at once notify exactly once', async () => {
    const { db, json } = setup(200)
    json('alert', 'set', '--pool', 'A', '--product', 'users', '--at', '25%')
    json('usage', 'record', '--org', 'Parent/Child', '--product', 'users', '--delta', '45')
    // Six processes each add 10: the first to commit crosses 25% (50 of 200), the others find it fired.
    const results = await Promise.all(
      Array.from({ length: 6 }, () => wsbAsync(['usage', 'record', '--org', 'Parent/Child', '--product', 'users', '--delta', '10', '--json'], { db })),
    )
    expect(results.map((r) => [r.code, r.stderr])).toEqual(Array.from({ length: 6 }, () => [0, '']))
    expect(json('usage', 'report').pools[0].products.find((p: { product: string }) => p.product === 'users').used).toBe(105)
    expect(json('notifications').notifications.filter((n: { kind: string }) => n.kind === 'usage_alert')).toHaveLength(1)
    expect(json('events', '--kind', 'alert').events.filter((e: { kind: string }) => e.kind === 'alert.crossed')).toHaveLength(1)
  })
})
