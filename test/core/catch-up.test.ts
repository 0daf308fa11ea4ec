// R-WS-4: state is never stale. Steps that fell due on the real clock run, in
// time order and at their own time, before a command works; nothing due costs
// one lookup; `billing run` does the same for every real-clock workspace.
import { describe, expect, it } from 'vitest'
import { contextFor } from '../../src/core/context.js'
import { listInvoices } from '../../src/core/invoices/list.js'
import { runBilling } from '../../src/core/lifecycle/clock.js'
import { catchUp } from '../../src/core/lifecycle/run.js'
import { addSubscription } from '../../src/core/subscriptions/add.js'
import { createWorkspace } from '../../src/core/workspaces/create.js'
import { resolveWorkspace } from '../../src/core/workspaces/resolve.js'
import { account, card, newDb, testEngine } from '../builders.js'

const DAY = 86_400_000

async function realClockWorkspace(name: string, db = newDb()) {
  await createWorkspace(db, { name, mode: 'single', now: Date.now() - 100 * DAY })
  return contextFor(db, await resolveWorkspace(db, name))
}

describe('catch-up on the real clock', () => {
  it('R-WS-4 renewals that fell due run in order, at their own time, once', async () => {
    const ctx = await realClockWorkspace('Real')
    await account(ctx, 'Acme')
    await card(ctx, 'Acme')
    // A subscription that started 70 days ago: two renewals are overdue.
    const sub = await addSubscription(await { ...ctx,now: Date.now()-70*DAY }, { account: 'Acme', items: { users: 1 }, trial: false })
    const first = await catchUp(contextFor(ctx.db, await resolveWorkspace(ctx.db, 'Real')))
    const issued = await (await listInvoices(first.ctx)).invoices
    // Two renewals and three collections (the first invoice's included), each paid by the card.
    expect(first.steps).toBe(5)
    expect(issued.map((i) => i.status)).toEqual(['paid', 'paid', 'paid'])
    expect(issued.map((i) => i.number)).toEqual([1, 2, 3])
    expect(issued[1]?.issuedAt).toBe(sub.currentPeriodEnd)
    expect(Date.parse(issued[2]?.issuedAt ?? '')).toBeLessThan(Date.now())
    const again = await catchUp(first.ctx)
    expect(again.steps).toBe(0)
    expect(await (await listInvoices(again.ctx)).invoices).toHaveLength(3)
  })

  it('R-WS-4 nothing due runs nothing', async () => {
    const ctx = await realClockWorkspace('Quiet')
    expect((await catchUp(ctx)).steps).toBe(0)
  })

  // SQLite's planner, read through EXPLAIN QUERY PLAN: SQLite by nature (PostgreSQL's plan for a
  // table this small is a sequential scan whatever the indexes).
  it.skipIf(testEngine === 'postgres')('R-WS-4 nothing due costs one indexed lookup of the queue', async () => {
    const ctx = await realClockWorkspace('Quiet')
    const plan = ctx.db.sqlite.prepare('EXPLAIN QUERY PLAN SELECT min(due_at) AS due FROM due_steps WHERE workspace_id = ?').all('x') as { detail: string }[]
    expect(plan.map((row) => row.detail).join(' ')).toMatch(/USING (COVERING )?INDEX due_steps_workspace_due/)
  })

  it('R-WS-4 billing run catches up every real-clock workspace with something due, and only those', async () => {
    const db = newDb()
    const due = await realClockWorkspace('Due', db)
    await account(due, 'A')
    await card(due, 'A')
    await addSubscription(await { ...due,now: Date.now()-40*DAY }, { account: 'A', items: { users: 1 }, trial: false })
    const idle = await realClockWorkspace('Idle', db)
    await account(idle, 'B')
    await card(idle, 'B')
    await addSubscription(idle, { account: 'B', items: { users: 1 }, trial: false })
    await catchUp(contextFor(db, await resolveWorkspace(db, 'Idle'))) // its first invoice is collected at once
    const result = await runBilling(db)
    // Due: its first invoice's collection, one renewal, that renewal's collection.
    expect(result.workspaces.map((w) => [w.name, w.steps])).toEqual([['Due', 3]])
    expect((await runBilling(db)).workspaces).toEqual([])
  })
})
