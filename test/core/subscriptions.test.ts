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
  it('R-SUB-1 subscribes an account to quantities of products on an interval, in its currency', () => {
    const ctx = workspace('single')
    account(ctx, 'Acme', { currency: 'EUR' })
    const sub = addSubscription(ctx, { account: 'Acme', items: { users: 100, locations: 50 }, interval: 'year', trial: false })
    expect(sub).toMatchObject({ status: 'active', interval: 'year', currency: 'EUR', trialEnd: null, scheduledChanges: [] })
    expect(sub.items.map((i) => [i.product, i.quantity, i.periodAmount.amount])).toEqual([
      ['locations', 50, 50 * 23_000],
      ['users', 100, 100 * 9_000],
    ])
    expect(sub.currentPeriodStart).toBe(iso(ctx.now))
    expect(sub.currentPeriodEnd).toBe('2027-01-15T00:00:00.000Z')
  })

  it('R-SUB-1 refuses a currency in which a product has no price (NO_PRICE), creating nothing', () => {
    const ctx = workspace('pooled')
    account(ctx, 'Swiss', { currency: 'CHF' })
    expect(() => addSubscription(ctx, { account: 'Swiss', items: { users: 5 } })).toThrowError(
      expect.objectContaining({ code: 'NO_PRICE', exitCode: 4, details: { product: 'users', currency: 'CHF', interval: 'month' } }),
    )
    expect(listSubscriptions(ctx).subscriptions).toEqual([])
    setPrice(ctx, { product: 'users', currency: 'CHF', interval: 'month', scheme: 'per_unit', unitAmount: 950 })
    expect(addSubscription(ctx, { account: 'Swiss', items: { users: 5 } }).items[0]?.unitAmount).toEqual({ amount: 950, currency: 'CHF' })
  })

  it('R-PR-1 a new price replaces the active one; existing items keep the price they were sold at', () => {
    const ctx = workspace('single')
    account(ctx, 'Acme')
    const before = addSubscription(ctx, { account: 'Acme', items: { users: 2 }, trial: false })
    const newer = setPrice(ctx, { product: 'users', currency: 'USD', interval: 'month', scheme: 'per_unit', unitAmount: 1_200 })
    expect(listPrices(ctx, { product: 'users', currency: 'USD' }).prices.filter((p) => p.interval === 'month').map((p) => p.id)).toEqual([newer.id])
    expect(showSubscription(ctx, before.id).items[0]?.unitAmount?.amount).toBe(1_000)
  })

  it('R-BA-5 refuses a 4th active subscription with SUBSCRIPTION_LIMIT, pointing to a further account in pooled mode', () => {
    const ctx = workspace('pooled')
    account(ctx, 'Franchisee A')
    for (let i = 0; i < 3; i++) addSubscription(ctx, { account: 'Franchisee A', items: { users: 1 }, trial: false })
    expect(() => addSubscription(ctx, { account: 'Franchisee A', items: { users: 1 } })).toThrowError(
      expect.objectContaining({ code: 'SUBSCRIPTION_LIMIT', exitCode: 4, message: expect.stringContaining('further billing account') }),
    )
    const [first] = listSubscriptions(ctx).subscriptions
    cancelSubscription(ctx, { ref: first?.id ?? '', now: true })
    expect(addSubscription(ctx, { account: 'Franchisee A', items: { users: 1 } }).status).toBe('active')
  })

  it('R-BA-1 the currency is fixed once the account has a subscription', () => {
    const ctx = workspace('single')
    account(ctx, 'Acme')
    expect(updateAccount(ctx, { ref: 'Acme', currency: 'EUR' }).currency).toBe('EUR')
    addSubscription(ctx, { account: 'Acme', items: { users: 1 } })
    expect(() => updateAccount(ctx, { ref: 'Acme', currency: 'USD' })).toThrowError(expect.objectContaining({ code: 'CURRENCY_LOCKED', exitCode: 4 }))
  })
})

