// Payments in the sandbox provider: methods, failover, dunning, trial conversion, expiry warnings.
import { describe, expect, it } from 'vitest'
import { listInvoices } from '../../src/core/invoices/list.js'
import { listNotifications } from '../../src/core/notifications/list.js'
import { looksLikeCardNumber } from '../../src/core/payments/cards.js'
import { addPaymentMethod, listPaymentMethods, removePaymentMethod, setDefaultPaymentMethod } from '../../src/core/payments/methods.js'
import { payInvoice } from '../../src/core/payments/pay.js'
import { SandboxProvider } from '../../src/core/payments/sandbox.js'
import { poolReport } from '../../src/core/pools/report.js'
import { addSubscription } from '../../src/core/subscriptions/add.js'
import { showSubscription } from '../../src/core/subscriptions/list.js'
import { account, advance, card, refresh, workspace } from '../builders.js'

const sandbox = new SandboxProvider()
const at = (text: string) => Date.parse(text)
const invoices = async (ctx: Parameters<typeof listInvoices>[0]) => await (await listInvoices(await refresh(ctx))).invoices
const attempts = async (ctx: Parameters<typeof listInvoices>[0], index = 0) =>
  (await invoices(ctx))[index]?.payments.map((p) => [p.run, p.paymentMethodId, p.outcome, p.declineCode])

