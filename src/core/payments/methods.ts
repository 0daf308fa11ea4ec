// Payment methods of a billing account (R-PM-1, R-PM-2): at most 5; the first
// is the default; removing the default promotes the oldest remaining; the last
// one cannot go while a paid subscription is active. Provider calls happen
// outside transactions; the database records what the provider confirmed.
import { and, asc, count, desc, eq, inArray, sql } from 'drizzle-orm'
import { one } from '../store/db.js'
import { resolveAccount } from '../accounts/resolve.js'
import { iso } from '../clock.js'
import type { Ctx } from '../context.js'
import { invalid, notFound, refused } from '../errors.js'
import { recordEvent } from '../events/record.js'
import { newId } from '../ids.js'
import { schedule, unschedule } from '../lifecycle/queue.js'
import type { Db } from '../store/open.js'
import { type BillingAccountRow, billingAccounts, invoices, type PaymentMethodRow, paymentMethods, subscriptions } from '../store/schema/index.js'
import { addDaysUtc } from '../subscriptions/periods.js'
import { EXPIRY_WARNING_DAYS, expiresAt, refuseCardNumber } from './cards.js'
import { type MethodType, methodLabel } from './label.js'
import { customerGone, retireGoneCustomerMethods } from './problems.js'
import type { MandateInput, PaymentProvider } from './provider.js'

export const MAX_PAYMENT_METHODS = 5

export type PaymentMethodView = {
  id: string
  accountId: string
  provider: 'sandbox' | 'stripe'
  providerId: string
  type: MethodType
  /** The human name: "Visa ••••4242", "SEPA debit ••••3000" (label.ts). */
  label: string
  brand: string
  last4: string
  expMonth: number
  expYear: number
  isDefault: boolean
  /** Expires within 30 days of workspace time (R-PAY-3). */
  expiresSoon: boolean
  expired: boolean
  /** The provider said it is gone or not this customer's (e.g. resource_missing): collection skips it. */
  unusable: { at: string; reason: string | null } | null
  /** The mandate a bank debit is charged under (Stripe's mandate_…); null for cards and in the sandbox. */
  mandateId: string | null
  createdAt: string
}

export function paymentMethodView(row: PaymentMethodRow, now: number): PaymentMethodView {
  const end = row.type === 'card' ? expiresAt(row.expMonth, row.expYear) : Number.POSITIVE_INFINITY
  return {
    id: row.id,
    accountId: row.accountId,
    provider: row.provider,
    providerId: row.providerId,
    type: row.type,
    label: methodLabel(row),
    // A SEPA debit has no brand; rows saved before that was so held the bank code.
    brand: row.type === 'sepa_debit' ? 'sepa_debit' : row.brand,
    last4: row.last4,
    expMonth: row.expMonth,
    expYear: row.expYear,
    isDefault: row.isDefault,
    expiresSoon: now < end && now >= addDaysUtc(end, -EXPIRY_WARNING_DAYS),
    expired: now >= end,
    unusable: row.unusableAt === null ? null : { at: iso(row.unusableAt), reason: row.unusableReason },
    mandateId: row.mandateId,
    createdAt: iso(row.createdAt),
  }
}

/** Default first, then backups in the order they were added (R-PAY-1). */
export async function methodsInOrder(db: Db, accountId: string): Promise<PaymentMethodRow[]> {
  return (await db.orm
    .select()
    .from(paymentMethods)
    .where(eq(paymentMethods.accountId, accountId))
    .orderBy(desc(paymentMethods.isDefault), asc(paymentMethods.createdAt), sql.raw(db.creationOrder)))
}

export async function listPaymentMethods(ctx: Ctx, account: string): Promise<{ paymentMethods: PaymentMethodView[]} > {
  const row = await resolveAccount(ctx.db, ctx.workspace.id, account)
  return { paymentMethods: (await methodsInOrder(ctx.db, row.id)).map((m) => paymentMethodView(m, ctx.now)) }
}

async function resolveMethod(db: Db, accountId: string, ref: string): Promise<PaymentMethodRow> {
  const row = (await db.orm
    .select()
    .from(paymentMethods)
    .where(and(eq(paymentMethods.accountId, accountId), sql`(${paymentMethods.id} = ${ref} OR ${paymentMethods.providerId} = ${ref})`)).limit(1))[0]
  if (!row) throw notFound('payment method', ref)
  return row
}

async function countMethods(db: Db, accountId: string): Promise<number> {
  return (await db.orm.select({ n: count() }).from(paymentMethods).where(eq(paymentMethods.accountId, accountId)).limit(1))[0]?.n ?? 0
}

