import { describe, expect, it } from 'vitest'
import { poolReport } from '../../src/core/pools/report.js'
import { addSubscription } from '../../src/core/subscriptions/add.js'
import { cancelSubscription } from '../../src/core/subscriptions/cancel.js'
import { account, org, use, workspace } from '../builders.js'

describe('pools', () => {
  it('R-POOL-1 pooled mode: capacity is the sum across accounts, per product (80+70+50 users, 40+35+25 locations)', async () => {
    const ctx = await workspace('pooled')
    const contributions = { 'Franchisee A': [80, 40], 'Franchisee B': [70, 35], 'Franchisee C': [50, 25] } as const
    const ids: string[] = []
    for (const [name, [users, locations]] of Object.entries(contributions)) {
      ids.push((await account(ctx, name)).id)
      await addSubscription(ctx, { account: name, items: { users, locations } })
    }
    const { pools } = await poolReport(ctx)
    expect(pools).toHaveLength(1)
    expect(pools[0]).toMatchObject({ id: ctx.workspace.id, kind: 'workspace', accountIds: ids })
    expect(pools[0]?.products.map((p) => [p.product, p.capacity, p.used, p.available])).toEqual([
      ['locations', 100, 0, 100],
      ['users', 200, 0, 200],
    ])
    expect(pools[0]?.products[1]?.contributions).toEqual([
      { accountId: ids[0], accountName: 'Franchisee A', quantity: 80 },
      { accountId: ids[1], accountName: 'Franchisee B', quantity: 70 },
      { accountId: ids[2], accountName: 'Franchisee C', quantity: 50 },
    ])
  })

  it('R-POOL-1 several subscriptions of one account add up, and products never mix', async () => {
    const ctx = await workspace('single')
    await account(ctx, 'Acme')
    await addSubscription(ctx, { account: 'Acme', items: { users: 60, locations: 30 } })
    await addSubscription(ctx, { account: 'Acme', items: { users: 40 } })
    const [pool] = await (await poolReport(ctx)).pools
    expect(pool?.products.map((p) => [p.product, p.capacity])).toEqual([
      ['locations', 30],
      ['users', 100],
    ])
  })

  it('R-POOL-2 assigned mode: each account is its own pool and silos never see each other', async () => {
    const ctx = await workspace('assigned')
    const usa = await org(ctx, 'USA')
    const de = await org(ctx, 'Germany')
    const usd = await account(ctx, 'USA', { org: usa.id })
    const eur = await account(ctx, 'Germany', { org: de.id, currency: 'EUR' })
    await addSubscription(ctx, { account: 'USA', items: { users: 100 } })
    await addSubscription(ctx, { account: 'Germany', items: { users: 30 } })
    await use(ctx, (await org(ctx,'Sales',usa.id)).id, 'users', 25)
    const { pools } = await poolReport(ctx)
    expect(pools.map((p) => [p.id, p.organizationId, p.products.map((x) => [x.product, x.capacity, x.used, x.available])])).toEqual([
      [usd.id, usa.id, [['users', 100, 25, 75]]],
      [eur.id, de.id, [['users', 30, 0, 30]]],
    ])
  })

  it('R-POOL-3 usage is the sum over the orgs served; over capacity after a forced cancel shows as such, never negative', async () => {
    const ctx = await workspace('pooled')
    await account(ctx, 'A')
    await account(ctx, 'B')
    const a = await addSubscription(ctx, { account: 'A', items: { users: 10 } })
    await addSubscription(ctx, { account: 'B', items: { users: 5 } })
    const downtown = await org(ctx, 'Downtown')
    await use(ctx, downtown.id, 'users', 4)
    await use(ctx, (await org(ctx,'Kitchen',downtown.id)).id, 'users', 3)
    await use(ctx, (await org(ctx,'Airport')).id, 'users', 2)
    expect(await (await poolReport(ctx)).pools[0]?.products[0]).toMatchObject({ capacity: 15, used: 9, available: 6, overCapacity: false, utilization: 60 })
    await cancelSubscription(ctx, { ref: a.id, now: true, force: true })
    expect(await (await poolReport(ctx)).pools[0]?.products[0]).toMatchObject({ capacity: 5, used: 9, available: 0, overCapacity: true })
  })

  it('R-SUB-2 canceled subscriptions stop contributing', async () => {
    const ctx = await workspace('single')
    await account(ctx, 'Acme')
    const sub = await addSubscription(ctx, { account: 'Acme', items: { users: 10 } })
    await cancelSubscription(ctx, { ref: sub.id })
    expect(await (await poolReport(ctx)).pools[0]?.products[0]?.capacity).toBe(10) // until the period end
    await cancelSubscription(ctx, { ref: sub.id, now: true })
    expect(await (await poolReport(ctx)).pools[0]?.products).toEqual([])
  })
})
