import { describe, expect, it } from 'vitest'
import { updateAccount } from '../../src/core/accounts/update.js'
import { listPrices, setPrice } from '../../src/core/catalog/prices.js'
import { pendingLines } from '../../src/core/store/schema/index.js'
import { addSubscription } from '../../src/core/subscriptions/add.js'
import { cancelSubscription, resumeSubscription } from '../../src/core/subscriptions/cancel.js'
import { listSubscriptions, showSubscription } from '../../src/core/subscriptions/list.js'
import { updateSubscription } from '../../src/core/subscriptions/update.js'
import { account, org, use, workspace } from '../builders.js'

const iso = (ms: number) => new Date(ms).toISOString()

describe('subscriptions', () => {
  it('R-SUB-1 subscribes an account to quantities of products on an interval, in its currency', async () => {
    const ctx = await workspace('single')
    await account(ctx, 'Acme', { currency: 'EUR' })
    const sub = await addSubscription(ctx, { account: 'Acme', items: { users: 100, locations: 50 }, interval: 'year', trial: false })
    expect(sub).toMatchObject({ status: 'active', interval: 'year', currency: 'EUR', trialEnd: null, scheduledChanges: [] })
    expect(sub.items.map((i) => [i.product, i.quantity, i.periodAmount.amount])).toEqual([
      ['locations', 50, 50 * 23_000],
      ['users', 100, 100 * 9_000],
    ])
    expect(sub.currentPeriodStart).toBe(iso(ctx.now))
    expect(sub.currentPeriodEnd).toBe('2027-01-15T00:00:00.000Z')
  })

  it('R-SUB-1 refuses a currency in which a product has no price (NO_PRICE), creating nothing', async () => {
    const ctx = await workspace('pooled')
    await account(ctx, 'Swiss', { currency: 'CHF' })
    await expect(async () => await addSubscription(ctx, { account: 'Swiss', items: { users: 5 } })).rejects.toThrowError(
      expect.objectContaining({ code: 'NO_PRICE', exitCode: 4, details: { product: 'users', currency: 'CHF', interval: 'month' } }),
    )
    expect(await (await listSubscriptions(ctx)).subscriptions).toEqual([])
    await setPrice(ctx, { product: 'users', currency: 'CHF', interval: 'month', scheme: 'per_unit', unitAmount: 950 })
    expect(await (await addSubscription(ctx,{ account: 'Swiss',items: { users: 5 } })).items[0]?.unitAmount).toEqual({ amount: 950, currency: 'CHF' })
  })

  it('R-PR-1 a new price replaces the active one; existing items keep the price they were sold at', async () => {
    const ctx = await workspace('single')
    await account(ctx, 'Acme')
    const before = await addSubscription(ctx, { account: 'Acme', items: { users: 2 }, trial: false })
    const newer = await setPrice(ctx, { product: 'users', currency: 'USD', interval: 'month', scheme: 'per_unit', unitAmount: 1_200 })
    expect(await (await listPrices(ctx,{ product: 'users',currency: 'USD' })).prices.filter((p) => p.interval === 'month').map((p) => p.id)).toEqual([newer.id])
    expect((await showSubscription(ctx, before.id)).items[0]?.unitAmount?.amount).toBe(1_000)
  })

  it('R-BA-5 refuses a 4th active subscription with SUBSCRIPTION_LIMIT, pointing to a further account in pooled mode', async () => {
    const ctx = await workspace('pooled')
    await account(ctx, 'Franchisee A')
    for (let i = 0; i < 3; i++) await addSubscription(ctx, { account: 'Franchisee A', items: { users: 1 }, trial: false })
    await expect(async () => await addSubscription(ctx, { account: 'Franchisee A', items: { users: 1 } })).rejects.toThrowError(
      expect.objectContaining({ code: 'SUBSCRIPTION_LIMIT', exitCode: 4, message: expect.stringContaining('further billing account') }),
    )
    const [first] = await (await listSubscriptions(ctx)).subscriptions
    await cancelSubscription(ctx, { ref: first?.id ?? '', now: true })
    expect(await (await addSubscription(ctx,{ account: 'Franchisee A',items: { users: 1 } })).status).toBe('active')
  })

  it('R-BA-1 the currency is fixed once the account has a subscription', async () => {
    const ctx = await workspace('single')
    await account(ctx, 'Acme')
    expect(await (await updateAccount(ctx,{ ref: 'Acme',currency: 'EUR' })).currency).toBe('EUR')
    await addSubscription(ctx, { account: 'Acme', items: { users: 1 } })
    await expect(async () => await updateAccount(ctx, { ref: 'Acme', currency: 'USD' })).rejects.toThrowError(expect.objectContaining({ code: 'CURRENCY_LOCKED', exitCode: 4 }))
  })
})

