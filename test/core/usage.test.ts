import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { listEvents } from '../../src/core/events/list.js'
import { setLimits } from '../../src/core/orgs/limits.js'
import { poolReport } from '../../src/core/pools/report.js'
import { addSubscription } from '../../src/core/subscriptions/add.js'
import { cancelSubscription } from '../../src/core/subscriptions/cancel.js'
import { updateSubscription } from '../../src/core/subscriptions/update.js'
import type { UsageReportInput } from '../../src/core/usage/decision.js'
import { importUsage } from '../../src/core/usage/import.js'
import { usageByOrg } from '../../src/core/usage/org-report.js'
import { decideUsage, recordUsage } from '../../src/core/usage/record.js'
import { verifyUsage } from '../../src/core/usage/verify.js'
import type { Ctx } from '../../src/core/context.js'
import { account, org, secondConnection, workspace } from '../builders.js'

/** A pooled workspace with one account holding `users` of capacity. */
async function pooled(users: number): Promise<Ctx> {
  const ctx = await workspace('pooled')
  await account(ctx, 'A')
  await addSubscription(ctx, { account: 'A', items: { users, locations: 5 } })
  return ctx
}

const ledger = async (ctx: Ctx) => await ctx.db.all('SELECT outcome, reason, delta, level_after AS level FROM usage_ledger ORDER BY id')

const rejects = async (ctx: Ctx, input: UsageReportInput, code: string) =>
  await expect(async () => await recordUsage(ctx, input)).rejects.toThrowError(expect.objectContaining({ code }))

describe('usage levels', () => {
  it('R-USE-1 a report changes the level by a delta or sets it', async () => {
    const ctx = await pooled(10)
    const team = await org(ctx, 'Team')
    expect(await recordUsage(ctx, { org: team.id, product: 'users', delta: 3 })).toMatchObject({ accepted: true, replayed: false, level: 3, headroom: 7 })
    expect(await recordUsage(ctx, { org: 'Team', product: 'users', set: 8 })).toMatchObject({ level: 8, delta: 5, headroom: 2 })
    expect(await recordUsage(ctx, { org: 'Team', product: 'users', set: 1 })).toMatchObject({ level: 1, delta: -7, headroom: 9 })
    expect(await recordUsage(ctx, { org: 'Team', product: 'users', delta: -1 })).toMatchObject({ level: 0 })
  })

  it('R-USE-1 a decrease below zero is BELOW_ZERO and changes nothing', async () => {
    const ctx = await pooled(10)
    const team = await org(ctx, 'Team')
    await recordUsage(ctx, { org: team.id, product: 'users', delta: 2 })
    await rejects(ctx, { org: team.id, product: 'users', delta: -3 }, 'BELOW_ZERO')
    expect(await (await usageByOrg(ctx)).orgs[0]?.products.find((p) => p.product === 'users')?.used).toBe(2)
    expect(await ledger(ctx)).toEqual([
      { outcome: 'accepted', reason: null, delta: 2, level: 2 },
      { outcome: 'rejected', reason: 'BELOW_ZERO', delta: -3, level: 2 },
    ])
  })
})