/** The provider's customer for the account, made when there is none (a deleted one is replaced); true in `replaced` when it replaces a deleted one. */
async function customerFor(ctx: Ctx, provider: PaymentProvider, account: BillingAccountRow): Promise<{ customerId: string; replaced: boolean }> {
  const customerId = await provider.ensureCustomer({ id: account.id, name: account.name, email: account.email, workspaceId: ctx.workspace.id, customerId: account.providerCustomerId, goneCustomerId: account.goneProviderCustomerId })
  if (customerId === account.providerCustomerId) return { customerId, replaced: false }
  await ctx.db.write(async () => await ctx.db.orm.update(billingAccounts).set({ providerCustomerId: customerId }).where(eq(billingAccounts.id, account.id)))
  return { customerId, replaced: account.goneProviderCustomerId !== null }
}

export async function addPaymentMethod(ctx: Ctx, provider: PaymentProvider, input: { account: string; source: string; mandate?: MandateInput }): Promise<PaymentMethodView> {
  const { db, workspace, now } = ctx
  refuseCardNumber(input.source)
  if (!/^pm_[A-Za-z0-9_]+(@\d{2}\/\d{4})?$/.test(input.source))
    throw invalid('expected a Stripe PaymentMethod id (pm_…) or a test token such as pm_card_visa', {}, 'INVALID_PAYMENT_METHOD')
  const account = await resolveAccount(db, workspace.id, input.account)
  const limit = async () => {
    if (await countMethods(db, account.id) >= MAX_PAYMENT_METHODS)
      throw refused('PAYMENT_METHOD_LIMIT', `billing account "${account.name}" already has ${MAX_PAYMENT_METHODS} payment methods; remove one first`, {
        accountId: account.id,
        limit: MAX_PAYMENT_METHODS,
      })
  }
  await limit()
  let { customerId, replaced } = await customerFor(ctx, provider, account)
  let attached: Awaited<ReturnType<PaymentProvider['attach']>>
  try {
    attached = await provider.attach(customerId, input.source, input.mandate)
  } catch (error) {
    // The customer was deleted in Stripe and wsb had not heard: a new one is made, and the method attached to it.
    if (!(error instanceof Error && (error as { code?: string }).code === 'CUSTOMER_MISSING')) throw error
    await customerGone(ctx, account.id, customerId)
    ;({ customerId, replaced } = await customerFor(ctx, provider, { ...account, providerCustomerId: null, goneProviderCustomerId: customerId }))
    attached = await provider.attach(customerId, input.source, input.mandate)
  }
  const first = await countMethods(db, account.id) === 0
  if (first) await provider.setDefault(customerId, attached.providerId)
  const row = await db.write(async () => {
    // The deleted customer's methods were detached with it: they can never be charged again.
    if (replaced) {
      await retireGoneCustomerMethods(ctx, account.id)
      await resumeCollection(db, account.id, now)
    }
    await limit()
    const duplicate = (await db.orm.select().from(paymentMethods).where(and(eq(paymentMethods.accountId, account.id), eq(paymentMethods.providerId, attached.providerId))).limit(1))[0]
    // A method marked unusable that the provider attached again can be charged again.
    if (duplicate?.unusableAt != null) return await restore(ctx, duplicate, attached)
    if (duplicate) throw refused('PAYMENT_METHOD_EXISTS', `that payment method is already on file as ${duplicate.id}`, { paymentMethodId: duplicate.id })
    const isDefault = await countMethods(db, account.id) === 0
    const inserted = one(await db.orm
      .insert(paymentMethods)
      .values({
        id: newId('paymentMethod'),
        workspaceId: workspace.id,
        accountId: account.id,
        provider: provider.name,
        providerId: attached.providerId,
        source: input.source,
        type: attached.card.type,
        brand: attached.card.brand,
        last4: attached.card.last4,
        expMonth: attached.card.expMonth,
        expYear: attached.card.expYear,
        mandateId: attached.mandateId,
        isDefault,
        createdAt: now,
      })
      .returning())
    // R-PAY-3: a warning 30 days before the card expires (now, if that has passed); a bank account does not expire.
    if (inserted.type === 'card') await schedule(db, workspace.id, 'card_expiry', inserted.id, Math.max(now, addDaysUtc(expiresAt(inserted.expMonth, inserted.expYear), -EXPIRY_WARNING_DAYS)))
    await recordEvent(db, {
      workspaceId: workspace.id,
      at: now,
      kind: 'payment_method.added',
      refs: { accountId: account.id, paymentMethodId: inserted.id },
      data: { provider: provider.name, type: inserted.type, brand: inserted.brand, last4: inserted.last4, default: isDefault },
    })
    return inserted
  })
  return paymentMethodView(row, now)
}

