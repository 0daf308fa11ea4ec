// `wsb doctor` in process: a healthy database built through the core passes
// every check; each corruption written by hand in SQL is reported as exactly
// the violation it breaks, with the ids involved. On both engines: the SQL runs
// on the database of the project (a SQLite file, or the PostgreSQL server).
import { beforeAll, describe, expect, it } from 'vitest'
import { adjustCredit } from '../../src/core/accounts/credit.js'
import { attachDiscount, createCoupon } from '../../src/core/coupons/coupons.js'
import { type DoctorResult, runDoctor } from '../../src/core/doctor/run.js'
import { setLimits } from '../../src/core/orgs/limits.js'
import type { Param } from '../../src/core/store/db.js'
import type { Db } from '../../src/core/store/open.js'
import { addSubscription } from '../../src/core/subscriptions/add.js'
import { cancelSubscription } from '../../src/core/subscriptions/cancel.js'
import { updateSubscription } from '../../src/core/subscriptions/update.js'
import { recordUsage } from '../../src/core/usage/record.js'
import type { Ctx } from '../../src/core/context.js'
import { account, advance, card, copiesOf, newDb, org, refresh, testEngine, workspace } from '../builders.js'

/**
 * Three workspaces, one per mode, each with a few months of history: a trial
 * that converts, a coupon, tax, credit, a prorated upgrade, renewals paid by
 * card, org limits and usage recorded through the metering core.
 */
async function healthy() {
  const db = newDb()

  let single = await workspace('single', { db, name: 'Solo Co' })
  const solo = await account(single, 'Solo', { taxRateMilli: 19_000 })
  await card(single, 'Solo')
  await adjustCredit(single, { account: 'Solo', amount: 500 })
  await createCoupon(single, { code: 'TENOFF', percentOffMilli: 10_000, duration: 'repeating', durationInvoices: 2 })
  await attachDiscount(single, { account: 'Solo', coupon: 'TENOFF' })
  const soloSub = await addSubscription(single, { account: 'Solo', items: { users: 10, locations: 2 } })
  const hq = await org(single, 'HQ')
  const team = await org(single, 'Team', 'HQ')
  await recordUsage(single, { org: team.id, product: 'users', delta: 3 })
  single = await advance(single, '15d') // the trial converts: invoice 1
  await updateSubscription(single, { ref: soloSub.id, items: { users: 12 } })
  single = await advance(single, '2mo') // invoices 2 (with the proration) and 3

  let assigned = await workspace('assigned', { db, name: 'Global Corp' })
  const east = await org(assigned, 'East')
  const sales = await org(assigned, 'Sales', 'East')
  const west = await org(assigned, 'West')
  const eastAccount = await account(assigned, 'E', { org: 'East' })
  const westAccount = await account(assigned, 'W', { currency: 'EUR', org: 'West' })
  const spare = await account(assigned, 'Spare')
  await card(assigned, 'E')
  await card(assigned, 'W')
  await card(assigned, 'W', 'pm_card_mastercard')
  const eastSub = await addSubscription(assigned, { account: 'E', items: { users: 5 } })
  const westSub = await addSubscription(assigned, { account: 'W', items: { users: 4, locations: 1 } })
  await setLimits(assigned, { ref: 'East', limits: { users: 4 } })
  await recordUsage(assigned, { org: sales.id, product: 'users', delta: 2 })
  await recordUsage(assigned, { org: west.id, product: 'users', delta: 4 })
  assigned = await advance(assigned, '1mo')

  let pooled = await workspace('pooled', { db, name: 'Franchise' })
  const p1 = await account(pooled, 'P1')
  const p2 = await account(pooled, 'P2')
  await card(pooled, 'P1')
  await card(pooled, 'P2')
  const p1Subs = []
  for (let i = 0; i < 3; i++) p1Subs.push(await addSubscription(pooled, { account: 'P1', items: { users: 2 } }))
  const p2Sub = await addSubscription(pooled, { account: 'P2', items: { users: 4, locations: 1 } })
  const shop = await org(pooled, 'Shop')
  const kitchen = await org(pooled, 'Kitchen', 'Shop')
  const empty = await org(pooled, 'Empty')
  await recordUsage(pooled, { org: kitchen.id, product: 'users', delta: 5 })
  pooled = await advance(pooled, '1mo')

  return {
    db,
    single: { ws: single.workspace.id, ctx: single, solo, soloSub, hq, team },
    assigned: { ws: assigned.workspace.id, ctx: assigned, east, sales, west, eastAccount, westAccount, spare, eastSub, westSub },
    pooled: { ws: pooled.workspace.id, ctx: pooled, p1, p2, p1Subs, p2Sub, shop, kitchen, empty },
  }
}