describe('trial', () => {
  it('R-TR-1 the first subscription of a qualifying workspace trials for 14 days of workspace time', async () => {
    const ctx = await workspace('single', { start: Date.parse('2026-02-20T12:00:00Z') })
    await account(ctx, 'Acme')
    const sub = await addSubscription(ctx, { account: 'Acme', items: { users: 10 } })
    expect(sub).toMatchObject({ status: 'trialing', trialStart: '2026-02-20T12:00:00.000Z', trialEnd: '2026-03-06T12:00:00.000Z' })
    expect(sub.currentPeriodEnd).toBe(sub.trialEnd)
  })

  it('R-TR-1 --no-trial starts active at once', async () => {
    const ctx = await workspace('single')
    await account(ctx, 'Acme')
    expect(await (await addSubscription(ctx,{ account: 'Acme',items: { users: 10 },trial: false })).status).toBe('active')
  })

  it('R-TR-2 refuses --trial with two billing accounts, naming the condition', async () => {
    const ctx = await workspace('pooled')
    await account(ctx, 'A')
    await account(ctx, 'B')
    await expect(async () => await addSubscription(ctx, { account: 'A', items: { users: 1 }, trial: true })).rejects.toThrowError(
      expect.objectContaining({ code: 'TRIAL_INELIGIBLE', details: { condition: 'not_exactly_one_account' } }),
    )
    expect(await (await addSubscription(ctx,{ account: 'A',items: { users: 1 } })).status).toBe('active')
  })

  it('R-TR-2 refuses --trial when the account already had a subscription', async () => {
    const ctx = await workspace('single')
    await account(ctx, 'Acme')
    const first = await addSubscription(ctx, { account: 'Acme', items: { users: 1 }, trial: false })
    await cancelSubscription(ctx, { ref: first.id, now: true })
    await expect(async () => await addSubscription(ctx, { account: 'Acme', items: { users: 1 }, trial: true })).rejects.toThrowError(
      expect.objectContaining({ code: 'TRIAL_INELIGIBLE', details: { condition: 'account_had_subscription' } }),
    )
  })

  it('R-TR-2 refuses a second trial in the same workspace after a prior trial', async () => {
    const ctx = await workspace('single')
    await account(ctx, 'Acme')
    const trial = await addSubscription(ctx, { account: 'Acme', items: { users: 1 } })
    expect(trial.status).toBe('trialing')
    await cancelSubscription(ctx, { ref: trial.id, now: true })
    await expect(async () => await addSubscription(ctx, { account: 'Acme', items: { users: 1 }, trial: true })).rejects.toThrowError(
      expect.objectContaining({ code: 'TRIAL_INELIGIBLE', details: { condition: 'trial_already_used' } }),
    )
    expect(await (await addSubscription(ctx,{ account: 'Acme',items: { users: 1 } })).status).toBe('active')
  })
})

