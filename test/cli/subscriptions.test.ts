// Subscriptions and pools through the built binary: the spec's JSON shapes and error codes.
import { describe, expect, it } from 'vitest'
import { tempDbPath } from '../helpers/temp.js'
import { wsb } from '../helpers/cli.js'

function setup(mode: string) {
  const db = tempDbPath()
  const run = (...args: string[]) => wsb([...args, '--json'], { db })
  expect(run('workspace', 'create', 'W', '--mode', mode, '--clock-start', '2026-01-31T00:00:00Z').code).toBe(0)
  return Object.assign(run, { text: (...args: string[]) => wsb(args, { db }).stdout })
}

describe('subscriptions through the CLI', () => {
  it('R-SUB-1 sub add|show|update print the spec shape; a decrease is scheduled for the period start', () => {
    const run = setup('single')
    run('account', 'create', 'Acme', '--currency', 'USD')
    const added = run('sub', 'add', 'Acme', '--item', 'users=100', '--item', 'locations=50', '--no-trial')
    expect(added.code).toBe(0)
    const sub = added.json()
    expect(sub).toMatchObject({
      id: expect.stringMatching(/^sub_/),
      accountId: expect.stringMatching(/^acct_/),
      status: 'active',
      interval: 'month',
      currentPeriodStart: '2026-01-31T00:00:00.000Z',
      currentPeriodEnd: '2026-02-28T00:00:00.000Z',
      trialEnd: null,
      items: [
        { product: 'locations', quantity: 50, unitAmount: { amount: 2500, currency: 'USD' } },
        { product: 'users', quantity: 100, unitAmount: { amount: 1000, currency: 'USD' } },
      ],
      scheduledChanges: [],
    })
    const updated = run('sub', 'update', sub.id, '--item', 'users=90').json()
    expect(updated.items[1].quantity).toBe(100)
    expect(updated.scheduledChanges).toEqual([{ kind: 'quantity', product: 'users', from: 100, to: 90, effectiveAt: '2026-02-28T00:00:00.000Z' }])
    expect(run('sub', 'show', sub.id).json()).toEqual(updated)
    expect(run('sub', 'list').json().subscriptions).toHaveLength(1)
  })

  it('R-BA-5 R-SUB-1 R-TR-2 refusals exit 4 with their codes', () => {
    const run = setup('pooled')
    run('account', 'create', 'A', '--currency', 'USD')
    run('account', 'create', 'Swiss', '--currency', 'CHF')
    const noPrice = run('sub', 'add', 'Swiss', '--item', 'users=1')
    expect([noPrice.code, noPrice.json().error.code]).toEqual([4, 'NO_PRICE'])
    const trial = run('sub', 'add', 'A', '--item', 'users=1', '--trial')
    expect([trial.code, trial.json().error.code, trial.json().error.details.condition]).toEqual([4, 'TRIAL_INELIGIBLE', 'not_exactly_one_account'])
    for (let i = 0; i < 3; i++) expect(run('sub', 'add', 'A', '--item', 'users=1').code).toBe(0)
    const fourth = run('sub', 'add', 'A', '--item', 'users=1')
    expect([fourth.code, fourth.json().error.code]).toEqual([4, 'SUBSCRIPTION_LIMIT'])
    expect(fourth.json().error.message).toContain('further billing account')
  })

  it('bad items and prices exit 2; unknown subscriptions and products exit 3', () => {
    const run = setup('single')
    run('account', 'create', 'Acme', '--currency', 'JPY')
    for (const args of [
      ['sub', 'add', 'Acme', '--item', 'users'],
      ['sub', 'add', 'Acme', '--item', 'users=-1'],
      ['sub', 'add', 'Acme', '--item', 'users=1.5'],
      ['sub', 'add', 'Acme', '--item', 'users=0'],
      ['sub', 'add', 'Acme'],
      ['price', 'set', 'users', '--currency', 'JPY', '--interval', 'month', '--unit-amount', '12.5'],
      ['price', 'set', 'users', '--currency', 'JPY', '--interval', 'month', '--tiers', '10:100,5:50,inf:10'],
      ['price', 'set', 'users', '--currency', 'JPY', '--interval', 'month', '--tiers', '10:100'],
      ['price', 'set', 'users', '--currency', 'JPY', '--interval', 'week', '--unit-amount', '1'],
    ]) {
      const out = run(...args)
      expect(out.code, args.join(' ')).toBe(2)
      expect(out.json().error.message.length, args.join(' ')).toBeGreaterThan(10)
    }
    expect(run('sub', 'show', 'sub_nothere').code).toBe(3)
    expect(run('sub', 'add', 'Acme', '--item', 'seats=3').code).toBe(3)
    expect(run('sub', 'list').json().subscriptions).toEqual([])
  })

  it('R-PR-2 JPY prices and subscriptions carry no minor digits', () => {
    const run = setup('single')
    run('account', 'create', 'KK', '--currency', 'JPY')
    const sub = run('sub', 'add', 'KK', '--item', 'users=3', '--no-trial').json()
    expect(sub.items[0]).toMatchObject({ unitAmount: { amount: 1500, currency: 'JPY' }, periodAmount: { amount: 4500, currency: 'JPY' } })
    const text = run.text('sub', 'show', sub.id)
    expect(text).toContain('1,500 JPY')
    expect(text).toContain('4,500 JPY')
    expect(text).not.toMatch(/\d\.\d\d JPY/)
  })

  it('R-POOL-1 usage report --by pool prints the spec shape with each account share', () => {
    const run = setup('pooled')
    for (const [name, users, locations] of [['Franchisee A', 80, 40], ['Franchisee B', 70, 35], ['Franchisee C', 50, 25]] as const) {
      run('account', 'create', name, '--currency', 'USD')
      run('sub', 'add', name, '--item', `users=${users}`, '--item', `locations=${locations}`)
    }
    const report = run('usage', 'report', '--by', 'pool').json()
    expect(report.pools).toHaveLength(1)
    expect(report.pools[0].accountIds).toHaveLength(3)
    expect(report.pools[0].products.map((p: { product: string; capacity: number; used: number; available: number }) => [p.product, p.capacity, p.used, p.available])).toEqual([
      ['locations', 100, 0, 100],
      ['users', 200, 0, 200],
    ])
  })
})