describe('trial', () => {
  it('R-TR-1 the first subscription of a qualifying workspace trials for 14 days of workspace time', () => {
    const ctx = workspace('single', { start: Date.parse('2026-02-20T12:00:00Z') })
    account(ctx, 'Acme')
    const sub = addSubscription(ctx, { account: 'Acme', items: { users: 10 } })
    expect(sub).toMatchObject({ status: 'trialing', trialStart: '2026-02-20T12:00:00.000Z', trialEnd: '2026-03-06T12:00:00.000Z' })
    expect(sub.currentPeriodEnd).toBe(sub.trialEnd)
  })

  it('R-TR-1 --no-trial starts active at once', () => {
    const ctx = workspace('single')
    account(ctx, 'Acme')
    expect(addSubscription(ctx, { account: 'Acme', items: { users: 10 }, trial: false }).status).toBe('active')
  })

  it('R-TR-2 refuses --trial with two billing accounts, naming the condition', () => {
    const ctx = workspace('pooled')
    account(ctx, 'A')
    account(ctx, 'B')
    expect(() => addSubscription(ctx, { account: 'A', items: { users: 1 }, trial: true })).toThrowError(
      expect.objectContaining({ code: 'TRIAL_INELIGIBLE', details: { condition: 'not_exactly_one_account' } }),
    )
    expect(addSubscription(ctx, { account: 'A', items: { users: 1 } }).status).toBe('active')
  })

  it('R-TR-2 refuses --trial when the account already had a subscription', () => {
    const ctx = workspace('single')
    account(ctx, 'Acme')
    const first = addSubscription(ctx, { account: 'Acme', items: { users: 1 }, trial: false })
    cancelSubscription(ctx, { ref: first.id, now: true })
    expect(() => addSubscription(ctx, { account: 'Acme', items: { users: 1 }, trial: true })).toThrowError(
      expect.objectContaining({ code: 'TRIAL_INELIGIBLE', details: { condition: 'account_had_subscription' } }),
    )
  })

  it('R-TR-2 refuses a second trial in the same workspace after a prior trial', () => {
    const ctx = workspace('single')
    account(ctx, 'Acme')
    const trial = addSubscription(ctx, { account: 'Acme', items: { users: 1 } })
    expect(trial.status).toBe('trialing')
    cancelSubscription(ctx, { ref: trial.id, now: true })
    expect(() => addSubscription(ctx, { account: 'Acme', items: { users: 1 }, trial: true })).toThrowError(
      expect.objectContaining({ code: 'TRIAL_INELIGIBLE', details: { condition: 'trial_already_used' } }),
    )
    expect(addSubscription(ctx, { account: 'Acme', items: { users: 1 } }).status).toBe('active')
  })
})