describe('changes', () => {
  it('R-SUB-4 an increase takes effect now and records one prorated line per change', async () => {
    const ctx = await workspace('single', { start: Date.parse('2026-01-01T00:00:00Z') })
    await account(ctx, 'Acme')
    const sub = await addSubscription(ctx, { account: 'Acme', items: { users: 10 }, trial: false })
    const later = { ...ctx, now: Date.parse('2026-01-16T00:00:00Z') }
    expect(await (await updateSubscription(later, { ref: sub.id, items: { users: 15 } })).items[0]?.quantity).toBe(15)
    await updateSubscription({ ...ctx, now: Date.parse('2026-01-25T00:00:00Z') }, { ref: sub.id, items: { users: 16, sso_connections: 2 } })
    const lines = (await ctx.db.orm.select().from(pendingLines))
    // +5 × 10.00 × 16/31 = 25.81; +1 × 10.00 × 7/31 = 2.258 → 2.26; SSO 0 → 2 = 175.00 × 7/31 = 39.516 → 39.52
    expect(lines.map((l) => [l.product, l.fromQuantity, l.toQuantity, l.amount])).toEqual([
      ['users', 10, 15, 2_581],
      ['users', 15, 16, 226],
      ['sso_connections', 0, 2, 3_952],
    ])
  })

  it('R-SUB-4 during a trial changes apply at once and nothing is prorated', async () => {
    const ctx = await workspace('single')
    await account(ctx, 'Acme')
    const sub = await addSubscription(ctx, { account: 'Acme', items: { users: 10 } })
    const changed = await updateSubscription(ctx, { ref: sub.id, items: { users: 4, locations: 2 }, interval: 'year' })
    expect(changed).toMatchObject({ status: 'trialing', interval: 'year', scheduledChanges: [] })
    expect(changed.items.map((i) => [i.product, i.quantity])).toEqual([['locations', 2], ['users', 4]])
    expect((await ctx.db.orm.select().from(pendingLines))).toEqual([])
  })

  it('R-SUB-5 decreases, removals and interval changes wait for the next period start', async () => {
    const ctx = await workspace('single')
    await account(ctx, 'Acme')
    const sub = await addSubscription(ctx, { account: 'Acme', items: { users: 10, locations: 5 }, trial: false })
    const changed = await updateSubscription(ctx, { ref: sub.id, items: { users: 8, locations: 0 }, interval: 'year' })
    expect(changed.items.map((i) => [i.product, i.quantity])).toEqual([['locations', 5], ['users', 10]])
    expect(changed.scheduledChanges).toEqual([
      { kind: 'quantity', product: 'users', from: 10, to: 8, effectiveAt: sub.currentPeriodEnd },
      { kind: 'quantity', product: 'locations', from: 5, to: 0, effectiveAt: sub.currentPeriodEnd },
      { kind: 'interval', from: 'month', to: 'year', effectiveAt: sub.currentPeriodEnd },
    ])
    // The latest instruction wins: back up to 10 drops the pending decrease.
    expect(await (await updateSubscription(ctx, { ref: sub.id, items: { users: 10 } })).scheduledChanges.map((c) => c.kind)).toEqual(['quantity', 'interval'])
  })

  it('R-SUB-5 refuses a decrease below the pool usage with BELOW_USAGE naming product, usage and capacity', async () => {
    const ctx = await workspace('single')
    await account(ctx, 'Acme')
    const team = await org(ctx, 'Team')
    const sub = await addSubscription(ctx, { account: 'Acme', items: { users: 10 }, trial: false })
    await use(ctx, team.id, 'users', 7)
    await expect(async () => await updateSubscription(ctx, { ref: sub.id, items: { users: 6 } })).rejects.toThrowError(
      expect.objectContaining({ code: 'BELOW_USAGE', exitCode: 4, details: expect.objectContaining({ product: 'users', usage: 7, capacity: 6 }) }),
    )
    expect(await (await updateSubscription(ctx, { ref: sub.id, items: { users: 7 } })).scheduledChanges).toHaveLength(1)
  })

  it('R-SUB-5 counts decreases already scheduled by other subscriptions of the pool', async () => {
    const ctx = await workspace('pooled')
    await account(ctx, 'A')
    await account(ctx, 'B')
    const team = await org(ctx, 'Team')
    const a = await addSubscription(ctx, { account: 'A', items: { users: 10 } })
    const b = await addSubscription(ctx, { account: 'B', items: { users: 10 } })
    await use(ctx, team.id, 'users', 12)
    await updateSubscription(ctx, { ref: a.id, items: { users: 4 } }) // 20 → 14 ≥ 12
    await expect(async () => await updateSubscription(ctx, { ref: b.id, items: { users: 7 } })).rejects.toThrowError(
      expect.objectContaining({ code: 'BELOW_USAGE', details: expect.objectContaining({ usage: 12, capacity: 11 }) }),
    )
  })

  it('refuses to leave a subscription with no product (EMPTY_SUBSCRIPTION)', async () => {
    const ctx = await workspace('single')
    await account(ctx, 'Acme')
    const sub = await addSubscription(ctx, { account: 'Acme', items: { users: 10 }, trial: false })
    await expect(async () => await updateSubscription(ctx, { ref: sub.id, items: { users: 0 } })).rejects.toThrowError(expect.objectContaining({ code: 'EMPTY_SUBSCRIPTION' }))
  })
})

describe('cancel', () => {
  it('R-SUB-6 cancels at period end by default: capacity lasts, a cancel is scheduled; resume withdraws it', async () => {
    const ctx = await workspace('single')
    await account(ctx, 'Acme')
    const sub = await addSubscription(ctx, { account: 'Acme', items: { users: 10 }, trial: false })
    const canceled = await cancelSubscription(ctx, { ref: sub.id })
    expect(canceled).toMatchObject({ status: 'active', cancelAtPeriodEnd: true })
    expect(canceled.scheduledChanges).toEqual([{ kind: 'cancel', effectiveAt: sub.currentPeriodEnd }])
    expect(await (await resumeSubscription(ctx, sub.id)).cancelAtPeriodEnd).toBe(false)
  })

  it('R-SUB-6 --now ends capacity at once, refused with BELOW_USAGE when usage would exceed it, unless forced', async () => {
    const ctx = await workspace('pooled')
    await account(ctx, 'A')
    await account(ctx, 'B')
    const team = await org(ctx, 'Team')
    const a = await addSubscription(ctx, { account: 'A', items: { users: 10 } })
    await addSubscription(ctx, { account: 'B', items: { users: 5 } })
    await use(ctx, team.id, 'users', 8)
    await expect(async () => await cancelSubscription(ctx, { ref: a.id, now: true })).rejects.toThrowError(
      expect.objectContaining({ code: 'BELOW_USAGE', details: expect.objectContaining({ product: 'users', usage: 8, capacity: 5 }) }),
    )
    expect((await showSubscription(ctx, a.id)).status).toBe('active')
    expect(await cancelSubscription(ctx, { ref: a.id, now: true, force: true })).toMatchObject({ status: 'canceled', cancelReason: 'canceled_now' })
  })
})
