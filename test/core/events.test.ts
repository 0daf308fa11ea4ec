import { describe, expect, it } from 'vitest'
import { listEvents } from '../../src/core/events/list.js'
import { setLimits } from '../../src/core/orgs/limits.js'
import { decideUsage } from '../../src/core/usage/record.js'
import { account, org, workspace } from '../builders.js'

describe('event log', () => {
  it('R-EV-1 records every change with workspace time, kind and ids', async () => {
    const start = Date.parse('2026-03-01T08:00:00Z')
    const ctx = await workspace('assigned', { start })
    const top = await org(ctx, 'Top')
    await setLimits(ctx, { ref: top.id, limits: { users: 5 } })
    const acct = await account(ctx, 'Top account', { org: top.id })
    const { events } = await listEvents(ctx.db, ctx.workspace.id)
    expect(events.map((e) => e.kind)).toEqual(['workspace.created', 'org.created', 'org.limit_set', 'account.created', 'account.assigned'])
    expect(events.every((e) => e.at === '2026-03-01T08:00:00.000Z')).toBe(true)
    expect(events[4]?.refs).toEqual({ accountId: acct.id, orgId: top.id })
    expect(events[2]?.data).toEqual({ limits: { users: 5 } })
  })

  it('R-EV-1 filters by kind prefix, time and count', async () => {
    const ctx = await workspace('pooled')
    await org(ctx, 'A')
    await org(ctx, 'B')
    await account(ctx, 'X')
    expect(await (await listEvents(ctx.db,ctx.workspace.id,{ kinds: ['org'] })).events.map((e) => e.data.name)).toEqual(['A', 'B'])
    expect(await (await listEvents(ctx.db,ctx.workspace.id,{ kinds: ['account.created','workspace'] })).events).toHaveLength(2)
    expect(await (await listEvents(ctx.db, ctx.workspace.id, { limit: 2 })).events.map((e) => e.kind)).toEqual(['org.created', 'account.created'])
    expect(await (await listEvents(ctx.db, ctx.workspace.id, { since: ctx.now+1 })).events).toEqual([])
  })

  it('R-EV-1 the latest N across the log and the usage ledger: each filtered by kind before the N are taken, shown oldest first', async () => {
    // One instant (a frozen test clock): the log's events sort before the usage decisions, then by id.
    const ctx = await workspace('pooled')
    const a = await org(ctx, 'A')
    await decideUsage(ctx, { org: a.id, product: 'users', delta: 1 }) // no capacity: usage.rejected
    await org(ctx, 'B')
    await decideUsage(ctx, { org: a.id, product: 'users', delta: 2 })
    const latest = async (limit: number, kinds?: string[]) =>
      (await listEvents(ctx.db, ctx.workspace.id, { limit, kinds })).events.map((e) => `${e.kind} ${e.data.name ?? e.data.value}`)
    expect(await latest(3)).toEqual(['org.created B', 'usage.rejected 1', 'usage.rejected 2'])
    expect(await latest(3, ['org', 'usage.rejected'])).toEqual(['org.created B', 'usage.rejected 1', 'usage.rejected 2'])
    expect(await latest(2, ['org'])).toEqual(['org.created A', 'org.created B'])
    expect(await latest(1, ['usage'])).toEqual(['usage.rejected 2'])
    expect(await latest(5, ['workspace', 'usage.accepted'])).toEqual(['workspace.created pooled workspace'])
  })

  it('R-WS-2 one workspace never sees the events of another', async () => {
    const a = await workspace('single', { name: 'A' })
    const b = await workspace('single', { db: a.db, name: 'B' })
    await org(a, 'Only in A')
    expect(await (await listEvents(a.db, b.workspace.id)).events.map((e) => e.kind)).toEqual(['workspace.created'])
  })
})
