// The group commit in the core's metering (R-API-4): reports submitted
// together are decided as if sent one by one — the property, against the
// plain model of usage-property.test.ts extended with idempotency keys — and
// a batch is never decided with state of a connection that was replaced.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { contextFor } from '../../src/core/context.js'
import { setLimits } from '../../src/core/orgs/limits.js'
import type { Db } from '../../src/core/store/db.js'
import { openDb } from '../../src/core/store/open.js'
import { postgresDb } from '../../src/core/store/postgres/db.js'
import { addSubscription } from '../../src/core/subscriptions/add.js'
import type { UsageDecision, UsageReportInput } from '../../src/core/usage/decision.js'
import { GroupCommit } from '../../src/core/usage/group-commit.js'
import { decideUsage } from '../../src/core/usage/record.js'
import { verifyUsage } from '../../src/core/usage/verify.js'
import { resolveWorkspace } from '../../src/core/workspaces/resolve.js'
import { account, org, testEngine, workspace } from '../builders.js'
import { postgresDatabase } from '../helpers/postgres.js'
import { tempDbPath } from '../helpers/temp.js'

const scenario = fc.record({
  capacity: fc.integer({ min: 0, max: 20 }),
  parents: fc.array(fc.integer({ min: -1, max: 5 }), { minLength: 1, maxLength: 6 }),
  limits: fc.array(fc.option(fc.integer({ min: 0, max: 15 }), { nil: undefined }), { minLength: 6, maxLength: 6 }),
  reports: fc.array(
    fc.record({ org: fc.nat(), kind: fc.constantFrom('delta', 'set'), value: fc.integer({ min: -6, max: 8 }), key: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }) }),
    { minLength: 1, maxLength: 30 },
  ),
  // Where the reports are cut into submissions (one per request), and the most reports per transaction.
  cuts: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 30, maxLength: 30 }),
  maxBatch: fc.integer({ min: 1, max: 12 }),
})

/** What a decision decided, without ids and times. */
const decided = (d: UsageDecision) => ({ accepted: d.accepted, replayed: d.replayed, reason: d.reason, delta: d.delta, level: d.level, headroom: d.headroom, binding: d.binding?.kind ?? null })

