// Db.memo (store/db.ts, postgres/memo.ts): on PostgreSQL a read kept for the
// rest of its transaction, dropped by any statement of that transaction that
// may change what it read; on SQLite read each time. What the core keeps this
// way (prices, tax rates, the seller, the account, the last invoice number…)
// must never be served stale: an invoice issued after a change made in the
// same transaction uses the change, on both engines.
import { describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { adjustCredit } from '../../src/core/accounts/credit.js'
import { setPrice } from '../../src/core/catalog/prices.js'
import { attachDiscount, createCoupon } from '../../src/core/coupons/coupons.js'
import { listInvoices } from '../../src/core/invoices/list.js'
import { setTaxRate } from '../../src/core/invoices/tax-rates.js'
import { billingAccounts, subscriptionItems } from '../../src/core/store/schema/index.js'
import { addSubscription } from '../../src/core/subscriptions/add.js'
import { setSeller } from '../../src/core/workspaces/seller.js'
import { account, card, refresh, testEngine, workspace } from '../builders.js'

describe('reads kept for a transaction (Db.memo)', () => {
  it('R-INV-1 R-INV-2 R-INV-4 invoices issued in one transaction after its tax rate, seller, price, credit and discount changed use the changes, numbered 1, 2, 3', async () => {
    const ctx = await workspace('single')
    await account(ctx, 'A', { country: 'DE' })
    await card(ctx, 'A')
    await setTaxRate(ctx, { country: 'DE', rateMilli: 19_000, name: 'VAT' })
    await setPrice(ctx, { product: 'users', currency: 'USD', interval: 'month', scheme: 'per_unit', unitAmount: 1000 })
    await setPrice(ctx, { product: 'locations', currency: 'USD', interval: 'month', scheme: 'per_unit', unitAmount: 500 })
    await createCoupon(ctx, { code: 'HALF', percentOffMilli: 50_000, duration: 'once' })
    await ctx.db.write(async () => {
      await addSubscription(ctx, { account: 'A', items: { users: 1 }, trial: false })
      await setTaxRate(ctx, { country: 'DE', rateMilli: 7_000, name: 'VAT reduced' })
      await setSeller(ctx, { legalName: 'Seller GmbH', country: 'DE' })
      await setPrice(ctx, { product: 'locations', currency: 'USD', interval: 'month', scheme: 'per_unit', unitAmount: 2000 })
      await addSubscription(ctx, { account: 'A', items: { locations: 1 }, trial: false })
      await adjustCredit(ctx, { account: 'A', amount: 300 })
      await attachDiscount(ctx, { account: 'A', coupon: 'HALF' })
      await addSubscription(ctx, { account: 'A', items: { users: 2 }, trial: false })
    })
    const issued = (await listInvoices(await refresh(ctx))).invoices.sort((a, b) => (a.number ?? 0) - (b.number ?? 0))
    expect(issued.map((i) => ({ number: i.number, subtotal: i.subtotal.amount, discount: i.discount.amount, tax: i.tax.amount, credit: i.creditApplied.amount, seller: i.seller?.name ?? null }))).toEqual([
      { number: 1, subtotal: 1000, discount: 0, tax: 190, credit: 0, seller: null },
      { number: 2, subtotal: 2000, discount: 0, tax: 140, credit: 0, seller: 'Seller GmbH' },
      // 2 × 1000, half off, 7% of 1000, then 300 of credit.
      { number: 3, subtotal: 2000, discount: 1000, tax: 70, credit: 300, seller: 'Seller GmbH' },
    ])
  })

  it('a kept row is read again after a write of it: by the query builder, by SQL text, left for later, and through a cascading delete', async () => {
    const ctx = await workspace('single')
    const { db } = ctx
    const acct = await account(ctx, 'A')
    const balance = async () =>
      (await db.memo(`test-account:${acct.id}`, [`billing_accounts#id=${acct.id}`], async () => (await db.orm.select().from(billingAccounts).where(eq(billingAccounts.id, acct.id)))[0]))?.creditBalance
    await card(ctx, 'A')
    await setPrice(ctx, { product: 'users', currency: 'USD', interval: 'month', scheme: 'per_unit', unitAmount: 1000 })
    const sub = await addSubscription(ctx, { account: 'A', items: { users: 1 }, trial: false })
    const seen = await db.write(async () => {
      const got: (number | undefined)[] = [await balance()]
      await db.orm.update(billingAccounts).set({ creditBalance: 5 }).where(eq(billingAccounts.id, acct.id))
      got.push(await balance())
      await db.run('UPDATE billing_accounts SET credit_balance = credit_balance + ? WHERE id = ?', 1, acct.id)
      got.push(await balance())
      await db.runLater('UPDATE billing_accounts SET credit_balance = ? WHERE workspace_id = ?', 7, ctx.workspace.id)
      got.push(await balance())
      await db.later(db.orm.update(billingAccounts).set({ creditBalance: 8 }))
      got.push(await balance())
      const items = async () =>
        (await db.memo(`test-items:${sub.id}`, [`subscription_items#subscription_id=${sub.id}`], async () => await db.orm.select().from(subscriptionItems).where(eq(subscriptionItems.subscriptionId, sub.id)))).length
      got.push(await items())
      // Its items go with the subscription (ON DELETE CASCADE), in a statement that does not name them.
      await db.run('DELETE FROM subscriptions WHERE id = ?', sub.id)
      got.push(await items())
      return got
    }, { dryRun: true })
    expect(seen).toEqual([0, 5, 6, 7, 8, 1, 0])
  })

  it.skipIf(testEngine === 'sqlite')('a value is kept across writes of other rows and other tables, and only inside a transaction (PostgreSQL)', async () => {
    const ctx = await workspace('assigned')
    const { db } = ctx
    const a = await account(ctx, 'A')
    const b = await account(ctx, 'B')
    let loads = 0
    const read = async () =>
      await db.memo(`test:${a.id}`, [`billing_accounts#id=${a.id}`, 'workspaces.seller'], async () => {
        loads++
        return (await db.get<{ credit_balance: number }>('SELECT credit_balance FROM billing_accounts WHERE id = ?', a.id))?.credit_balance
      })
    await read()
    await read()
    expect(loads).toBe(2)
    loads = 0
    const kept = await db.write(async () => {
      await read()
      await db.run('UPDATE billing_accounts SET credit_balance = ? WHERE id = ?', 9, b.id)
      await db.runLater('UPDATE workspaces SET clock_now = ? WHERE id = ?', ctx.now, ctx.workspace.id)
      await db.runLater('INSERT INTO events (workspace_id, at, kind, refs, data, recorded_at) VALUES (?, ?, ?, ?, ?, ?)', ctx.workspace.id, 0, 'test.x', '{}', '{}', 0)
      await read()
      const before = loads
      await db.run("UPDATE workspaces SET seller = NULL WHERE id = ?", ctx.workspace.id)
      await read()
      return { before, after: loads }
    }, { dryRun: true })
    expect(kept).toEqual({ before: 1, after: 2 })
  })
})
