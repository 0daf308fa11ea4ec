import { describe, expect, it } from 'vitest'
import { listEvents } from '../../src/core/events/list.js'
import { setLimits } from '../../src/core/orgs/limits.js'
import { account, org, workspace } from '../builders.js'

describe('event log', () => {
  it('R-EV-1 records every change with workspace time, kind and ids', () => {
    const start = Date.parse('2026-03-01T08:00:00Z')
    const ctx = workspace('assigned', { start })
    const top = org(ctx, 'Top')
    setLimits(ctx, { ref: top.id, limits: { users: 5 } })
    const acct = account(ctx, 'Top account', { org: top.id })
    const { events } = listEvents(ctx.db, ctx.workspace.id)
    expect(events.map((e) => e.kind)).toEqual(['workspace.created', 'org.created', 'org.limit_set', 'account.created', 'account.assigned'])
    expect(events.every((e) => e.at === '2026-03-01T08:00:00.000Z')).toBe(true)
    expect(events[4]?.refs).toEqual({ accountId: acct.id, orgId: top.id })
    expect(events[2]?.data).toEqual({ limits: { users: 5 } })
  })

  it('R-EV-1 filters by kind prefix, time and count', () => {
    const ctx = workspace('pooled')
    org(ctx, 'A')
    org(ctx, 'B')
    account(ctx, 'X')
    expect(listEvents(ctx.db, ctx.workspace.id, { kinds: ['org'] }).events.map((e) => e.data.name)).toEqual(['A', 'B'])
    expect(listEvents(ctx.db, ctx.workspace.id, { kinds: ['account.created', 'workspace'] }).events).toHaveLength(2)
    expect(listEvents(ctx.db, ctx.workspace.id, { limit: 2 }).events.map((e) => e.kind)).toEqual(['org.created', 'account.created'])
    expect(listEvents(ctx.db, ctx.workspace.id, { since: ctx.now + 1 }).events).toEqual([])
  })

  it('R-WS-2 one workspace never sees the events of another', () => {
    const a = workspace('single', { name: 'A' })
    const b = workspace('single', { db: a.db, name: 'B' })
    org(a, 'Only in A')
    expect(listEvents(a.db, b.workspace.id).events.map((e) => e.kind)).toEqual(['workspace.created'])
  })
})
