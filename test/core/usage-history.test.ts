import { describe, expect, it } from 'vitest'
import { listEvents } from '../../src/core/events/list.js'
import { listNotifications } from '../../src/core/notifications/list.js'
import { setLimits } from '../../src/core/orgs/limits.js'
import { addSubscription } from '../../src/core/subscriptions/add.js'
import { updateSubscription } from '../../src/core/subscriptions/update.js'
import { listAlerts, removeAlerts, setAlerts } from '../../src/core/usage/alerts.js'
import { usageHistory } from '../../src/core/usage/history.js'
import { rejectionsReport } from '../../src/core/usage/rejections.js'
import { poolReport } from '../../src/core/pools/report.js'
import { decideUsage } from '../../src/core/usage/record.js'
import { importUsage } from '../../src/core/usage/import.js'
import { Readable } from 'node:stream'
import type { Ctx } from '../../src/core/context.js'
import { account, advance, card, org, refresh, workspace } from '../builders.js'

const at = (text: string) => Date.parse(text)

/** A pooled workspace from 2026-03-01 with 10 users; Parent/Team, Team limited to 6 users. */
async function march(): Promise<{ ctx: Ctx; parent: string; team: string }> {
  const ctx = await workspace('pooled', { start: at('2026-03-01T00:00:00Z') })
  await account(ctx, 'A')
  await card(ctx, 'A')
  await addSubscription(ctx, { account: 'A', items: { users: 10 }, trial: false })
  const parent = (await org(ctx, 'Parent')).id
  const team = (await org(ctx, 'Team', 'Parent')).id
  await setLimits(ctx, { ref: team, limits: { users: 6 } })
  return { ctx, parent, team }
}

/** Usage moved through March: accepted and rejected reports at known hours. */
async function moveThroughMarch() {
  const m = await march()
  const report = async (when: string, input: { org: string; delta?: number; set?: number }) =>
    await decideUsage(await advance(m.ctx, at(when)), { product: 'users', ...input })
  expect((await report('2026-03-01T09:15:00Z', { org: m.team, delta: 4 })).accepted).toBe(true)
  expect((await report('2026-03-01T10:30:00Z', { org: m.team, delta: 3 })).reason).toBe('LIMIT_EXCEEDED')
  expect((await report('2026-03-01T10:45:00Z', { org: m.team, delta: 2 })).accepted).toBe(true)
  expect((await report('2026-03-02T12:00:00Z', { org: m.team, delta: -5 })).accepted).toBe(true)
  expect((await report('2026-03-02T13:00:00Z', { org: m.parent, delta: 8 })).accepted).toBe(true)
  expect((await report('2026-03-02T13:10:00Z', { org: m.parent, delta: 2 })).reason).toBe('CAPACITY_EXCEEDED')
  expect((await report('2026-03-10T08:00:00Z', { org: m.team, set: 2 })).accepted).toBe(true)
  // The workspace's now (2026-03-10 08:00) bounds every range: history shows no bucket after it.
  return { ...m, ctx: await refresh(m.ctx) }
}

const rejected = (capacityExceeded: number, limitExceeded: number, other = 0) => ({ total: capacityExceeded + limitExceeded + other, capacityExceeded, limitExceeded, other })
const pick = (b: { start: string; level: number; peak: number; capacity: number | null; limit: number | null; peakUtilization: number | null; accepted: number; rejected: unknown }) =>
  [b.start.slice(0, 13), b.level, b.peak, b.capacity, b.limit, b.peakUtilization, b.accepted, b.rejected]