describe('enforcement', () => {
  it('R-USE-2 an increase beyond the pool is CAPACITY_EXCEEDED naming the pool, and changes nothing', async () => {
    const ctx = await pooled(5)
    const team = await org(ctx, 'Team')
    await recordUsage(ctx, { org: team.id, product: 'users', delta: 4 })
    try {
      await recordUsage(ctx, { org: team.id, product: 'users', delta: 2 })
      expect.unreachable()
    } catch (error) {
      expect(error).toMatchObject({
        code: 'CAPACITY_EXCEEDED',
        exitCode: 4,
        details: { orgId: team.id, product: 'users', requested: 2, level: 4, headroom: 1, binding: { kind: 'pool', poolId: ctx.workspace.id } },
      })
    }
    expect(await (await recordUsage(ctx,{ org: team.id,product: 'users',delta: 1 })).headroom).toBe(0)
    await rejects(ctx, { org: team.id, product: 'sso_connections', delta: 1 }, 'CAPACITY_EXCEEDED')
  })

  it('R-USE-2 decreases within the level are accepted even when the pool is over capacity', async () => {
    const ctx = await workspace('pooled')
    await account(ctx, 'A')
    await account(ctx, 'B')
    const a = await addSubscription(ctx, { account: 'A', items: { users: 5 } })
    await addSubscription(ctx, { account: 'B', items: { users: 5 } })
    const team = await org(ctx, 'Team')
    await recordUsage(ctx, { org: team.id, product: 'users', delta: 9 })
    await cancelSubscription(ctx, { ref: a.id, now: true, force: true })
    await rejects(ctx, { org: team.id, product: 'users', delta: 1 }, 'CAPACITY_EXCEEDED')
    expect(await recordUsage(ctx, { org: team.id, product: 'users', delta: -2 })).toMatchObject({ accepted: true, level: 7, headroom: 0 })
  })

  it('R-ORG-3 an org limit lower than the pool wins (LIMIT_EXCEEDED names that org)', async () => {
    const ctx = await pooled(100)
    const team = await org(ctx, 'Team')
    await setLimits(ctx, { ref: team.id, limits: { users: 3 } })
    expect(await (await recordUsage(ctx,{ org: team.id,product: 'users',delta: 3 })).headroom).toBe(0)
    try {
      await recordUsage(ctx, { org: team.id, product: 'users', delta: 1 })
      expect.unreachable()
    } catch (error) {
      expect(error).toMatchObject({ code: 'LIMIT_EXCEEDED', details: { binding: { kind: 'limit', orgId: team.id, limit: 3 }, headroom: 0 } })
    }
  })

  it("R-ORG-3 a grandparent's limit caps a grandchild, counting the whole subtree", async () => {
    const ctx = await pooled(100)
    const grand = await org(ctx, 'Grand')
    const parent = await org(ctx, 'Parent', grand.id)
    const child = await org(ctx, 'Child', parent.id)
    const sibling = await org(ctx, 'Sibling', grand.id)
    await setLimits(ctx, { ref: grand.id, limits: { users: 10 } })
    await setLimits(ctx, { ref: parent.id, limits: { users: 50 } })
    await recordUsage(ctx, { org: sibling.id, product: 'users', delta: 6 })
    await recordUsage(ctx, { org: grand.id, product: 'users', delta: 1 })
    expect(await recordUsage(ctx, { org: child.id, product: 'users', delta: 3 })).toMatchObject({ headroom: 0, binding: { kind: 'limit', orgId: grand.id } })
    await expect(async () => await recordUsage(ctx, { org: child.id, product: 'users', delta: 1 })).rejects.toThrowError(
      expect.objectContaining({ code: 'LIMIT_EXCEEDED', details: expect.objectContaining({ binding: { kind: 'limit', orgId: grand.id, limit: 10 } }) }),
    )
  })

  it('R-ORG-3 the most restrictive bound wins: the pool when it is tighter than every limit', async () => {
    const ctx = await pooled(4)
    const top = await org(ctx, 'Top')
    await setLimits(ctx, { ref: top.id, limits: { users: 10 } })
    expect(await recordUsage(ctx, { org: top.id, product: 'users', delta: 1 })).toMatchObject({ headroom: 3, binding: { kind: 'pool' } })
    const other = await org(ctx, 'Other')
    await recordUsage(ctx, { org: other.id, product: 'users', delta: 3 })
    await rejects(ctx, { org: top.id, product: 'users', delta: 1 }, 'CAPACITY_EXCEEDED')
  })

  it('R-BA-3 an assigned-mode org whose top-level org has no account is NO_BILLING_ACCOUNT', async () => {
    const ctx = await workspace('assigned')
    const usa = await org(ctx, 'USA')
    const sales = await org(ctx, 'Sales', usa.id)
    await rejects(ctx, { org: sales.id, product: 'users', delta: 1 }, 'NO_BILLING_ACCOUNT')
    await account(ctx, 'USA', { org: usa.id })
    await addSubscription(ctx, { account: 'USA', items: { users: 2 } })
    expect(await (await recordUsage(ctx,{ org: sales.id,product: 'users',delta: 2 })).level).toBe(2)
  })

  it('R-POOL-2 assigned-mode silos never share capacity', async () => {
    const ctx = await workspace('assigned')
    const usa = await org(ctx, 'USA')
    const de = await org(ctx, 'Germany')
    await account(ctx, 'USD', { org: usa.id })
    await account(ctx, 'EUR', { org: de.id, currency: 'EUR' })
    await addSubscription(ctx, { account: 'USD', items: { users: 2 } })
    await addSubscription(ctx, { account: 'EUR', items: { users: 50 } })
    await recordUsage(ctx, { org: usa.id, product: 'users', delta: 2 })
    await rejects(ctx, { org: usa.id, product: 'users', delta: 1 }, 'CAPACITY_EXCEEDED')
    expect(await (await poolReport(ctx)).pools.map((p) => p.products[0]?.used)).toEqual([2, 0])
  })

  it('R-SUB-5 a subscription decrease is checked against real usage', async () => {
    const ctx = await pooled(10)
    const sub = (await ctx.db.get('SELECT id FROM subscriptions')) as { id: string }
    await recordUsage(ctx, { org: await (await org(ctx,'Team')).id, product: 'users', delta: 8 })
    await expect(async () => await updateSubscription(ctx, { ref: sub.id, items: { users: 7 } })).rejects.toThrowError(
      expect.objectContaining({ code: 'BELOW_USAGE', details: expect.objectContaining({ usage: 8, capacity: 7 }) }),
    )
  })
})

