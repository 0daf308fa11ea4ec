import { describe, expect, it } from 'vitest'
import { listEvents } from '../../src/core/events/list.js'
import { setLimits } from '../../src/core/orgs/limits.js'
import { account, org, workspace } from '../builders.js'

describe('event log', () => {
  it('R-EV-1 records every change with workspace time, kind and ids', async () => {
    const start = Date.parse('2026-03-01T08:00:00Z')
    const ctx = workspace('assigned', { start })
    const top = org(await ctx, 'Top')
    await setLimits(await ctx, { ref: (await top).id, limits: { users: 5 } })
    const acct = account(await ctx, 'Top account', { org: (await top).id })
    const { events } = await listEvents((await ctx).db, (await ctx).workspace.id)
    expect(events.map((e) => e.kind)).toEqual(['workspace.created', 'org.created', 'org.limit_set', 'account.created', 'account.assigned'])
    expect(events.every((e) => e.at === '2026-03-01T08:00:00.000Z')).toBe(true)
    expect(events[4]?.refs).toEqual({ accountId: (await acct).id, orgId: (await top).id })
    expect(events[2]?.data).toEqual({ limits: { users: 5 } })
  })

  it('R-EV-1 filters by kind prefix, time and count', async () => {
    const ctx = workspace('pooled')
    await org(await ctx, 'A')
    await org(await ctx, 'B')
    await account(await ctx, 'X')
    expect(await (await listEvents((await ctx).db,(await ctx).workspace.id,{ kinds: ['org'] })).events.map((e) => e.data.name)).toEqual(['A', 'B'])
    expect(await (await listEvents((await ctx).db,(await ctx).workspace.id,{ kinds: ['account.created','workspace'] })).events).toHaveLength(2)
    expect(await (await listEvents((await ctx).db,(await ctx).workspace.id,{ limit: 2 })).events.map((e) => e.kind)).toEqual(['org.created', 'account.created'])
    expect(await (await listEvents((await ctx).db,(await ctx).workspace.id,{ since: (await ctx).now+1 })).events).toEqual([])
  })

  it('R-WS-2 one workspace never sees the events of another', async () => {
    const a = workspace('single', { name: 'A' })
    const b = workspace('single', { db: (await a).db, name: 'B' })
    await org(await a, 'Only in A')
    expect(await (await listEvents((await a).db,(await b).workspace.id)).events.map((e) => e.kind)).toEqual(['workspace.created'])
  })
})