describe('group commit', () => {
  it('R-API-4 R-USE-1..4 reports submitted together are decided as one by one, and as the model says', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ capacity, parents, limits, reports, cuts, maxBatch }) => {
        const batched = await workspace('pooled', { name: 'batched' })
        const single = await workspace('pooled', { name: 'single', db: batched.db })
        const ids: string[][] = [[], []]
        const parentOf: number[] = []
        for (const [w, ctx] of [batched, single].entries()) {
          await account(ctx, 'A')
          if (capacity > 0) await addSubscription(ctx, { account: 'A', items: { users: capacity } })
          for (const [i, p] of parents.entries()) {
            const parent = p >= 0 && p < i ? p : -1
            if (w === 0) parentOf.push(parent)
            ids[w]?.push((await org(ctx, `o${i}`, parent >= 0 ? ids[w]?.[parent] : undefined)).id)
            if (limits[i] !== undefined) await setLimits(ctx, { ref: `o${i}`, limits: { users: limits[i] as number } })
          }
        }
        const input = (r: (typeof reports)[number]): UsageReportInput => ({
          org: `o${r.org % parents.length}`,
          product: 'users',
          [r.kind]: r.kind === 'set' ? Math.abs(r.value) : r.value,
          ...(r.key === undefined ? {} : { key: `k${r.key}` }),
        })
        // Submitted all at once, cut into requests; the queue writes them in batches of at most maxBatch reports.
        const group = new GroupCommit(async () => batched.db, { maxBatch })
        const submissions: Promise<UsageDecision[]>[] = []
        for (let at = 0, c = 0; at < reports.length; c++) {
          const size = cuts[c % cuts.length] as number
          submissions.push(group.submit(batched.workspace.id, reports.slice(at, at + size).map(input)))
          at += size
        }
        const fromBatches = (await Promise.all(submissions)).flat()
        await group.close()
        const oneByOne: UsageDecision[] = []
        for (const r of reports) oneByOne.push(await decideUsage(contextFor(single.db, await resolveWorkspace(single.db, single.workspace.id)), input(r)))
        expect(fromBatches.map(decided)).toEqual(oneByOne.map(decided))

        // The model: levels, bounds, and keys (an accepted key replays its payload, conflicts with another).
        const level = parents.map(() => 0)
        const chain = (i: number) => {
          const out: number[] = []
          for (let j = i; j >= 0; j = parentOf[j] ?? -1) out.push(j)
          return out
        }
        const subtree = (i: number) => level.reduce((sum, l, j) => (chain(j).includes(i) ? sum + l : sum), 0)
        const claimed = new Map<string, { payload: string; level: number }>()
        reports.forEach((r, n) => {
          const i = r.org % parents.length
          const report = input(r)
          const payload = JSON.stringify([i, r.kind, report.set ?? report.delta])
          const decision = fromBatches[n] as UsageDecision
          const claim = report.key === undefined ? undefined : claimed.get(report.key)
          if (claim) {
            expect(decision.accepted).toBe(claim.payload === payload)
            expect(decision.replayed).toBe(claim.payload === payload)
            if (claim.payload === payload) expect(decision.level).toBe(claim.level)
            else expect(decision.reason).toBe('IDEMPOTENCY_CONFLICT')
            return
          }
          const value = (report.set ?? report.delta) as number
          const delta = r.kind === 'set' ? value - (level[i] as number) : value
          let room = capacity - level.reduce((a, b) => a + b, 0)
          for (const j of chain(i)) if (limits[j] !== undefined) room = Math.min(room, (limits[j] as number) - subtree(j))
          const accepted = (level[i] as number) + delta >= 0 && (delta <= 0 || delta <= room)
          expect(decision.accepted).toBe(accepted)
          if (accepted) level[i] = (level[i] as number) + delta
          expect(decision.level).toBe(level[i])
          if (accepted && report.key !== undefined) claimed.set(report.key, { payload, level: level[i] as number })
        })
        expect((await verifyUsage(batched)).ok).toBe(true)
      }),
      { numRuns: testEngine === 'postgres' ? 15 : 40 },
    )
  })

  it('R-API-4 reports of several workspaces arriving together share one transaction, each decided in its own workspace and order', async () => {
    const a = await workspace('pooled', { name: 'A' })
    const b = await workspace('pooled', { name: 'B', db: a.db })
    for (const [ctx, capacity] of [[a, 2], [b, 5]] as const) {
      await account(ctx, 'Payer')
      await addSubscription(ctx, { account: 'Payer', items: { users: capacity } })
      await org(ctx, 'Top')
    }
    const batches: number[] = []
    const group = new GroupCommit(async () => a.db, { onBatch: ({ reports, committed }) => committed && batches.push(reports) })
    const plus = { org: 'Top', product: 'users', delta: 1 }
    const [first, other, second] = await Promise.all([
      group.submit(a.workspace.id, [plus, plus, plus]),
      group.submit(b.workspace.id, [plus, plus, plus]),
      group.submit(a.workspace.id, [{ org: 'Top', product: 'users', delta: -1 }, plus]),
    ])
    await group.close()
    expect(batches).toEqual([8])
    expect(first?.map((d) => [d.accepted, d.level])).toEqual([[true, 1], [true, 2], [false, 2]])
    expect(other?.map((d) => [d.accepted, d.level])).toEqual([[true, 1], [true, 2], [true, 3]])
    expect(second?.map((d) => [d.accepted, d.level])).toEqual([[true, 1], [true, 2]])
    expect(new Set([...(first ?? []), ...(second ?? [])].map((d) => d.orgId)).size).toBe(1)
    expect(other?.[0]?.orgId).not.toBe(first?.[0]?.orgId)
    expect((await verifyUsage(a)).ok).toBe(true)
    expect((await verifyUsage(b)).ok).toBe(true)
  })

  it('R-API-4 a batch after the writer connection was replaced is decided on the new connection alone', async () => {
    const target = testEngine === 'postgres' ? await postgresDatabase() : tempDbPath()
    const open = (): Db => (testEngine === 'postgres' ? postgresDb(target, 'postgres://test') : openDb(target))
    const first = open()
    const ctx = await workspace('pooled', { db: first })
    await account(ctx, 'A')
    await addSubscription(ctx, { account: 'A', items: { users: 10 } })
    await org(ctx, 'Top')
    let writer = first
    const group = new GroupCommit(async () => writer)
    expect((await group.submit(ctx.workspace.id, [{ org: 'Top', product: 'users', delta: 2 }]))[0]).toMatchObject({ accepted: true, level: 2 })
    // The connection is replaced (as after a lost PostgreSQL connection); the old one is closed.
    writer = open()
    first.close()
    expect((await group.submit(ctx.workspace.id, [{ org: 'Top', product: 'users', delta: 3 }]))[0]).toMatchObject({ accepted: true, level: 5 })
    expect((await group.submit(ctx.workspace.id, [{ org: 'Top', product: 'users', delta: 6 }]))[0]).toMatchObject({ accepted: false, reason: 'CAPACITY_EXCEEDED', level: 5 })
    await group.close()
    expect(await verifyUsage(contextFor(writer, await resolveWorkspace(writer, ctx.workspace.id)))).toMatchObject({ ok: true })
    writer.close()
  })
})