describe('idempotency', () => {
  it('R-USE-4 replaying an accepted key returns the original result marked replayed, applying nothing', async () => {
    const ctx = await pooled(10)
    const team = await org(ctx, 'Team')
    const first = await recordUsage(ctx, { org: team.id, product: 'users', delta: 2, key: 'signup-1' })
    await recordUsage(ctx, { org: team.id, product: 'users', delta: 1 })
    const again = await recordUsage(ctx, { org: 'Team', product: 'users', delta: 2, key: 'signup-1' })
    expect(again).toMatchObject({ accepted: true, replayed: true, reportId: first.reportId, level: 2, headroom: 8 })
    expect(await (await verifyUsage(ctx)).ok).toBe(true)
    expect(await (await usageByOrg(ctx)).orgs[0]?.products.find((p) => p.product === 'users')?.used).toBe(3)
  })

  it('R-USE-4 the same key with a different payload is IDEMPOTENCY_CONFLICT', async () => {
    const ctx = await pooled(10)
    const team = await org(ctx, 'Team')
    await recordUsage(ctx, { org: team.id, product: 'users', delta: 2, key: 'k' })
    await rejects(ctx, { org: team.id, product: 'users', delta: 3, key: 'k' }, 'IDEMPOTENCY_CONFLICT')
    await rejects(ctx, { org: team.id, product: 'locations', delta: 2, key: 'k' }, 'IDEMPOTENCY_CONFLICT')
    await rejects(ctx, { org: team.id, product: 'users', set: 2, key: 'k' }, 'IDEMPOTENCY_CONFLICT')
  })

  it('R-USE-4 a rejected report claims nothing: the same key may be retried', async () => {
    const ctx = await pooled(1)
    const team = await org(ctx, 'Team')
    await rejects(ctx, { org: team.id, product: 'users', delta: 2, key: 'retry-me' }, 'CAPACITY_EXCEEDED')
    const sub = (await ctx.db.get('SELECT id FROM subscriptions')) as { id: string }
    await updateSubscription(ctx, { ref: sub.id, items: { users: 5 } })
    expect(await recordUsage(ctx, { org: team.id, product: 'users', delta: 2, key: 'retry-me' })).toMatchObject({ accepted: true, replayed: false })
  })

  it('R-WS-2 keys are unique per workspace, not across workspaces', async () => {
    const a = await pooled(5)
    const b = await workspace('single', { db: a.db, name: 'B' })
    await account(b, 'B')
    await addSubscription(b, { account: 'B', items: { users: 5 } })
    await recordUsage(a, { org: await (await org(a,'Team')).id, product: 'users', delta: 1, key: 'same' })
    expect(await (await recordUsage(b,{ org: await (await org(b,'Team')).id,product: 'users',delta: 1,key: 'same' })).replayed).toBe(false)
  })
})

describe('ledger', () => {
  it('R-USE-5 every report, accepted or rejected, is in the ledger; verify recomputes every counter', async () => {
    const ctx = await pooled(3)
    const parent = await org(ctx, 'Parent')
    const child = await org(ctx, 'Child', parent.id)
    await recordUsage(ctx, { org: child.id, product: 'users', delta: 2 })
    await decideUsage(ctx, { org: child.id, product: 'users', delta: 5 })
    await decideUsage(ctx, { org: 'Nobody', product: 'users', delta: 1 })
    await recordUsage(ctx, { org: parent.id, product: 'users', delta: 1 })
    expect((await ledger(ctx)).map((row) => (row as { outcome: string }).outcome)).toEqual(['accepted', 'rejected', 'rejected', 'accepted'])
    expect(await verifyUsage(ctx)).toMatchObject({ ok: true, ledgerRows: 4, mismatches: [] })
    await ctx.db.run(`UPDATE usage_levels SET subtree = subtree + 1 WHERE org_id = ?`, parent.id)
    await ctx.db.run(`UPDATE pool_usage SET used = 7`)
    expect(await verifyUsage(ctx)).toMatchObject({
      ok: false,
      mismatches: [
        { counter: 'subtree', id: parent.id, product: 'users', stored: 4, expected: 3 },
        { counter: 'pool', id: ctx.workspace.id, product: 'users', stored: 7, expected: 3 },
      ],
    })
  })

  it('R-EV-1 usage decisions appear in the event log', async () => {
    const ctx = await pooled(1)
    const team = await org(ctx, 'Team')
    await recordUsage(ctx, { org: team.id, product: 'users', delta: 1 })
    await decideUsage(ctx, { org: team.id, product: 'users', delta: 1 })
    const { events } = await listEvents(ctx.db, ctx.workspace.id, { kinds: ['usage'] })
    expect(events.map((e) => [e.kind, e.refs.orgId, e.data.reason ?? null])).toEqual([
      ['usage.accepted', team.id, null],
      ['usage.rejected', team.id, 'CAPACITY_EXCEEDED'],
    ])
  })
})