export async function setDefaultPaymentMethod(ctx: Ctx, provider: PaymentProvider, input: { account: string; method: string }): Promise<PaymentMethodView> {
  const { db, workspace, now } = ctx
  const account = await resolveAccount(db, workspace.id, input.account)
  const method = await resolveMethod(db, account.id, input.method)
  if (method.isDefault) return paymentMethodView(method, now)
  if (account.providerCustomerId && method.provider === provider.name) await provider.setDefault(account.providerCustomerId, method.providerId)
  const row = await db.write(async () => {
    await db.orm.update(paymentMethods).set({ isDefault: false }).where(eq(paymentMethods.accountId, account.id))
    const updated = one(await db.orm.update(paymentMethods).set({ isDefault: true }).where(eq(paymentMethods.id, method.id)).returning())
    await recordEvent(db, { workspaceId: workspace.id, at: now, kind: 'payment_method.default_changed', refs: { accountId: account.id, paymentMethodId: method.id } })
    return updated
  })
  return paymentMethodView(row, now)
}

export async function removePaymentMethod(
  ctx: Ctx,
  provider: PaymentProvider,
  input: { account: string; method: string },
): Promise<{ removed: string; paymentMethods: PaymentMethodView[] }> {
  const { db, workspace, now } = ctx
  const account = await resolveAccount(db, workspace.id, input.account)
  const method = await resolveMethod(db, account.id, input.method)
  const requireAnother = async () => {
    if (await countMethods(db, account.id) > 1) return
    const paid = (await db.orm
      .select({ id: subscriptions.id })
      .from(subscriptions)
      .where(and(eq(subscriptions.accountId, account.id), inArray(subscriptions.status, ['active', 'past_due']))).limit(1))[0]
    if (paid)
      throw refused('LAST_PAYMENT_METHOD', `this is the last payment method of "${account.name}", which has a paid subscription (${paid.id}); add another first`, {
        accountId: account.id,
        subscriptionId: paid.id,
      })
  }
  await requireAnother()
  if (method.provider === provider.name) await provider.detach(method.providerId)
  const promoted = await db.write(async () => {
    await requireAnother()
    await db.orm.delete(paymentMethods).where(eq(paymentMethods.id, method.id))
    await unschedule(db, workspace.id, 'card_expiry', method.id)
    let next: PaymentMethodRow | undefined
    if (method.isDefault) {
      // The oldest method that can still be charged; an unusable one only when nothing else is left.
      next = (await db.orm.select().from(paymentMethods).where(eq(paymentMethods.accountId, account.id)).orderBy(sql`${paymentMethods.unusableAt} IS NOT NULL`, asc(paymentMethods.createdAt), sql.raw(db.creationOrder)).limit(1))[0]
      if (next) await db.orm.update(paymentMethods).set({ isDefault: true }).where(eq(paymentMethods.id, next.id))
    }
    await recordEvent(db, {
      workspaceId: workspace.id,
      at: now,
      kind: 'payment_method.removed',
      refs: { accountId: account.id, paymentMethodId: method.id, ...(next ? { promotedId: next.id } : {}) },
    })
    return next
  })
  if (promoted && account.providerCustomerId && promoted.provider === provider.name) await provider.setDefault(account.providerCustomerId, promoted.providerId)
  return { removed: method.id, paymentMethods: (await listPaymentMethods(ctx, account.id)).paymentMethods }
}

/** The account's open invoices waiting on a blocked collection are collected at once (the next catch-up runs them). */
async function resumeCollection(db: Db, accountId: string, now: number): Promise<void> {
  const open = await db.orm.select({ id: invoices.id }).from(invoices).where(and(eq(invoices.accountId, accountId), eq(invoices.status, 'open')))
  for (const invoice of open) await db.run(`UPDATE due_steps SET due_at = ? WHERE kind = 'collect' AND ref_id = ? AND due_at > ?`, now, invoice.id, now)
}

/** A method on file but marked unusable, attached to the customer again: usable from now on, with what the provider says of it now. */
async function restore(ctx: Ctx, row: PaymentMethodRow, attached: Awaited<ReturnType<PaymentProvider['attach']>>): Promise<PaymentMethodRow> {
  const restored = one(await ctx.db.orm
    .update(paymentMethods)
    .set({ unusableAt: null, unusableReason: null, type: attached.card.type, brand: attached.card.brand, last4: attached.card.last4, expMonth: attached.card.expMonth, expYear: attached.card.expYear, mandateId: attached.mandateId })
    .where(eq(paymentMethods.id, row.id))
    .returning())
  await recordEvent(ctx.db, { workspaceId: row.workspaceId, at: ctx.now, kind: 'payment_method.restored', refs: { accountId: row.accountId, paymentMethodId: row.id }, data: { was: row.unusableReason } })
  return restored
}