describe('payment methods', () => {
  it('R-PM-1 the first method is the default; at most 5; pm default moves it; removing the default promotes the oldest', async () => {
    const ctx = await workspace('single')
    await account(ctx, 'Acme')
    const first = await card(ctx, 'Acme', 'pm_card_visa')
    expect(first).toMatchObject({ isDefault: true, brand: 'visa', last4: '4242', provider: 'sandbox' })
    const second = await card(ctx, 'Acme', 'pm_card_mastercard')
    const third = await card(ctx, 'Acme', 'pm_card_amex')
    await card(ctx, 'Acme', 'pm_card_discover')
    await card(ctx, 'Acme', 'pm_card_jcb')
    await expect(card(ctx, 'Acme', 'pm_card_visa_debit')).rejects.toMatchObject({ code: 'PAYMENT_METHOD_LIMIT', exitCode: 4 })
    expect((await setDefaultPaymentMethod(ctx, sandbox, { account: 'Acme', method: third.id })).isDefault).toBe(true)
    expect(await (await listPaymentMethods(ctx,'Acme')).paymentMethods.map((m) => m.last4)).toEqual(['8431', '4242', '4444', '1117', '0505'])
    const after = await removePaymentMethod(ctx, sandbox, { account: 'Acme', method: third.id })
    expect(after.paymentMethods.filter((m) => m.isDefault).map((m) => m.id)).toEqual([first.id])
    await removePaymentMethod(ctx, sandbox, { account: 'Acme', method: first.id })
    expect(await (await listPaymentMethods(ctx,'Acme')).paymentMethods[0]).toMatchObject({ id: second.id, isDefault: true })
  })

  it('R-PM-1 the last method of an account with a paid subscription cannot be removed', async () => {
    const ctx = await workspace('single')
    await account(ctx, 'Acme')
    const only = await card(ctx, 'Acme')
    await addSubscription(ctx, { account: 'Acme', items: { users: 1 }, trial: false })
    await expect(removePaymentMethod(ctx, sandbox, { account: 'Acme', method: only.id })).rejects.toMatchObject({ code: 'LAST_PAYMENT_METHOD', exitCode: 4 })
    const backup = await card(ctx, 'Acme', 'pm_card_amex')
    await removePaymentMethod(ctx, sandbox, { account: 'Acme', method: only.id })
    expect(await (await listPaymentMethods(ctx,'Acme')).paymentMethods).toMatchObject([{ id: backup.id, isDefault: true }])
  })

  it('R-PM-1 a trialing subscription does not keep the last method', async () => {
    const ctx = await workspace('single')
    await account(ctx, 'Acme')
    const only = await card(ctx, 'Acme')
    await addSubscription(ctx, { account: 'Acme', items: { users: 1 } })
    expect((await removePaymentMethod(ctx, sandbox, { account: 'Acme', method: only.id })).paymentMethods).toEqual([])
  })

  it('R-PM-2 anything that looks like a card number is refused and never stored', async () => {
    const ctx = await workspace('single')
    await account(ctx, 'Acme')
    for (const raw of ['4242424242424242', '4242 4242 4242 4242', '4000-0566-5566-5556', 'pm_4242424242424242']) {
      expect(looksLikeCardNumber(raw)).toBe(true)
      await expect(addPaymentMethod(ctx, sandbox, { account: 'Acme', source: raw })).rejects.toMatchObject({ code: 'RAW_CARD_REFUSED', exitCode: 4 })
    }
    await expect(addPaymentMethod(ctx, sandbox, { account: 'Acme', source: 'pm_card_nonsense' })).rejects.toMatchObject({ code: 'UNKNOWN_PAYMENT_METHOD', exitCode: 2 })
    // A known token with a malformed expiry is malformed input, not an unknown method.
    for (const expiry of ['13/2026', '00/2030', '1/2030', '12-2030'])
      await expect(addPaymentMethod(ctx, sandbox, { account: 'Acme', source: `pm_card_visa@${expiry}` })).rejects.toMatchObject({ code: 'INVALID_PAYMENT_METHOD', exitCode: 2 })
    expect(await (await listPaymentMethods(ctx,'Acme')).paymentMethods).toEqual([])
    const dump = JSON.stringify(await ctx.db.all('SELECT * FROM events'))
    expect(dump).not.toMatch(/4242424242|4242 4242|0566-5566/)
  })

  it('R-PAY-3 a card expiring within 30 days raises a notification and is flagged', async () => {
    let ctx = await workspace('single', { start: at('2026-01-10T00:00:00Z') })
    await account(ctx, 'Acme')
    await card(ctx, 'Acme', 'pm_card_visa@02/2026') // good through Feb 28
    await card(ctx, 'Acme', 'pm_card_amex@12/2030')
    expect(await (await listPaymentMethods(ctx,'Acme')).paymentMethods.map((m) => m.expiresSoon)).toEqual([false, false])
    ctx = await advance(ctx, at('2026-01-30T00:00:00Z'))
    expect(await (await listNotifications(ctx)).notifications.map((n) => [n.kind, n.at])).toEqual([['card_expiring', '2026-01-30T00:00:00.000Z']])
    expect(await (await listPaymentMethods(ctx,'Acme')).paymentMethods.map((m) => [m.last4, m.expiresSoon, m.expired])).toEqual([
      ['4242', true, false],
      ['8431', false, false],
    ])
    ctx = await advance(ctx, at('2026-03-01T00:00:00Z'))
    expect(await (await listPaymentMethods(ctx,'Acme')).paymentMethods[0]).toMatchObject({ expired: true })
    const notes = (await listNotifications(ctx)).notifications
    expect(notes).toHaveLength(1)
    expect(notes[0]?.message).toBe('The visa card ending 4242 of account "Acme" expires at the end of 02/2026; add another payment method.')
  })

  it('R-PAY-3 a card added after its month ended is said to have expired, not to expire', async () => {
    let ctx = await workspace('single', { start: at('2026-01-09T00:00:00Z') })
    await account(ctx, 'Acme')
    await card(ctx, 'Acme', 'pm_card_visa@12/2025')
    // Its warning step was due before now: the next catch-up runs it.
    ctx = await advance(ctx, at('2026-01-10T00:00:00Z'))
    expect((await listNotifications(ctx)).notifications.map((n) => n.message)).toEqual([
      'The visa card ending 4242 of account "Acme" expired at the end of 12/2025 and cannot be charged; add another payment method.',
    ])
  })
})