describe('import', () => {
  const feed = (lines: string[]) => Readable.from(lines.map((line) => `${line}\n`))

  it('R-USE-6 applies NDJSON lines in order, each judged on its own; bad lines are counted with their numbers', async () => {
    const ctx = await pooled(3)
    const team = await org(ctx, 'Team')
    const results: unknown[] = []
    const summary = await importUsage(
      await ctx,
      feed([
        JSON.stringify({ org: team.id, product: 'users', delta: 2, key: 'a' }),
        '{ not json',
        JSON.stringify({ org: 'Team', product: 'users', delta: 2 }),
        '',
        JSON.stringify({ org: 'Team', product: 'users', delta: 1, key: 'b' }),
        JSON.stringify({ org: team.id, product: 'users', delta: 2, key: 'a' }),
        JSON.stringify({ org: 'Team', product: 'users', detla: 1 }),
        JSON.stringify({ org: 'Team', product: 'users', delta: 1, set: 2 }),
      ]),
      { batchSize: 2, onResult: (r) => results.push(r) },
    )
    expect(summary).toMatchObject({ lines: 7, accepted: 2, rejected: 1, replayed: 1, invalid: 3 })
    expect(summary.problems.map((p) => [p.line, p.reason])).toEqual([
      [2, 'INVALID_LINE'],
      [3, 'CAPACITY_EXCEEDED'],
      [7, 'INVALID_LINE'],
      [8, 'INVALID_LINE'],
    ])
    expect(summary.problems[2]?.message).toContain('"detla"')
    expect(results.map((r) => (r as { line: number }).line)).toEqual([1, 2, 3, 5, 6, 7, 8])
    expect(await (await verifyUsage(ctx)).ok).toBe(true)
  })
})

describe('keys in an import batch', () => {
  // R-USE-4 within one import transaction: claims are read for the whole batch at once and the
  // batch's own accepted keys are kept as it goes; the outcome must be what one report at a time gives.
  const sequence = (team: string): UsageReportInput[] => [
    { org: team, product: 'users', delta: 1, key: 'before' },
    { org: team, product: 'users', delta: 1, key: 'x' },
    { org: team, product: 'users', delta: 1, key: 'x' },
    { org: team, product: 'users', delta: 2, key: 'x' },
    { org: team, product: 'users', delta: 9, key: 'big' },
    { org: team, product: 'users', delta: 1, key: 'big' },
    { org: team, product: 'users', delta: 1, key: 'big' },
    { org: team, product: 'users', delta: 1, key: 'ключ' },
    { org: team, product: 'users', set: 4, key: 'ключ' },
    { org: team, product: 'users', delta: 1, key: 'ключ' },
    { org: team, product: 'locations', delta: 1, key: 'before' },
    { org: team, product: 'users', delta: -1, key: 'tab\tkey' },
    { org: team, product: 'users', delta: -1, key: 'tab\tkey' },
  ]
  const outcome = (d: { accepted: boolean; replayed: boolean; reason: string | null; level: number; headroom: number | null; key: string | null }) =>
    [d.key, d.accepted, d.replayed, d.reason, d.level, d.headroom]

  it('R-USE-4 replays and conflicts in one batch as one report at a time: claims before the batch, keys accepted earlier in it, keys only rejected', async () => {
    const decided: unknown[] = []
    {
      const ctx = await pooled(5)
      const team = await org(ctx, 'Team')
      await recordUsage(ctx, { org: team.id, product: 'users', delta: 1, key: 'before' })
      for (const input of sequence('Team')) decided.push(outcome(await decideUsage(ctx, input)))
    }
    const ctx = await pooled(5)
    const team = await org(ctx, 'Team')
    await recordUsage(ctx, { org: team.id, product: 'users', delta: 1, key: 'before' })
    const imported: unknown[] = []
    const lines = sequence('Team').map((input) => `${JSON.stringify(input)}\n`)
    const summary = await importUsage(ctx, Readable.from(lines), { onResult: (r) => imported.push(r.invalid ? r : outcome(r)) })
    expect(summary).toMatchObject({ lines: 13, accepted: 4, replayed: 5, rejected: 4 })
    expect(imported).toEqual(decided)
    expect(decided.map((d) => (d as unknown[]).slice(1, 4))).toEqual([
      [true, true, null],
      [true, false, null],
      [true, true, null],
      [false, false, 'IDEMPOTENCY_CONFLICT'],
      [false, false, 'CAPACITY_EXCEEDED'],
      [true, false, null],
      [true, true, null],
      [true, false, null],
      [false, false, 'IDEMPOTENCY_CONFLICT'],
      [true, true, null],
      [false, false, 'IDEMPOTENCY_CONFLICT'],
      [true, false, null],
      [true, true, null],
    ])
    expect(await (await verifyUsage(ctx)).ok).toBe(true)
  })
})

