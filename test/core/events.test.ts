import { describe, expect, it } from 'vitest'
import { eventCursor, eventPages, listEvents } from '../../src/core/events/list.js'
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

  it('R-EV-1 pages over many rows at one instant (a frozen clock) list each event and usage decision once, in (time, log before ledger, id) order, from any cursor', async () => {
    // Pages of 7 over 40 usage decisions and 6 org events at one instant: each page's cursor sits
    // among rows sharing its instant, in either source (issue 25: that position is an arm of its own).
    const ctx = await workspace('pooled')
    const orgs = [await org(ctx, 'A')]
    for (let i = 0; i < 40; i++) {
      await decideUsage(ctx, { org: (orgs[0] as { id: string }).id, product: 'users', delta: 1 })
      if (i % 8 === 0) orgs.push(await org(ctx, `O${i}`))
    }
    const all = (await listEvents(ctx.db, ctx.workspace.id)).events.map((e) => e.id)
    expect(all.filter((id) => id.startsWith('rpt_'))).toHaveLength(40)
    const read = async (options: Parameters<typeof eventPages>[2]) => {
      const ids: string[] = []
      for await (const page of eventPages(ctx.db, ctx.workspace.id, { pageSize: 7, ...options })) ids.push(...page.map((e) => e.id))
      return ids
    }
    expect(await read({})).toEqual(all)
    for (const at of [0, 3, 6, 7, 20, all.length - 2])
      expect(await read({ after: await eventCursor(ctx.db, ctx.workspace.id, all[at] as string) })).toEqual(all.slice(at + 1))
    const orgEvents = (await listEvents(ctx.db, ctx.workspace.id, { kinds: ['org'] })).events.map((e) => e.id)
    expect(await read({ kinds: ['org'], after: await eventCursor(ctx.db, ctx.workspace.id, orgEvents[1] as string) })).toEqual(orgEvents.slice(2))
    expect(await read({ kinds: ['usage'], after: await eventCursor(ctx.db, ctx.workspace.id, 'rpt_3') })).toEqual(all.filter((id) => id.startsWith('rpt_') && Number(id.slice(4)) > 3))
  })

  it('R-WS-2 one workspace never sees the events of another', async () => {
    const a = await workspace('single', { name: 'A' })
    const b = await workspace('single', { db: a.db, name: 'B' })
    await org(a, 'Only in A')
    expect(await (await listEvents(a.db, b.workspace.id)).events.map((e) => e.kind)).toEqual(['workspace.created'])
  })
})
