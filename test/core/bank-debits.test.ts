// Bank debits in the offline sandbox (SEPA Direct Debit, US bank account / ACH):
// `processing` for BANK_SETTLE_DAYS of workspace time, then paid, or failed into
// dunning; and the sandbox's card that needs authentication.
import { describe, expect, it } from 'vitest'
import type { Ctx } from '../../src/core/context.js'
import { listInvoices } from '../../src/core/invoices/list.js'
import { listNotifications } from '../../src/core/notifications/list.js'
import { listPaymentMethods } from '../../src/core/payments/methods.js'
import { payInvoice } from '../../src/core/payments/pay.js'
import { BANK_SETTLE_DAYS, SandboxProvider } from '../../src/core/payments/sandbox.js'
import { addSubscription } from '../../src/core/subscriptions/add.js'
import { listSubscriptions } from '../../src/core/subscriptions/list.js'
import { account, advance, card, refresh, workspace } from '../builders.js'

const START = Date.parse('2026-05-01T00:00:00Z')
const DAY = 24 * 60 * 60 * 1000
const first = async (ctx: Ctx) => (await listInvoices(await refresh(ctx))).invoices[0]
const attempts = async (ctx: Ctx) => (await first(ctx))?.payments.map((p) => [p.run, p.method, p.outcome, p.declineCode])
const subStatus = async (ctx: Ctx) => (await listSubscriptions(await refresh(ctx))).subscriptions.map((s) => s.status)

async function subscribed(tokens: string[]) {
  const ctx = await workspace('single', { start: START })
  await account(ctx, 'Acme')
  for (const token of tokens) await card(ctx, 'Acme', token)
  await addSubscription(await refresh(ctx), { account: 'Acme', items: { users: 3 }, trial: false })
  return ctx
}

describe('bank debits in the sandbox', () => {
  it('pm list names the type: SEPA debit, US bank account and cards, without an expiry for banks', async () => {
    const ctx = await workspace('single', { start: START })
    await account(ctx, 'Acme')
    for (const token of ['pm_sepaDebit_success', 'pm_usBankAccount_failure', 'pm_card_visa']) await card(ctx, 'Acme', token)
    const listed = (await listPaymentMethods(await refresh(ctx), 'Acme')).paymentMethods
    expect(listed.map((m) => [m.type, m.label, m.expiresSoon, m.expired])).toEqual([
      ['sepa_debit', 'SEPA debit ••••3000', false, false],
      ['us_bank_account', 'US bank account ••••1116', false, false],
      ['card', 'Visa ••••4242', false, false],
    ])
    // No card-expiry warning is scheduled for a bank account.
    expect(await ctx.db.all(`SELECT ref_id FROM due_steps WHERE kind = 'card_expiry'`)).toEqual([{ ref_id: listed[2]?.id }])
  })

  it(`R-PAY-1 a SEPA debit is processing for ${BANK_SETTLE_DAYS} days, charges no backup meanwhile, then pays the $30.00 invoice`, async () => {
    const ctx = await subscribed(['pm_sepaDebit_success', 'pm_card_visa'])
    await advance(ctx, START)
    expect(await attempts(ctx)).toEqual([['run-1', 'SEPA debit ••••3000', 'processing', null]])
    await advance(ctx, START + (BANK_SETTLE_DAYS - 1) * DAY)
    expect(await first(ctx)).toMatchObject({ status: 'open', amountPaid: { amount: 0 } })
    expect(await attempts(ctx)).toEqual([['run-1', 'SEPA debit ••••3000', 'processing', null]])
    expect(await subStatus(ctx)).toEqual(['active'])
    await advance(ctx, START + BANK_SETTLE_DAYS * DAY)
    expect(await first(ctx)).toMatchObject({ status: 'paid', amountPaid: { amount: 3000, currency: 'USD' } })
    expect(await attempts(ctx)).toEqual([['run-1', 'SEPA debit ••••3000', 'succeeded', null]])
  })

  it('R-PAY-1 R-PAY-2 an ACH debit that fails after processing tries the next method in the same run, then dunning; the retry debits the bank again and invoice pay starts no other charge meanwhile', async () => {
    const ctx = await subscribed(['pm_usBankAccount_failure', 'pm_card_chargeDeclined'])
    await advance(ctx, START + BANK_SETTLE_DAYS * DAY)
    expect(await attempts(ctx)).toEqual([
      ['run-1', 'US bank account ••••1116', 'failed', 'insufficient_funds'],
      ['run-1', 'Visa ••••0002', 'failed', 'generic_decline'],
    ])
    expect((await first(ctx))?.status).toBe('open')
    expect(await subStatus(ctx)).toEqual(['past_due'])
    expect((await listNotifications(await refresh(ctx))).notifications.map((n) => n.kind)).toEqual(['payment_failed'])
    // invoice pay while a debit is in flight starts no other charge.
    await advance(ctx, START + (BANK_SETTLE_DAYS + 3) * DAY)
    expect((await attempts(ctx))?.slice(2)).toEqual([['run-2', 'US bank account ••••1116', 'processing', null]])
    // It says so (issue 25): PAYMENT_IN_FLIGHT, exit 4, and the attempts are as they were.
    await expect(payInvoice(await refresh(ctx), new SandboxProvider(), (await first(ctx))?.id ?? '')).rejects.toMatchObject({ code: 'PAYMENT_IN_FLIGHT', exitCode: 4 })
    expect((await attempts(ctx))?.map((a) => a[2])).toEqual(['failed', 'failed', 'processing'])
  })

  it('R-PAY-1 a SEPA debit that fails after processing is followed by the next method in the same run, which pays', async () => {
    const ctx = await subscribed(['pm_sepaDebit_failure', 'pm_card_visa'])
    await advance(ctx, START + BANK_SETTLE_DAYS * DAY)
    expect(await attempts(ctx)).toEqual([
      ['run-1', 'SEPA debit ••••3001', 'failed', 'insufficient_funds'],
      ['run-1', 'Visa ••••4242', 'succeeded', null],
    ])
    expect(await first(ctx)).toMatchObject({ status: 'paid', amountPaid: { amount: 3000, currency: 'USD' } })
    expect(await subStatus(ctx)).toEqual(['active'])
    expect((await listNotifications(await refresh(ctx))).notifications).toEqual([])
  })

  it('the sandbox card that needs authentication leaves the invoice open and notifies the next step', async () => {
    const ctx = await subscribed(['pm_card_authenticationRequired', 'pm_card_visa'])
    await advance(ctx, START + 10 * DAY)
    expect(await attempts(ctx)).toEqual([['run-1', 'Visa ••••3184', 'requires_action', 'authentication_required']])
    expect((await first(ctx))?.status).toBe('open')
    expect((await listNotifications(await refresh(ctx))).notifications.map((n) => n.kind)).toEqual(['payment_action_required'])
  })
})