describe('usage history (issue 17), from rollups kept with each report', () => {
  it('an org by day: level at the end, peak (carried in), limit utilization, accepted and rejected by reason', async () => {
    const { ctx, team } = await moveThroughMarch()
    const view = await usageHistory(ctx, { org: team, product: 'users', from: at('2026-03-01'), to: at('2026-03-04'), bucket: 'day' })
    expect(view.scope).toMatchObject({ kind: 'org', id: team, name: 'Parent/Team', subtree: false })
    expect(view.buckets.map(pick)).toEqual([
      ['2026-03-01T00', 6, 6, 10, 6, 100, 2, rejected(0, 1)],
      ['2026-03-02T00', 1, 6, 10, 6, 100, 1, rejected(0, 0)],
      ['2026-03-03T00', 1, 1, 10, 6, 16.7, 0, rejected(0, 0)],
    ])
  })

  it('an org by hour: empty hours carry the level', async () => {
    const { ctx, team } = await moveThroughMarch()
    const view = await usageHistory(ctx, { org: team, product: 'users', from: at('2026-03-01T08:00:00Z'), to: at('2026-03-01T12:00:00Z'), bucket: 'hour' })
    expect(view.buckets.map((b) => [b.start.slice(11, 13), b.level, b.peak, b.accepted, b.rejected.total])).toEqual([
      ['08', 0, 0, 0, 0],
      ['09', 4, 4, 1, 0],
      ['10', 6, 6, 1, 1],
      ['11', 6, 6, 0, 0],
    ])
  })

  it('the pool by day and by month: used, peak, capacity and every rejection in it', async () => {
    const { ctx } = await moveThroughMarch()
    const days = await usageHistory(ctx, { pool: 'pooled workspace', product: 'users', from: at('2026-03-01'), to: at('2026-03-03'), bucket: 'day' })
    expect(days.buckets.map(pick)).toEqual([
      ['2026-03-01T00', 6, 6, 10, null, 60, 2, rejected(0, 1)],
      ['2026-03-02T00', 9, 9, 10, null, 90, 2, rejected(1, 0)],
    ])
    const month = await usageHistory(ctx, { pool: ctx.workspace.id, product: 'users', from: at('2026-03-01'), to: at('2026-03-31'), bucket: 'month' })
    expect(month.buckets.map(pick)).toEqual([['2026-03-01T00', 10, 10, 10, null, 100, 5, rejected(1, 1)]])
    expect(month.to).toBe('2026-04-01T00:00:00.000Z')
  })

  it('an org subtree by ISO week (Monday starts) and its own level alone by month', async () => {
    const { ctx, parent } = await moveThroughMarch()
    const weeks = await usageHistory(ctx, { org: 'Parent', subtree: true, product: 'users', from: at('2026-03-01'), to: at('2026-03-16'), bucket: 'week' })
    expect(weeks.buckets.map(pick)).toEqual([
      ['2026-02-23T00', 6, 6, 10, null, 60, 2, rejected(0, 1)],
      ['2026-03-02T00', 9, 9, 10, null, 90, 2, rejected(1, 0)],
      ['2026-03-09T00', 10, 10, 10, null, 100, 1, rejected(0, 0)],
    ])
    const own = await usageHistory(ctx, { org: parent, product: 'users', from: at('2026-03-01'), to: at('2026-04-01'), bucket: 'month' })
    expect(own.buckets.map(pick)).toEqual([['2026-03-01T00', 8, 8, 10, null, 80, 1, rejected(1, 0)]])
  })

  it('a finished hour keeps the capacity it had, not the capacity of the report that closed it', async () => {
    const m = await march()
    const sub = (await m.ctx.db.get<{ id: string }>('SELECT id FROM subscriptions'))?.id as string
    await decideUsage(await advance(m.ctx, at('2026-03-01T09:00:00Z')), { org: m.parent, product: 'users', delta: 5 })
    const ctx = await advance(m.ctx, at('2026-03-02T09:00:00Z'))
    await updateSubscription(ctx, { ref: sub, items: { users: 20 } })
    await decideUsage(ctx, { org: m.parent, product: 'users', delta: 1 })
    const days = await usageHistory(ctx, { pool: 'A', product: 'users', from: at('2026-03-01'), to: at('2026-03-03'), bucket: 'day' })
    expect(days.buckets.map((b) => [b.level, b.capacity, b.peakUtilization])).toEqual([[5, 10, 50], [6, 20, 30]])
  })

  it('an import in small batches (one Meter across them) keeps the same rollups as one report at a time, rejections and a new hour included', async () => {
    // Reports of two hours on Parent/Team (limit 6) and Parent, with rejections between accepted ones.
    const hours = [
      ['2026-03-01T09:10:00Z', [['Team', 2], ['Team', 3], ['Team', 2], ['Parent', 1], ['Team', 1], ['Parent', 2], ['Team', -1], ['Parent', 9], ['Team', 1]]],
      ['2026-03-01T10:20:00Z', [['Team', 1], ['Parent', 1], ['Team', 5], ['Parent', 1], ['Team', -2], ['Team', 3]]],
    ] as const
    const rollups = async (ctx: Ctx) => {
      const out: unknown[] = []
      for (const scope of [{ org: 'Parent/Team' }, { org: 'Parent', subtree: true }, { org: 'Parent' }, { pool: 'A' }]) {
        const view = await usageHistory(ctx, { ...scope, product: 'users', from: at('2026-03-01T09:00:00Z'), to: at('2026-03-01T11:00:00Z'), bucket: 'hour' })
        out.push(view.buckets.map((b) => [b.start, b.level, b.peak, b.capacity, b.limit, b.accepted, b.rejected]))
      }
      return out
    }
    const batched = await march()
    for (const [when, reports] of hours) {
      const lines = reports.map(([org, delta]) => JSON.stringify({ org: org === 'Team' ? 'Parent/Team' : org, product: 'users', delta })).join('\n')
      await importUsage(await advance(batched.ctx, at(when)), Readable.from([`${lines}\n`]), { batchSize: 2 })
    }
    const single = await march()
    for (const [when, reports] of hours)
      for (const [org, delta] of reports) await decideUsage(await advance(single.ctx, at(when)), { org: org === 'Team' ? single.team : single.parent, product: 'users', delta })
    const expected = await rollups(await refresh(single.ctx))
    expect(await rollups(await refresh(batched.ctx))).toEqual(expected)
    // Worked by hand: Team in hour 09: +2 → 2, +3 → 5, +2 over its limit 6, +1 → 6, -1 → 5, +1 → 6: ends at 6, peak 6,
    // 5 accepted, 1 over its limit. The pool: Parent's +9 would make 17 of 10: Parent's rejection, counted in the pool's hour.
    expect((expected[0] as unknown[][])[0]).toEqual(['2026-03-01T09:00:00.000Z', 6, 6, 10, 6, 5, rejected(0, 1)])
    expect((expected[3] as unknown[][])[0]).toEqual(['2026-03-01T09:00:00.000Z', 9, 9, 10, null, 7, rejected(1, 1)])
  })

  it('bad input is refused naming the problem', async () => {
    const { ctx, team } = await march()
    const base = { org: team, product: 'users', from: at('2026-03-02'), to: at('2026-03-01'), bucket: 'day' as const }
    await expect(usageHistory(ctx, base)).rejects.toThrowError(/--from must be before --to/)
    await expect(usageHistory(ctx, { ...base, from: at('2000-01-01'), to: at('2026-01-01'), bucket: 'hour' })).rejects.toThrowError(/more than 3700 hour buckets/)
    await expect(usageHistory(ctx, { ...base, from: at('2026-03-01'), to: at('2026-03-02'), product: 'seats' })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(usageHistory(ctx, { ...base, from: at('2026-03-01'), to: at('2026-03-02'), pool: 'x' })).rejects.toThrowError(/exactly one of --pool and --org/)
  })
})

describe('ranges end with now (issue 17 review)', () => {
  it('on a bucket edge the default range keeps now\'s own reports (day, hour, month); a range past now is clamped, one wholly after now is refused naming now', async () => {
    const m = await march()
    await decideUsage(await advance(m.ctx, at('2026-03-05T10:00:00Z')), { org: m.parent, product: 'users', delta: 5 })
    // now = 2026-03-06 00:00, a day edge: the report at now is today's.
    const ctx = await advance(m.ctx, at('2026-03-06T00:00:00Z'))
    await decideUsage(ctx, { org: m.parent, product: 'users', delta: 3 })
    const days = await usageHistory(ctx, { pool: 'A', product: 'users', bucket: 'day' })
    expect(days.buckets.at(-1)).toMatchObject({ start: '2026-03-06T00:00:00.000Z', level: 8, accepted: 1 })
    expect(days.buckets.at(-2)).toMatchObject({ start: '2026-03-05T00:00:00.000Z', level: 5 })
    expect(days.to).toBe('2026-03-07T00:00:00.000Z')
    const hours = await usageHistory(ctx, { pool: 'A', product: 'users', from: at('2026-03-05T22:00:00Z'), bucket: 'hour' })
    expect(hours.buckets.map((b) => [b.start.slice(11, 13), b.level, b.accepted])).toEqual([['22', 5, 0], ['23', 5, 0], ['00', 8, 1]])
    // --from now with no --to: today's bucket (was "--from must be before --to").
    expect((await usageHistory(ctx, { pool: 'A', product: 'users', from: ctx.now, bucket: 'day' })).buckets.map((b) => [b.start.slice(0, 10), b.level])).toEqual([['2026-03-06', 8]])

    const april = await advance(ctx, at('2026-04-01T00:00:00Z'))
    const months = await usageHistory(april, { pool: 'A', product: 'users', from: at('2026-03-01'), bucket: 'month' })
    expect(months.buckets.map((b) => [b.start.slice(0, 7), b.level])).toEqual([['2026-03', 8], ['2026-04', 8]])
    // No invented future: a --to a year ahead stops with the bucket holding now.
    const clamped = await usageHistory(april, { pool: 'A', product: 'users', from: at('2026-03-01'), to: at('2027-03-01'), bucket: 'month' })
    expect(clamped.buckets.map((b) => b.start.slice(0, 7))).toEqual(['2026-03', '2026-04'])
    expect(clamped.to).toBe('2026-05-01T00:00:00.000Z')
    const future = usageHistory(april, { pool: 'A', product: 'users', from: at('2027-01-01'), to: at('2027-02-01'), bucket: 'day' })
    await expect(future).rejects.toMatchObject({ exitCode: 2, message: "--from must be before now (the workspace's time, 2026-04-01 00:00): there is no history after now" })
  })

  it('rejections: the default range counts a rejection recorded at now; --from after now names now', async () => {
    const m = await march()
    const ctx = await advance(m.ctx, at('2026-03-06T00:00:00Z'))
    expect((await decideUsage(ctx, { org: m.team, product: 'users', delta: 7 })).reason).toBe('LIMIT_EXCEEDED')
    const view = await rejectionsReport(ctx, {})
    expect(view.rejections.map((r) => [r.path, r.limitExceeded])).toEqual([['Parent/Team', 1]])
    expect([view.from, view.to, view.toIncluded]).toEqual(['2026-02-04T00:00:00.000Z', '2026-03-06T00:00:00.000Z', true])
    // An explicit --to stays exclusive.
    expect((await rejectionsReport(ctx, { from: at('2026-03-05'), to: ctx.now })).rejections).toEqual([])
    await expect(rejectionsReport(ctx, { from: at('2026-03-07') })).rejects.toMatchObject({ exitCode: 2, message: "--from must be before now (the workspace's time, 2026-03-06 00:00)" })
  })
})

describe('usage report --rejections (issue 17)', () => {
  it('ranks orgs and products by rejected reports in a range, by reason, with what binds them now', async () => {
    const { ctx, parent, team } = await moveThroughMarch()
    const all = await rejectionsReport(ctx, { from: at('2026-03-01'), to: at('2026-04-01') })
    // One each: ties are ordered by org id.
    const rows = all.rejections.map((r) => [r.path, r.product, r.rejected, r.capacityExceeded, r.limitExceeded, r.other])
    expect(rows).toHaveLength(2)
    expect(rows).toEqual(expect.arrayContaining([['Parent', 'users', 1, 1, 0, 0], ['Parent/Team', 'users', 1, 0, 1, 0]]))
    const teamRow = all.rejections.find((r) => r.orgId === team)
    // Now: Team uses 2 of its limit 6, the pool 10 of 10: the pool binds.
    expect(teamRow?.bindingNow).toMatchObject({ kind: 'pool', capacity: 10, used: 10 })
    const firstDay = await rejectionsReport(ctx, { from: at('2026-03-01'), to: at('2026-03-02') })
    expect(firstDay.rejections.map((r) => [r.orgId, r.limitExceeded])).toEqual([[team, 1]])
    expect((await rejectionsReport(ctx, { from: at('2026-03-03'), to: at('2026-03-31') })).rejections).toEqual([])
  })

  it('names what bound each rejection at the time: an ancestor limit last week and the pool today, each with its count', async () => {
    const { ctx, parent, team } = await march()
    await setLimits(await advance(ctx, at('2026-03-02T08:00:00Z')), { ref: parent, limits: { users: 7 } })
    const report = async (when: string, orgId: string, delta: number) => await decideUsage(await advance(ctx, at(when)), { org: orgId, product: 'users', delta })
    // Last week: Team 5 (its own limit 6 leaves 1), Parent 2 more: Parent's subtree 7 of its limit 7 binds Team.
    expect((await report('2026-03-03T09:00:00Z', team, 5)).accepted).toBe(true)
    expect((await report('2026-03-03T09:10:00Z', parent, 2)).accepted).toBe(true)
    expect((await report('2026-03-03T10:00:00Z', team, 1)).binding).toMatchObject({ kind: 'limit', orgId: parent })
    expect((await report('2026-03-04T10:00:00Z', team, 1)).reason).toBe('LIMIT_EXCEEDED')
    // Parent's limit raised; the pool (10) fills: 7 + 3. Today the pool binds Team.
    await setLimits(await advance(ctx, at('2026-03-09T08:00:00Z')), { ref: parent, limits: { users: 20 } })
    expect((await report('2026-03-09T09:00:00Z', parent, 3)).accepted).toBe(true)
    for (const minute of ['00', '20', '40']) expect((await report(`2026-03-10T09:${minute}:00Z`, team, 1)).reason).toBe('CAPACITY_EXCEEDED')

    const week = await rejectionsReport(ctx, { from: at('2026-03-01'), to: at('2026-03-11') })
    const teamRow = week.rejections.find((r) => r.orgId === team)
    expect(teamRow).toMatchObject({ rejected: 5, capacityExceeded: 3, limitExceeded: 2, other: 0, bindingNow: { kind: 'pool' } })
    expect(teamRow?.boundBy).toEqual([
      { kind: 'pool', poolId: ctx.workspace.id, rejected: 3 },
      { kind: 'limit', orgId: parent, orgPath: 'Parent', rejected: 2 },
    ])
    // Today alone: the pool only; last week alone: Parent's limit only.
    const today = await rejectionsReport(ctx, { from: at('2026-03-10'), to: at('2026-03-11') })
    expect(today.rejections.find((r) => r.orgId === team)?.boundBy).toEqual([{ kind: 'pool', poolId: ctx.workspace.id, rejected: 3 }])
    const lastWeek = await rejectionsReport(ctx, { from: at('2026-03-01'), to: at('2026-03-08') })
    expect(lastWeek.rejections.map((r) => [r.orgId, r.boundBy])).toEqual([[team, [{ kind: 'limit', orgId: parent, orgPath: 'Parent', rejected: 2 }]]])
  })
})

describe('capacity planning in usage report (issue 17)', () => {
  it('days until full at the last 7 days of linear growth', async () => {
    const m = await march()
    const use = async (when: string, delta: number) => decideUsage(await advance(m.ctx, at(when)), { org: m.parent, product: 'users', delta })
    await use('2026-03-01T10:00:00Z', 2) // before the window
    await use('2026-03-05T10:00:00Z', 3)
    await use('2026-03-09T10:00:00Z', 2)
    // On Mar 10 10:00 the window starts Mar 3 10:00, at level 2; used 7: 5 in 7 days, 0.71/day; 3 available: 4.2 days.
    const ctx = await advance(m.ctx, at('2026-03-10T10:00:00Z'))
    const users = (await poolReport(ctx)).pools[0]?.products.find((p) => p.product === 'users')
    expect(users?.forecast).toEqual({ windowDays: 7, growthPerDay: 0.71, daysUntilFull: 4.2 })
    // A week later nothing moved: not growing, no estimate.
    const later = await advance(ctx, at('2026-03-20T00:00:00Z'))
    expect((await poolReport(later)).pools[0]?.products.find((p) => p.product === 'users')?.forecast).toEqual({ windowDays: 7, growthPerDay: 0, daysUntilFull: null })
  })
})

describe('usage alerts (issue 17)', () => {
  const fired = async (ctx: Ctx) => (await listNotifications(ctx)).notifications.filter((n) => n.kind === 'usage_alert')
  const crossedEvents = async (ctx: Ctx) => (await listEvents(ctx.db, ctx.workspace.id, { kinds: ['alert.crossed'] })).events.length

  it('a pool threshold: crossing up notifies once, staying above does not, down then up again notifies again', async () => {
    const { ctx, parent } = await march()
    const { alerts } = await setAlerts(ctx, { pool: 'A', product: 'users', at: [80, 100] })
    expect(alerts.map((a) => [a.percent, a.armed])).toEqual([[80, true], [100, true]])
    const use = async (delta: number) => expect((await decideUsage(ctx, { org: parent, product: 'users', delta })).accepted).toBe(true)
    await use(7) // 70%
    expect(await fired(ctx)).toEqual([])
    await use(1) // 80%: crosses 80
    expect((await fired(ctx)).map((n) => n.message)).toEqual([expect.stringMatching(/^users reached 80% of the pool of "pooled workspace": 8 of 10/)])
    await use(1) // 90%: still above 80
    expect(await fired(ctx)).toHaveLength(1)
    await use(-2) // 70%: re-arms 80
    expect((await listAlerts(ctx)).alerts.map((a) => a.armed)).toEqual([true, true])
    await use(3) // 100%: crosses 80 and 100
    expect((await fired(ctx)).map((n) => n.refs.alertId)).toEqual([alerts[0]?.id, alerts[0]?.id, alerts[1]?.id])
    expect(await crossedEvents(ctx)).toBe(3)
  })

  it('an org limit threshold counts the subtree; a rejected report fires nothing', async () => {
    const { ctx, team } = await march()
    await setLimits(ctx, { ref: 'Parent', limits: { users: 8 } })
    await setAlerts(ctx, { org: 'Parent', product: 'users', at: [50] })
    await decideUsage(ctx, { org: team, product: 'users', delta: 3 })
    expect(await fired(ctx)).toEqual([])
    expect((await decideUsage(ctx, { org: team, product: 'users', delta: 9 })).accepted).toBe(false)
    expect(await fired(ctx)).toEqual([])
    await decideUsage(ctx, { org: team, product: 'users', delta: 1 })
    expect((await fired(ctx)).map((n) => n.message)).toEqual([expect.stringMatching(/^users reached 50% of the limit of "Parent": 4 of 8/)])
  })

  it('a threshold already reached when set starts disarmed; an org alert needs a limit; remove deletes', async () => {
    const { ctx, parent } = await march()
    await decideUsage(ctx, { org: parent, product: 'users', delta: 9 })
    expect((await setAlerts(ctx, { pool: 'A', product: 'users', at: [80] })).alerts[0]?.armed).toBe(false)
    await decideUsage(ctx, { org: parent, product: 'users', delta: 1 })
    expect(await fired(ctx)).toEqual([])
    await expect(setAlerts(ctx, { org: parent, product: 'users', at: [80] })).rejects.toMatchObject({ code: 'NO_LIMIT' })
    expect((await removeAlerts(ctx, { pool: 'A', product: 'users' })).removed).toHaveLength(1)
    expect((await listAlerts(ctx)).alerts).toEqual([])
  })
})