/** The healthy database is built once; each test damages a copy of it. */
let built: Awaited<ReturnType<typeof healthy>>
let copy: () => Db
beforeAll(async () => {
  built = await healthy()
  copy = await copiesOf(built.db)
}, 180_000)

function fresh() {
  const db = copy()
  const on = <T extends { ctx: Ctx }>(w: T): T => ({ ...w, ctx: { ...w.ctx, db } })
  return { ...built, db, single: on(built.single), assigned: on(built.assigned), pooled: on(built.pooled) }
}

/** SQL written by hand, as a bug or an operator would: through the store's plain statements, outside wsb's rules. */
const run = async (db: Db, statement: string, ...params: Param[]) => await db.run(statement, ...params)
const value = async <T>(db: Db, statement: string, ...params: Param[]) => {
  const row = await db.get<Record<string, unknown>>(statement, ...params)
  const first = Object.values(row ?? {})[0]
  return (typeof first === 'bigint' ? Number(first) : first) as T
}
const invoiceId = async (db: Db, accountId: string, number: number) => await value<string>(db, 'SELECT id FROM invoices WHERE account_id = ? AND number = ?', accountId, number)
const methodIds = async (db: Db, accountId: string) => (await db.all<{ id: string }>('SELECT id FROM payment_methods WHERE account_id = ? ORDER BY id', accountId)).map((r) => r.id)

/** The violations with the message left out, for exact comparison of check, rule and ids. */
const found = (result: DoctorResult['violations']) => result.map(({ check, rule, ids }) => ({ check, rule, ids }))

describe('doctor on a healthy database', () => {
  it('passes every check over workspaces in all three modes (R-WS-2, R-ORG-1, R-BA-2, R-BA-3, R-BA-5, R-PM-1, R-INV-1, R-INV-2, R-INV-4, R-USE-5 …)', async () => {
    const h = fresh()
    const invoices = await value<number>(h.db, 'SELECT count(*) FROM invoices')
    expect(invoices).toBeGreaterThanOrEqual(10) // the history is real: conversions, renewals, prorations
    expect(await value<number>(h.db, "SELECT count(*) FROM invoice_lines WHERE kind = 'discount'")).toBeGreaterThan(0)
    expect(await value<number>(h.db, "SELECT count(*) FROM invoice_lines WHERE kind = 'proration'")).toBeGreaterThan(0)
    const result = await runDoctor(h.db)
    expect(result.violations).toEqual([])
    expect(result.warnings).toEqual([])
    expect(result).toMatchObject({ ok: true, workspaces: 3 })
    expect(result.checks.length).toBeGreaterThanOrEqual(19)
    for (const check of result.checks) expect(check, check.check).toMatchObject({ passed: true, violations: 0, warnings: 0 })
    expect(result.checks.map((c) => c.rule)).toEqual(
      expect.arrayContaining(['R-WS-2', 'R-WS-4', 'R-ORG-1', 'R-ORG-2', 'R-BA-2', 'R-BA-3', 'R-BA-5', 'R-SUB-1', 'R-POOL-3', 'R-PM-1', 'R-INV-1', 'R-INV-2', 'R-INV-4', 'R-USE-1', 'R-USE-5']),
    )
  })

  it('writes nothing and runs no due step, even when steps are overdue (R-WS-4 is for commands, not doctor)', async () => {
    const h = fresh()
    // The clock jumps past the next renewals without running them.
    await run(h.db, 'UPDATE workspaces SET clock_now = clock_now + ? WHERE id = ?', 90 * 86_400_000, h.pooled.ws)
    const state = async () => JSON.stringify([await h.db.all('SELECT * FROM due_steps ORDER BY id'), await h.db.all('SELECT * FROM invoices ORDER BY id')])
    const before = await state()
    expect(await (await runDoctor(h.db)).ok).toBe(true)
    expect(await state()).toBe(before)
    // The connection is left writable and outside any transaction.
    if (testEngine === 'sqlite') expect(h.db.sqlite.inTransaction).toBe(false)
    await expect(h.db.write(async () => await run(h.db, "UPDATE workspaces SET name = 'Franchise 2' WHERE id = ?", h.pooled.ws))).resolves.toEqual({ changes: 1 })
  })
})