describe('changes', () => {
  it('R-SUB-4 an increase takes effect now and records one prorated line per change', () => {
    const ctx = workspace('single', { start: Date.parse('2026-01-01T00:00:00Z') })
    account(ctx, 'Acme')
    const sub = addSubscription(ctx, { account: 'Acme', items: { users: 10 }, trial: false })
    const later = { ...ctx, now: Date.parse('2026-01-16T00:00:00Z') }
    expect(updateSubscription(later, { ref: sub.id, items: { users: 15 } }).items[0]?.quantity).toBe(15)
    updateSubscription({ ...ctx, now: Date.parse('2026-01-25T00:00:00Z') }, { ref: sub.id, items: { users: 16, sso_connections: 2 } })
    const lines = ctx.db.orm.select().from(pendingLines).all()
    // +5 × 10.00 × 16/31 = 25.81; +1 × 10.00 × 7/31 = 2.258 → 2.26; SSO 0 → 2 = 175.00 × 7/31 = 39.516 → 39.52
    expect(lines.map((l) => [l.product, l.fromQuantity, l.toQuantity, l.amount])).toEqual([
      ['users', 10, 15, 2_581],
      ['users', 15, 16, 226],
      ['sso_connections', 0, 2, 3_952],
    ])
  })

  it('R-SUB-4 during a trial changes apply at once and nothing is prorated', () => {
    const ctx = workspace('single')
    account(ctx, 'Acme')
    const sub = addSubscription(ctx, { account: 'Acme', items: { users: 10 } })
    const changed = updateSubscription(ctx, { ref: sub.id, items: { users: 4, locations: 2 }, interval: 'year' })
    expect(changed).toMatchObject({ status: 'trialing', interval: 'year', scheduledChanges: [] })
    expect(changed.items.map((i) => [i.product, i.quantity])).toEqual([['locations', 2], ['users', 4]])
    expect(ctx.db.orm.select().from(pendingLines).all()).toEqual([])
  })

  it('R-SUB-5 decreases, removals and interval changes wait for the next period start', () => {
    const ctx = workspace('single')
    account(ctx, 'Acme')
    const sub = addSubscription(ctx, { account: 'Acme', items: { users: 10, locations: 5 }, trial: false })
    const changed = updateSubscription(ctx, { ref: sub.id, items: { users: 8, locations: 0 }, interval: 'year' })
    expect(changed.items.map((i) => [i.product, i.quantity])).toEqual([['locations', 5], ['users', 10]])
    expect(changed.scheduledChanges).toEqual([
      { kind: 'quantity', product: 'users', from: 10, to: 8, effectiveAt: sub.currentPeriodEnd },
      { kind: 'quantity', product: 'locations', from: 5, to: 0, effectiveAt: sub.currentPeriodEnd },
      { kind: 'interval', from: 'month', to: 'year', effectiveAt: sub.currentPeriodEnd },
    ])
    // The latest instruction wins: back up to 10 drops the pending decrease.
    expect(updateSubscription(ctx, { ref: sub.id, items: { users: 10 } }).scheduledChanges.map((c) => c.kind)).toEqual(['quantity', 'interval'])
  })

  it('R-SUB-5 refuses a decrease below the pool usage with BELOW_USAGE naming product, usage and capacity', () => {
    const ctx = workspace('single')
    account(ctx, 'Acme')
    const team = org(ctx, 'Team')
    const sub = addSubscription(ctx, { account: 'Acme', items: { users: 10 }, trial: false })
    use(ctx, team.id, 'users', 7)
    expect(() => updateSubscription(ctx, { ref: sub.id, items: { users: 6 } })).toThrowError(
      expect.objectContaining({ code: 'BELOW_USAGE', exitCode: 4, details: expect.objectContaining({ product: 'users', usage: 7, capacity: 6 }) }),
    )
    expect(updateSubscription(ctx, { ref: sub.id, items: { users: 7 } }).scheduledChanges).toHaveLength(1)
  })

  it('R-SUB-5 counts decreases already scheduled by other subscriptions of the pool', () => {
    const ctx = workspace('pooled')
    account(ctx, 'A')
    account(ctx, 'B')
    const team = org(ctx, 'Team')
    const a = addSubscription(ctx, { account: 'A', items: { users: 10 } })
    const b = addSubscription(ctx, { account: 'B', items: { users: 10 } })
    use(ctx, team.id, 'users', 12)
    updateSubscription(ctx, { ref: a.id, items: { users: 4 } }) // 20 → 14 ≥ 12
    expect(() => updateSubscription(ctx, { ref: b.id, items: { users: 7 } })).toThrowError(
      expect.objectContaining({ code: 'BELOW_USAGE', details: expect.objectContaining({ usage: 12, capacity: 11 }) }),
    )
  })

  it('refuses to leave a subscription with no product (EMPTY_SUBSCRIPTION)', () => {
    const ctx = workspace('single')
    account(ctx, 'Acme')
    const sub = addSubscription(ctx, { account: 'Acme', items: { users: 10 }, trial: false })
    expect(() => updateSubscription(ctx, { ref: sub.id, items: { users: 0 } })).toThrowError(expect.objectContaining({ code: 'EMPTY_SUBSCRIPTION' }))
  })
})

describe('cancel', () => {
  it('R-SUB-6 cancels at period end by default: capacity lasts, a cancel is scheduled; resume withdraws it', () => {
    const ctx = workspace('single')
    account(ctx, 'Acme')
    const sub = addSubscription(ctx, { account: 'Acme', items: { users: 10 }, trial: false })
    const canceled = cancelSubscription(ctx, { ref: sub.id })
    expect(canceled).toMatchObject({ status: 'active', cancelAtPeriodEnd: true })
    expect(canceled.scheduledChanges).toEqual([{ kind: 'cancel', effectiveAt: sub.currentPeriodEnd }])
    expect(resumeSubscription(ctx, sub.id).cancelAtPeriodEnd).toBe(false)
  })

  it('R-SUB-6 --now ends capacity at once, refused with BELOW_USAGE when usage would exceed it, unless forced', () => {
    const ctx = workspace('pooled')
    account(ctx, 'A')
    account(ctx, 'B')
    const team = org(ctx, 'Team')
    const a = addSubscription(ctx, { account: 'A', items: { users: 10 } })
    addSubscription(ctx, { account: 'B', items: { users: 5 } })
    use(ctx, team.id, 'users', 8)
    expect(() => cancelSubscription(ctx, { ref: a.id, now: true })).toThrowError(
      expect.objectContaining({ code: 'BELOW_USAGE', details: expect.objectContaining({ product: 'users', usage: 8, capacity: 5 }) }),
    )
    expect(showSubscription(ctx, a.id).status).toBe('active')
    expect(cancelSubscription(ctx, { ref: a.id, now: true, force: true })).toMatchObject({ status: 'canceled', cancelReason: 'canceled_now' })
  })
})