describe('a long-lived import stream', () => {
  it('R-WS-4 R-USE-6 sees a cancellation that falls due while it streams', async () => {
    const { PassThrough } = await import('node:stream')
    const { catchUp } = await import('../../src/core/lifecycle/run.js')
    const ctx = await workspace('pooled', { start: Date.parse('2026-01-01T00:00:00Z') })
    await account(ctx, 'A')
    const sub = await addSubscription(ctx, { account: 'A', items: { users: 10 } })
    await cancelSubscription(ctx, { ref: sub.id })
    const team = await org(ctx, 'Team')
    const stream = new PassThrough()
    const results: { line: number; accepted?: boolean; reason?: string | null }[] = []
    const done = importUsage(ctx, stream, {
      maxDelayMs: 5,
      onResult: (r) => results.push(r as never),
      beforeBatch: async (current) => (await catchUp(current)).steps > 0,
    })
    const line = (delta: number) => stream.write(`${JSON.stringify({ org: team.id, product: 'users', delta })}\n`)
    const settle = async (count: number) => {
      while (results.length < count) await new Promise((resolve) => setTimeout(resolve, 5))
    }
    line(5)
    await settle(1)
    // Time passes (another process moves the test clock) past the period end.
    const other = await secondConnection(ctx.db)
    await other.run('UPDATE workspaces SET clock_now = ? WHERE id = ?', Date.parse('2026-02-15T00:00:00Z'), ctx.workspace.id)
    other.close()
    line(1)
    await settle(2)
    stream.end()
    await done
    expect(results.map((r) => [r.line, r.accepted, r.reason])).toEqual([
      [1, true, null],
      [2, false, 'CAPACITY_EXCEEDED'],
    ])
  })
})

describe('org references in reports', () => {
  it('R-USE-1 a report finds its org by id, name in any case (beyond ASCII), or path; an ambiguous name or a wrong path changes nothing', async () => {
    const ctx = await pooled(100)
    const ecole = await org(ctx, 'École')
    const paris = await org(ctx, 'Paris', ecole.id)
    const team = await org(ctx, 'Team')
    await org(ctx, 'Paris', team.id)
    expect(await recordUsage(ctx, { org: 'ÉCOLE', product: 'users', delta: 1 })).toMatchObject({ orgId: ecole.id, level: 1 })
    expect(await recordUsage(ctx, { org: 'école/PARIS', product: 'users', delta: 2 })).toMatchObject({ orgId: paris.id, level: 2 })
    expect(await recordUsage(ctx, { org: ' team ', product: 'users', delta: 3 })).toMatchObject({ orgId: team.id, level: 3 })
    expect(await recordUsage(ctx, { org: paris.id, product: 'users', delta: 1 })).toMatchObject({ orgId: paris.id, level: 3 })
    await rejects(ctx, { org: 'Paris', product: 'users', delta: 1 }, 'AMBIGUOUS_REFERENCE')
    await rejects(ctx, { org: 'Paris/École', product: 'users', delta: 1 }, 'NOT_FOUND')
    const byOrg = new Map((await usageByOrg(ctx)).orgs.map((o) => [o.id, o.products.find((p) => p.product === 'users')?.used]))
    // Each org's own level: nothing rejected moved one.
    expect([byOrg.get(ecole.id), byOrg.get(paris.id), byOrg.get(team.id)]).toEqual([1, 3, 3])
    expect(await verifyUsage(ctx)).toMatchObject({ ok: true })
  })
})