describe('doctor finds each corruption', () => {
  it('R-WS-2 a subscription or payment method pointing at an account of another workspace', async () => {
    const h = fresh()
    await run(h.db, 'UPDATE subscriptions SET account_id = ? WHERE id = ?', h.single.solo.id, h.pooled.p2Sub.id)
    const [method] = await methodIds(h.db, h.pooled.p1.id)
    await run(h.db, 'UPDATE payment_methods SET account_id = ?, is_default = false WHERE id = ?', h.assigned.eastAccount.id, method as string)
    const result = await runDoctor(h.db)
    expect(result.ok).toBe(false)
    expect(found(result.violations)).toEqual([
      {
        check: 'workspace-isolation',
        rule: 'R-WS-2',
        ids: { workspaceId: h.pooled.ws, subscriptionId: h.pooled.p2Sub.id, accountId: h.single.solo.id, accountWorkspaceId: h.single.ws },
      },
      {
        check: 'workspace-isolation',
        rule: 'R-WS-2',
        ids: { workspaceId: h.pooled.ws, paymentMethodId: method, accountId: h.assigned.eastAccount.id, accountWorkspaceId: h.assigned.ws },
      },
    ])
    expect(result.violations[0]?.message).toBe(
      `subscription ${h.pooled.p2Sub.id} of workspace ${h.pooled.ws} references account ${h.single.solo.id} of workspace ${h.single.ws}`,
    )
  })

  it('R-WS-4 a live subscription whose period_end step is gone would never renew', async () => {
    const h = fresh()
    await run(h.db, "DELETE FROM due_steps WHERE kind = 'period_end' AND ref_id = ?", h.assigned.eastSub.id)
    const result = await runDoctor(h.db)
    expect(found(result.violations)).toEqual([
      { check: 'renewals-scheduled', rule: 'R-WS-4', ids: { workspaceId: h.assigned.ws, accountId: h.assigned.eastAccount.id, subscriptionId: h.assigned.eastSub.id } },
    ])
    expect(result.violations[0]?.message).toContain('it would never renew')
  })

  it('R-ORG-1 an organization made its own grandparent is a cycle (and its workspace usage cannot be walked)', async () => {
    const h = fresh()
    const { shop, kitchen } = h.pooled
    await run(h.db, 'UPDATE organizations SET parent_id = ? WHERE id = ?', kitchen.id, shop.id)
    const cycle = [shop.id, kitchen.id].sort()
    const result = await runDoctor(h.db)
    expect(found(result.violations)).toEqual([
      { check: 'org-forest', rule: 'R-ORG-1', ids: { workspaceId: h.pooled.ws, orgId: cycle[0], orgIds: cycle.join(',') } },
      { check: 'usage-levels', rule: 'R-USE-5', ids: { workspaceId: h.pooled.ws } },
    ])
    expect(result.violations[0]?.message).toContain(`${cycle[0]} → ${cycle[1]} → ${cycle[0]}`)
  })

  it('R-ORG-1 a parent in another workspace', async () => {
    const h = fresh()
    await run(h.db, 'UPDATE organizations SET parent_id = ? WHERE id = ?', h.single.hq.id, h.pooled.empty.id)
    expect(found(await (await runDoctor(h.db)).violations)).toEqual([
      { check: 'org-forest', rule: 'R-ORG-1', ids: { workspaceId: h.pooled.ws, orgId: h.pooled.empty.id, parentId: h.single.hq.id, parentWorkspaceId: h.single.ws } },
    ])
  })

  it('R-ORG-2 a subtree above its limit (set with --force) is a warning, not a violation', async () => {
    const h = fresh()
    await setLimits(await refresh(h.assigned.ctx), { ref: 'East', limits: { users: 1 }, force: true })
    const result = await runDoctor(h.db)
    expect(result.ok).toBe(true)
    expect(result.violations).toEqual([])
    expect(found(result.warnings)).toEqual([{ check: 'org-limits', rule: 'R-ORG-2', ids: { workspaceId: h.assigned.ws, orgId: h.assigned.east.id, product: 'users' } }])
    expect(result.warnings[0]?.message).toContain('uses 2 users, above its limit of 1')
    expect(result.checks.find((c) => c.check === 'org-limits')).toMatchObject({ passed: true, violations: 0, warnings: 1 })
  })

  it("R-BA-1 a subscription in a currency other than its account's", async () => {
    const h = fresh()
    await run(h.db, "UPDATE billing_accounts SET currency = 'GBP' WHERE id = ?", h.assigned.eastAccount.id)
    expect(found(await (await runDoctor(h.db)).violations)).toEqual([
      { check: 'subscription-currency', rule: 'R-BA-1', ids: { workspaceId: h.assigned.ws, accountId: h.assigned.eastAccount.id, subscriptionId: h.assigned.eastSub.id } },
    ])
  })

  it('R-BA-2 a second billing account in a single-mode workspace', async () => {
    const h = fresh()
    await run(h.db, "INSERT INTO billing_accounts (id, workspace_id, name, currency, created_at) VALUES ('acct_second', ?, 'Second', 'USD', 0)", h.single.ws)
    expect(found(await (await runDoctor(h.db)).violations)).toEqual([
      { check: 'single-account', rule: 'R-BA-2', ids: { workspaceId: h.single.ws, accountIds: ['acct_second', h.single.solo.id].sort().join(',') } },
    ])
  })

  it('R-BA-3 an account assigned to a child org, and an assignment in pooled mode', async () => {
    const h = fresh()
    await run(h.db, 'UPDATE billing_accounts SET organization_id = ? WHERE id = ?', h.assigned.sales.id, h.assigned.spare.id)
    await run(h.db, 'UPDATE billing_accounts SET organization_id = ? WHERE id = ?', h.pooled.shop.id, h.pooled.p1.id)
    const result = await runDoctor(h.db)
    expect(found(result.violations)).toHaveLength(2)
    expect(found(result.violations)).toEqual(
      expect.arrayContaining([
        { check: 'account-assignments', rule: 'R-BA-3', ids: { workspaceId: h.assigned.ws, accountId: h.assigned.spare.id, orgId: h.assigned.sales.id } },
        { check: 'account-assignments', rule: 'R-BA-3', ids: { workspaceId: h.pooled.ws, accountId: h.pooled.p1.id, orgId: h.pooled.shop.id } },
      ]),
    )
    const messages = result.violations.map((v) => v.message).join('\n')
    expect(messages).toContain(`which is not top-level (its parent is ${h.assigned.east.id})`)
    expect(messages).toContain('its workspace is in pooled mode')
  })

  it('R-BA-5 a 4th active subscription written by SQL', async () => {
    const h = fresh()
    const { p1, p1Subs } = h.pooled
    const end = await value<number>(h.db, 'SELECT current_period_end FROM subscriptions WHERE id = ?', p1Subs[0]?.id as string)
    await run(
      h.db,
      `INSERT INTO subscriptions (id, workspace_id, account_id, status, interval, currency, anchor_at, period_index, current_period_start, current_period_end, created_at)
       VALUES ('sub_fourth', ?, ?, 'active', 'month', 'USD', 0, 0, 0, ?, 0)`,
      h.pooled.ws,
      p1.id,
      end,
    )
    await run(h.db, "INSERT INTO due_steps (workspace_id, due_at, kind, ref_id) VALUES (?, ?, 'period_end', 'sub_fourth')", h.pooled.ws, end)
    const result = await runDoctor(h.db)
    expect(found(result.violations)).toEqual([
      {
        check: 'active-subscriptions',
        rule: 'R-BA-5',
        ids: { workspaceId: h.pooled.ws, accountId: p1.id, subscriptionIds: [...p1Subs.map((s) => s.id), 'sub_fourth'].sort().join(',') },
      },
    ])
    expect(result.violations[0]?.message).toContain('has 4 active subscriptions')
  })

  it("R-SUB-1 an item priced in another currency than its subscription's", async () => {
    const h = fresh()
    const eur = await value<string>(h.db, "SELECT id FROM prices WHERE workspace_id = ? AND product = 'users' AND currency = 'EUR' AND interval = 'month' AND active = true", h.pooled.ws)
    await run(h.db, "UPDATE subscription_items SET price_id = ? WHERE subscription_id = ? AND product = 'users'", eur, h.pooled.p2Sub.id)
    const result = await runDoctor(h.db)
    expect(found(result.violations)).toEqual([
      { check: 'item-prices', rule: 'R-SUB-1', ids: { workspaceId: h.pooled.ws, subscriptionId: h.pooled.p2Sub.id, product: 'users', priceId: eur } },
    ])
    expect(result.violations[0]?.message).toContain('is in EUR, the subscription in USD')
  })

  it('R-POOL-3 a pool counter that differs from the usage of the orgs it serves', async () => {
    const h = fresh()
    await run(h.db, "UPDATE pool_usage SET used = used + 1 WHERE pool_id = ? AND product = 'users'", h.pooled.ws)
    const result = await runDoctor(h.db)
    expect(found(result.violations)).toEqual([{ check: 'pool-usage', rule: 'R-POOL-3', ids: { workspaceId: h.pooled.ws, poolId: h.pooled.ws, product: 'users' } }])
    expect(result.violations[0]?.message).toBe(`pool ${h.pooled.ws} counts 6 users in use; the organizations it serves use 5`)
  })

  it('R-POOL-3 a pool over capacity after a forced cancel is a warning, not a violation', async () => {
    const h = fresh()
    await cancelSubscription(await refresh(h.assigned.ctx), { ref: h.assigned.westSub.id, now: true, force: true })
    const result = await runDoctor(h.db)
    expect(result).toMatchObject({ ok: true, violations: [] })
    expect(found(result.warnings)).toEqual([
      { check: 'pool-capacity', rule: 'R-POOL-3', ids: { workspaceId: h.assigned.ws, poolId: h.assigned.westAccount.id, product: 'users' } },
    ])
    expect(result.warnings[0]?.message).toContain('uses 4 users with a capacity of 0')
  })

  it('R-PM-1 a sixth payment method', async () => {
    const h = fresh()
    for (let i = 0; i < 5; i++)
      await run(
        h.db,
        `INSERT INTO payment_methods (id, workspace_id, account_id, provider, provider_id, source, brand, last4, exp_month, exp_year, is_default, created_at)
         VALUES (?, ?, ?, 'sandbox', ?, 'pm_card_visa', 'visa', '4242', 12, 2034, false, 0)`,
        `pmr_extra${i}`,
        h.pooled.ws,
        h.pooled.p2.id,
        `pm_extra${i}`,
      )
    const result = await runDoctor(h.db)
    expect(found(result.violations)).toEqual([{ check: 'payment-method-limit', rule: 'R-PM-1', ids: { workspaceId: h.pooled.ws, accountId: h.pooled.p2.id } }])
    expect(result.violations[0]?.message).toContain('has 6 payment methods; at most 5')
  })

  it('R-PM-1 two default payment methods, and none', async () => {
    const h = fresh()
    await run(h.db, 'UPDATE payment_methods SET is_default = true WHERE account_id = ?', h.assigned.westAccount.id)
    await run(h.db, 'UPDATE payment_methods SET is_default = false WHERE account_id = ?', h.assigned.eastAccount.id)
    const result = await runDoctor(h.db)
    expect(found(result.violations)).toHaveLength(2)
    expect(found(result.violations)).toEqual(
      expect.arrayContaining([
        {
          check: 'default-payment-method',
          rule: 'R-PM-1',
          ids: { workspaceId: h.assigned.ws, accountId: h.assigned.westAccount.id, paymentMethodIds: (await methodIds(h.db, h.assigned.westAccount.id)).join(',') },
        },
        { check: 'default-payment-method', rule: 'R-PM-1', ids: { workspaceId: h.assigned.ws, accountId: h.assigned.eastAccount.id } },
      ]),
    )
  })

  it('R-INV-1 a deleted invoice leaves a gap in the numbers', async () => {
    const h = fresh()
    const { solo } = h.single
    expect(await value<number>(h.db, 'SELECT count(*) FROM invoices WHERE account_id = ?', solo.id)).toBe(3)
    await run(h.db, 'DELETE FROM invoices WHERE id = ?', await invoiceId(h.db, solo.id, 2))
    const result = await runDoctor(h.db)
    expect(found(result.violations)).toEqual([{ check: 'invoice-numbers', rule: 'R-INV-1', ids: { workspaceId: h.single.ws, accountId: solo.id } }])
    expect(result.violations[0]?.message).toBe(`the 2 invoices of account ${solo.id} are not numbered 1..2: missing 2`)
  })

  it('R-INV-2 totals that disagree with the lines, and a wrong amount due', async () => {
    const h = fresh()
    const { solo } = h.single
    const first = await invoiceId(h.db, solo.id, 1)
    const third = await invoiceId(h.db, solo.id, 3)
    await run(h.db, "UPDATE invoice_lines SET amount = amount + 100 WHERE invoice_id = ? AND kind = 'subscription' AND product = 'users'", first)
    await run(h.db, 'UPDATE invoices SET amount_due = amount_due + 1 WHERE id = ?', third)
    const result = await runDoctor(h.db)
    expect(found(result.violations)).toEqual([
      { check: 'invoice-totals', rule: 'R-INV-2', ids: { workspaceId: h.single.ws, accountId: solo.id, invoiceId: first } },
      { check: 'invoice-totals', rule: 'R-INV-2', ids: { workspaceId: h.single.ws, accountId: solo.id, invoiceId: third } },
      // The third was paid its old amount due, so it is also paid the wrong amount.
      { check: 'paid-invoices', rule: 'R-INV-2', ids: { workspaceId: h.single.ws, accountId: solo.id, invoiceId: third } },
    ])
    expect(result.violations[0]?.message).toMatch(/subtotal \d+ ≠ \d+, the sum of its item and proration lines/)
    expect(result.violations[0]?.message).not.toContain('amount due')
    expect(result.violations[1]?.message).toContain('amount due')
  })

  it('R-INV-2 tax that is not the rate on the discounted subtotal', async () => {
    const h = fresh()
    const first = await invoiceId(h.db, h.single.solo.id, 1)
    // Tax, total, amount due and paid all moved: the arithmetic adds up, the rate does not.
    await run(h.db, 'UPDATE invoices SET tax = tax + 1, total = total + 1, amount_due = amount_due + 1, amount_paid = amount_paid + 1 WHERE id = ?', first)
    const result = await runDoctor(h.db)
    expect(found(result.violations)).toEqual([{ check: 'invoice-totals', rule: 'R-INV-2', ids: { workspaceId: h.single.ws, accountId: h.single.solo.id, invoiceId: first } }])
    expect(result.violations[0]?.message).toContain('19% of the discounted subtotal')
  })

  it('R-INV-2 a paid invoice whose amount paid is not its amount due', async () => {
    const h = fresh()
    const first = await invoiceId(h.db, h.assigned.eastAccount.id, 1)
    expect(await value<string>(h.db, 'SELECT status FROM invoices WHERE id = ?', first)).toBe('paid')
    await run(h.db, 'UPDATE invoices SET amount_paid = amount_paid - 1 WHERE id = ?', first)
    expect(found(await (await runDoctor(h.db)).violations)).toEqual([
      { check: 'paid-invoices', rule: 'R-INV-2', ids: { workspaceId: h.assigned.ws, accountId: h.assigned.eastAccount.id, invoiceId: first } },
    ])
  })

  it('R-INV-4 a credit balance that is not the sum of its entries', async () => {
    const h = fresh()
    await run(h.db, 'UPDATE billing_accounts SET credit_balance = credit_balance + 100 WHERE id = ?', h.single.solo.id)
    const result = await runDoctor(h.db)
    expect(found(result.violations)).toEqual([{ check: 'credit-balance', rule: 'R-INV-4', ids: { workspaceId: h.single.ws, accountId: h.single.solo.id } }])
    expect(result.violations[0]?.message).toBe(`credit balance of ${h.single.solo.id} is 100; its credit entries sum to 0 (USD minor units)`)
  })

  it('R-USE-1 a negative level (which the ledger does not explain either: R-USE-5)', async () => {
    const h = fresh()
    const { team } = h.single
    await run(h.db, "UPDATE usage_levels SET level = -1 WHERE org_id = ? AND product = 'users'", team.id)
    const ids = { workspaceId: h.single.ws, orgId: team.id, product: 'users' }
    const result = await runDoctor(h.db)
    expect(found(result.violations)).toEqual([
      { check: 'usage-non-negative', rule: 'R-USE-1', ids },
      { check: 'usage-levels', rule: 'R-USE-5', ids },
    ])
    expect(result.violations[0]?.message).toBe(`users level -1 of ${team.id} is below zero`)
  })

  it('R-USE-5 a level or a subtree counter that differs from the ledger', async () => {
    const h = fresh()
    const { kitchen, shop } = h.pooled
    await run(h.db, "UPDATE usage_levels SET level = level + 1 WHERE org_id = ? AND product = 'users'", kitchen.id)
    await run(h.db, "UPDATE usage_levels SET subtree = subtree + 2 WHERE org_id = ? AND product = 'users'", shop.id)
    const result = await runDoctor(h.db)
    expect(found(result.violations)).toEqual(
      expect.arrayContaining([
        { check: 'usage-levels', rule: 'R-USE-5', ids: { workspaceId: h.pooled.ws, orgId: kitchen.id, product: 'users' } },
        { check: 'usage-levels', rule: 'R-USE-5', ids: { workspaceId: h.pooled.ws, orgId: shop.id, product: 'users' } },
      ]),
    )
    expect(result.violations).toHaveLength(2)
    expect(result.violations.map((v) => v.message)).toEqual(
      expect.arrayContaining([
        `users level of ${kitchen.id} is 6; its accepted ledger deltas sum to 5`,
        `users subtree counter of ${shop.id} is 7; the ledger gives its subtree 5`,
      ]),
    )
  })
})

describe('doctor scope', () => {
  it('R-WS-2 --workspace narrows every check to one workspace', async () => {
    const h = fresh()
    await run(h.db, 'UPDATE billing_accounts SET credit_balance = credit_balance + 100 WHERE id = ?', h.single.solo.id)
    await run(h.db, "DELETE FROM due_steps WHERE kind = 'period_end' AND ref_id = ?", h.pooled.p2Sub.id)
    expect(found(await (await runDoctor(h.db)).violations).map((v) => v.check)).toEqual(['renewals-scheduled', 'credit-balance'])
    const franchise = await runDoctor(h.db, { workspace: 'Franchise' })
    expect(franchise.workspaces).toBe(1)
    expect(found(franchise.violations)).toEqual([
      { check: 'renewals-scheduled', rule: 'R-WS-4', ids: { workspaceId: h.pooled.ws, accountId: h.pooled.p2.id, subscriptionId: h.pooled.p2Sub.id } },
    ])
    expect(await runDoctor(h.db, { workspace: h.assigned.ws })).toMatchObject({ ok: true, workspaces: 1 })
    await expect(async () => await runDoctor(h.db, { workspace: 'nope' })).rejects.toThrowError(expect.objectContaining({ code: 'NOT_FOUND' }))
  })
})
