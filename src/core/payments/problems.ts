// Answers after which collection cannot go on for now, and what wsb does about
// each (docs/payments.md): none marks a payment method or moves dunning on.
// An outage is retried with backoff; a refused request (a wsb or configuration
// fault) notifies once and is retried until fixed; a rejected key notifies at
// once and stands in payment_provider_status for `wsb doctor` until the key
// works; a deleted customer is an account problem that `pm add` repairs.
import { and, eq } from 'drizzle-orm'
import type { Ctx } from '../context.js'
import { providerFailure, type WsbError } from '../errors.js'
import { recordEvent } from '../events/record.js'
import { notify } from '../notifications/record.js'
import { redact } from '../redact.js'
import { billingAccounts, type InvoiceRow, paymentMethods, paymentProviderStatus } from '../store/schema/index.js'
import type { StoppingResult } from './outcome.js'

/** The error a stopped collection ends with (exit 5); the lifecycle reschedules the run on it. */
export async function stopCollection(ctx: Ctx, provider: string, invoice: InvoiceRow, answer: StoppingResult, customerId: string | null): Promise<WsbError> {
  const message = redact(answer.message)
  switch (answer.outcome) {
    case 'outage':
      return providerFailure('PROVIDER_ERROR', `the payment provider failed: ${message}`, { provider })
    case 'refused': {
      const code = redact(answer.declineCode)
      await ctx.db.write(async () => {
        await notify(ctx, 'payment_request_refused', `payment_request_refused:${invoice.id}:${code}`,
          `Stripe refused wsb's request to charge invoice ${invoice.displayNumber ?? invoice.id} (${answer.status ?? '4xx'} ${code}: ${message}). This is a fault of wsb or of its configuration, not the customer's: nothing was charged and no payment method was marked. wsb tries again later on its own (backing off to once a day); once the cause is fixed, collection resumes by itself.`,
          { invoiceId: invoice.id, accountId: invoice.accountId })
      })
      return providerFailure('PROVIDER_REFUSED', `Stripe refused the request (${answer.status ?? '4xx'} ${code}): ${message}; nothing was charged, and the invoice stays ${invoice.status}`, { provider, code, status: answer.status })
    }
    case 'key_rejected':
      await keyRejected(ctx, provider, answer)
      return providerFailure('PROVIDER_KEY_REJECTED', `Stripe rejected the secret key (${answer.status ?? '401'} ${redact(answer.declineCode)}): ${message}; set STRIPE_API_KEY to a valid secret key with write access`, {
        provider,
        code: redact(answer.declineCode),
        status: answer.status,
      })
    case 'customer_missing':
      if (customerId) await customerGone(ctx, invoice.accountId, customerId)
      return providerFailure('PAYMENT_CUSTOMER_MISSING', customerMissingText(invoice.accountId, customerId), { provider, accountId: invoice.accountId, customerId })
  }
}

const customerMissingText = (accountId: string, customerId: string | null) =>
  `the Stripe customer${customerId ? ` ${customerId}` : ''} of account ${accountId} no longer exists (deleted in Stripe), so none of its payment methods can be charged; add a payment method with: wsb pm add ${accountId} pm_… (wsb then makes a new customer), and collection resumes by itself`

/** 401/403: standing state for doctor, and a notification at once (one per rejection, until the key works again). */
async function keyRejected(ctx: Ctx, provider: string, answer: Extract<StoppingResult, { outcome: 'key_rejected' }>): Promise<void> {
  const message = redact(answer.message)
  await ctx.db.write(async () => {
    const current = (await ctx.db.orm.select().from(paymentProviderStatus).where(eq(paymentProviderStatus.workspaceId, ctx.workspace.id)).limit(1))[0]
    const since = current?.keyRejectedAt ?? ctx.now
    await ctx.db.orm
      .insert(paymentProviderStatus)
      .values({ workspaceId: ctx.workspace.id, provider, keyRejectedAt: since, status: answer.status, message })
      .onConflictDoUpdate({ target: paymentProviderStatus.workspaceId, set: { provider, keyRejectedAt: since, status: answer.status, message } })
    await notify(ctx, 'provider_key_rejected', `provider_key_rejected:${since}`,
      `The Stripe key was rejected (${answer.status ?? 401} ${redact(answer.declineCode)}: ${message}). wsb cannot collect payments until STRIPE_API_KEY holds a valid secret key with write access; it keeps trying (backing off to once a day) and resumes by itself once the key works. wsb doctor reports this until then.`,
      {})
  })
}

/**
 * The account's provider customer was deleted: forgotten (the next `pm add` makes a new one under
 * a key of its own), the operator told once. Its methods stay until then: `pm add` marks them.
 */
export async function customerGone(ctx: Ctx, accountId: string, customerId: string): Promise<void> {
  await ctx.db.write(async () => {
    const changed = await ctx.db.orm
      .update(billingAccounts)
      .set({ providerCustomerId: null, goneProviderCustomerId: customerId })
      .where(and(eq(billingAccounts.id, accountId), eq(billingAccounts.providerCustomerId, customerId)))
    if (changed.changes === 0) return
    await recordEvent(ctx.db, { workspaceId: ctx.workspace.id, at: ctx.now, kind: 'account.provider_customer_missing', refs: { accountId }, data: { customerId } })
    await notify(ctx, 'payment_customer_missing', `payment_customer_missing:${customerId}`, `${customerMissingText(accountId, customerId)}.`, { accountId })
  })
}

/** When `pm add` has made a new customer: the deleted one's methods were detached by Stripe and can never be charged again. */
export async function retireGoneCustomerMethods(ctx: Ctx, accountId: string): Promise<void> {
  const methods = await ctx.db.orm.select().from(paymentMethods).where(and(eq(paymentMethods.accountId, accountId), eq(paymentMethods.provider, 'stripe')))
  for (const method of methods) {
    if (method.unusableAt !== null) continue
    await ctx.db.orm.update(paymentMethods).set({ unusableAt: ctx.now, unusableReason: 'customer_deleted' }).where(eq(paymentMethods.id, method.id))
    await recordEvent(ctx.db, { workspaceId: ctx.workspace.id, at: ctx.now, kind: 'payment_method.unusable', refs: { accountId, paymentMethodId: method.id }, data: { reason: 'customer_deleted' } })
  }
}

/** The account's customer is known gone and no new one was made yet: nothing can be charged, so nothing is asked. */
export const customerMissingError = (provider: string, accountId: string, goneCustomerId: string | null) =>
  providerFailure('PAYMENT_CUSTOMER_MISSING', customerMissingText(accountId, goneCustomerId), { provider, accountId, customerId: goneCustomerId })