describe('collection and failover', () => {
  it('R-PAY-1 an invoice is paid by the default method at once', async () => {
    let ctx = await workspace('single')
    await account(ctx, 'Acme')
    await card(ctx, 'Acme')
    await addSubscription(ctx, { account: 'Acme', items: { users: 3 }, trial: false })
    ctx = await advance(ctx, ctx.now)
    expect((await invoices(ctx))[0]).toMatchObject({ status: 'paid', amountPaid: { amount: 3_000 }, paidAt: new Date(ctx.now).toISOString() })
    expect((await attempts(ctx))).toEqual([['run-1', await (await listPaymentMethods(ctx,'Acme')).paymentMethods[0]?.id, 'succeeded', null]])
  })

  it('R-PAY-1 when the default declines, the backups are tried in the order added', async () => {
    let ctx = await workspace('single')
    await account(ctx, 'Acme')
    const declined = await card(ctx, 'Acme', 'pm_card_chargeDeclinedInsufficientFunds')
    const broke = await card(ctx, 'Acme', 'pm_card_chargeDeclined')
    const visa = await card(ctx, 'Acme', 'pm_card_visa')
    await addSubscription(ctx, { account: 'Acme', items: { users: 3 }, trial: false })
    ctx = await advance(ctx, ctx.now)
    expect((await attempts(ctx))).toEqual([
      ['run-1', declined.id, 'failed', 'insufficient_funds'],
      ['run-1', broke.id, 'failed', 'generic_decline'],
      ['run-1', visa.id, 'succeeded', null],
    ])
    expect((await invoices(ctx))[0]?.status).toBe('paid')
  })

  it('R-PAY-2 all methods failing: past_due, retries 3, 5 and 7 days after, then unpaid and uncollectible', async () => {
    let ctx = await workspace('single', { start: at('2026-01-01T00:00:00Z') })
    await account(ctx, 'Acme')
    await card(ctx, 'Acme', 'pm_card_chargeDeclined')
    await card(ctx, 'Acme', 'pm_card_chargeDeclinedInsufficientFunds')
    const sub = await addSubscription(ctx, { account: 'Acme', items: { users: 3 }, trial: false })
    ctx = await advance(ctx, ctx.now)
    expect((await showSubscription(ctx, sub.id)).status).toBe('past_due')
    expect((await invoices(ctx))[0]?.status).toBe('open')
    expect(await (await poolReport(ctx)).pools[0]?.products[0]?.capacity).toBe(3) // past_due still contributes
    ctx = await advance(ctx, '2d')
    expect(new Set((await invoices(ctx))[0]?.payments.map((p) => p.run))).toEqual(new Set(['run-1']))
    ctx = await advance(ctx, '1d') // day 3
    ctx = await advance(ctx, '2d') // day 5
    expect((await showSubscription(ctx, sub.id)).status).toBe('past_due')
    ctx = await advance(ctx, '2d') // day 7: the last retry
    const invoice = (await invoices(ctx))[0]
    expect(invoice?.status).toBe('uncollectible')
    expect(invoice?.payments.map((p) => [p.run, p.at.slice(0, 10), p.declineCode])).toEqual([
      ['run-1', '2026-01-01', 'generic_decline'],
      ['run-1', '2026-01-01', 'insufficient_funds'],
      ['run-2', '2026-01-04', 'generic_decline'],
      ['run-2', '2026-01-04', 'insufficient_funds'],
      ['run-3', '2026-01-06', 'generic_decline'],
      ['run-3', '2026-01-06', 'insufficient_funds'],
      ['run-4', '2026-01-08', 'generic_decline'],
      ['run-4', '2026-01-08', 'insufficient_funds'],
    ])
    expect((await showSubscription(ctx, sub.id)).status).toBe('unpaid')
    expect(await (await poolReport(ctx)).pools[0]?.products).toEqual([]) // unpaid stops contributing
    expect(await (await listNotifications(ctx)).notifications.map((n) => n.kind)).toEqual(['payment_failed', 'payment_failed', 'payment_failed', 'payment_failed_final'])
  })

  it('R-PAY-2 a success on the day-5 retry returns the subscription to active', async () => {
    let ctx = await workspace('single', { start: at('2026-01-01T00:00:00Z') })
    await account(ctx, 'Acme')
    await card(ctx, 'Acme', 'pm_card_chargeDeclined')
    const sub = await addSubscription(ctx, { account: 'Acme', items: { users: 3 }, trial: false })
    ctx = await advance(ctx, '4d') // runs 1 and 2 failed
    expect((await showSubscription(ctx, sub.id)).status).toBe('past_due')
    const visa = await card(ctx, 'Acme', 'pm_card_visa')
    ctx = await advance(ctx, '1d') // day 5
    expect((await invoices(ctx))[0]).toMatchObject({ status: 'paid', paidAt: '2026-01-06T00:00:00.000Z' })
    expect((await invoices(ctx))[0]?.payments.at(-1)).toMatchObject({ run: 'run-3', paymentMethodId: visa.id, outcome: 'succeeded' })
    expect((await showSubscription(ctx, sub.id)).status).toBe('active')
    ctx = await advance(ctx, '10d')
    expect((await invoices(ctx))[0]?.payments).toHaveLength(4) // no more retries
  })

  it('R-PAY-1 invoice pay collects now; failing it exits 5 and leaves the retry schedule alone', async () => {
    let ctx = await workspace('single', { start: at('2026-01-01T00:00:00Z') })
    await account(ctx, 'Acme')
    await card(ctx, 'Acme', 'pm_card_chargeDeclined')
    const sub = await addSubscription(ctx, { account: 'Acme', items: { users: 3 }, trial: false })
    ctx = await advance(ctx, ctx.now)
    const [invoice] = (await invoices(ctx))
    await expect(payInvoice(ctx, sandbox, invoice?.id ?? '')).rejects.toMatchObject({
      code: 'PAYMENT_FAILED',
      exitCode: 5,
      details: { attempts: [expect.objectContaining({ run: 'manual-1', declineCode: 'generic_decline' })] },
    })
    await card(ctx, 'Acme', 'pm_card_visa')
    const paid = await payInvoice(ctx, sandbox, invoice?.id ?? '')
    expect(paid).toMatchObject({ status: 'paid' })
    expect(paid.payments.map((p) => [p.run, p.outcome])).toEqual([
      ['run-1', 'failed'],
      ['manual-1', 'failed'],
      ['manual-2', 'failed'],
      ['manual-2', 'succeeded'],
    ])
    expect((await showSubscription(ctx, sub.id)).status).toBe('active')
    expect(await payInvoice(ctx, sandbox, invoice?.id ?? '')).toMatchObject({ status: 'paid' }) // paying twice charges nothing
  })

  it('R-TR-3 a trial with a default method converts at its end and its first invoice is charged at once', async () => {
    let ctx = await workspace('single', { start: at('2026-03-01T00:00:00Z') })
    await account(ctx, 'Acme')
    await card(ctx, 'Acme')
    const sub = await addSubscription(ctx, { account: 'Acme', items: { users: 10 } })
    expect(sub.status).toBe('trialing')
    ctx = await advance(ctx, '14d')
    expect(await showSubscription(ctx, sub.id)).toMatchObject({ status: 'active', currentPeriodStart: '2026-03-15T00:00:00.000Z', currentPeriodEnd: '2026-04-15T00:00:00.000Z' })
    expect((await invoices(ctx))).toMatchObject([{ number: 1, reason: 'trial_end', status: 'paid', issuedAt: '2026-03-15T00:00:00.000Z', paidAt: '2026-03-15T00:00:00.000Z', total: { amount: 10_000 } }])
  })
})
