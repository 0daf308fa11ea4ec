// Property: for any tree, limits, capacity and sequence of reports, the meter
// agrees with a plain model of R-ORG-3 / R-USE-1..2, never lets a pool or a
// limit go over its bound, and `usage verify` always holds.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { propertyOptions } from '../helpers/property.js'
import { setLimits } from '../../src/core/orgs/limits.js'
import { addSubscription } from '../../src/core/subscriptions/add.js'
import { decideUsage } from '../../src/core/usage/record.js'
import { verifyUsage } from '../../src/core/usage/verify.js'
import { account, org, workspace } from '../builders.js'

const scenario = fc.record({
  capacity: fc.integer({ min: 0, max: 20 }),
  // parents[i] is the index of org i's parent among orgs 0..i-1, or -1 for top-level
  parents: fc.array(fc.integer({ min: -1, max: 6 }), { minLength: 1, maxLength: 7 }),
  limits: fc.array(fc.option(fc.integer({ min: 0, max: 15 }), { nil: undefined }), { minLength: 7, maxLength: 7 }),
  reports: fc.array(
    fc.record({ org: fc.nat(), kind: fc.constantFrom('delta', 'set'), value: fc.integer({ min: -6, max: 8 }) }),
    { maxLength: 40 },
  ),
})

describe('metering properties', () => {
  it('R-ORG-3 R-USE-1 R-USE-2 R-USE-5 the meter matches the model and never exceeds a bound', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ capacity, parents, limits, reports }) => {
        const ctx = await workspace('pooled')
        await account(ctx, 'A')
        if (capacity > 0) await addSubscription(ctx, { account: 'A', items: { users: capacity } })
        const ids: string[] = []
        const parentOf: number[] = []
        for (const [i, p] of parents.entries()) {
          const parent = p >= 0 && p < i ? p : -1
          parentOf.push(parent)
          ids.push(await (await org(ctx,`o${i}`,parent>=0? ids[parent]:undefined)).id)
        }
        for (const [i, id] of ids.entries()) {
          const limit = limits[i]
          if (limit !== undefined) await setLimits(ctx, { ref: id, limits: { users: limit } })
        }
        const level = ids.map(() => 0)
        const chain = (i: number) => {
          const out: number[] = []
          for (let j = i; j >= 0; j = parentOf[j] ?? -1) out.push(j)
          return out
        }
        const subtree = (i: number) => ids.reduce((sum, _, j) => (chain(j).includes(i) ? sum + (level[j] ?? 0) : sum), 0)
        for (const report of reports) {
          const i = report.org % ids.length
          const value = report.kind === 'set' ? Math.abs(report.value) : report.value
          const delta = report.kind === 'set' ? value - (level[i] ?? 0) : value
          const used = level.reduce((a, b) => a + b, 0)
          let room = capacity - used
          for (const j of chain(i)) if (limits[j] !== undefined) room = Math.min(room, (limits[j] as number) - subtree(j))
          const expected = (level[i] ?? 0) + delta >= 0 && (delta <= 0 || delta <= room)
          const decision = await decideUsage(ctx, { org: ids[i] as string, product: 'users', [report.kind]: value })
          expect(decision.accepted).toBe(expected)
          if (expected) level[i] = (level[i] ?? 0) + delta
          expect(decision.level).toBe(level[i])
          // Bounds hold after every report.
          expect(level.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(Math.max(capacity, 0))
          ids.forEach((_, j) => {
            if (limits[j] !== undefined) expect(subtree(j)).toBeLessThanOrEqual(limits[j] as number)
          })
        }
        expect(await (await verifyUsage(ctx)).ok).toBe(true)
        ctx.db.close()
      }),
      // 30 scenarios on PostgreSQL against 60 on SQLite: each costs ~3x there (a database cloned
      // per scenario, a round trip per statement); the meter's rules are the engine-neutral core.
      propertyOptions({ sqlite: 60, postgres: 30 }),
    )
  })
})
