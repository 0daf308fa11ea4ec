// Issuing an invoice (R-INV-1, R-INV-2): the subscription's items for the new
// period and the proration lines it accumulated, the account's discount, tax on
// the discounted subtotal, credit drawn down, the next gapless number. Issued
// invoices never change afterwards except for payment status.
import { and, asc, eq, inArray, isNull, ne, sql } from 'drizzle-orm'
import { periodAmount } from '../catalog/pricing.js'
import { priceById } from '../catalog/prices.js'
import { shortTime } from '../clock.js'
import type { Ctx } from '../context.js'
import { recordEvent } from '../events/record.js'
import { newId } from '../ids.js'
import { schedule } from '../lifecycle/queue.js'
import type { Db } from '../store/open.js'
import {
  accountDiscounts,
  billingAccounts,
  coupons,
  creditEntries,
  type InvoiceRow,
  invoiceLines,
  invoices,
  pendingLines,
  products,
  type SubscriptionRow,
  subscriptionItems,
  type InvoiceSnapshot,
  type BillingAccountRow,
  type SellerIdentity,
} from '../store/schema/index.js'
import { composeTotals, type Discount } from './compose.js'
import { accountPrefix, formatInvoiceNumber } from './numbering.js'
import { taxFor } from './tax.js'
import { sellerOf } from '../workspaces/seller.js'

export type IssueReason = 'subscription_create' | 'subscription_cycle' | 'trial_end' | 'subscription_final'

type Line = Omit<typeof invoiceLines.$inferInsert, 'invoiceId' | 'position'>


/** The account's discount if its coupon applies to this currency (R-INV-4). */
async function activeDiscount(ctx: Ctx, accountId: string, currency: string) {
  const { db } = ctx
  const row = await db.memo(`discount:${accountId}`, [`account_discounts#account_id=${accountId}`, 'coupons'], async () => (await db.orm
    .select({ coupon: coupons, used: accountDiscounts.invoicesUsed })
    .from(accountDiscounts)
    .innerJoin(coupons, eq(coupons.id, accountDiscounts.couponId))
    .where(eq(accountDiscounts.accountId, accountId)).limit(1))[0])
  if (!row) return undefined
  if (row.coupon.amountOff !== null && row.coupon.currency !== currency) return undefined
  return row
}

const DAY = 86_400_000

const addressLines = (text: string | null): string[] => (text ?? '').split('\n').map((l) => l.trim()).filter(Boolean)

/** What the invoice prints about who pays, as it is at issue (R-INV-1: frozen). */
const buyerParty = (a: BillingAccountRow): InvoiceSnapshot['buyer'] => ({
  name: a.name,
  addressLines: addressLines(a.address),
  country: a.country,
  region: a.region,
  taxId: a.taxId,
  email: a.email,
})

const sellerParty = (s: SellerIdentity | null): InvoiceSnapshot['seller'] =>
  s && { name: s.legalName, addressLines: s.addressLines, country: s.country, region: null, taxId: s.taxId, email: s.email, logo: s.logo, footer: s.footer }

/** The memo key and tables of an account's last invoice number. */
const lastNumberMemo = (accountId: string) => [`invoice-number:${accountId}`, [`invoices#account_id=${accountId}`]] as const

/** The account's last invoice number (0 before its first), kept for the transaction: a replay issues many in a row (remembered after each insert). */
export async function lastInvoiceNumber(db: Db, accountId: string): Promise<number> {
  return await db.memo(...lastNumberMemo(accountId), async () => ((await db.get('SELECT coalesce(max(number), 0) AS n FROM invoices WHERE account_id = ?', accountId)) as { n: number }).n)
}

export async function issueInvoice(
  ctx: Ctx,
  sub: SubscriptionRow,
  options: { reason: IssueReason; periodStart: number; periodEnd: number; items: boolean },
): Promise<InvoiceRow|undefined> {
  const { db, now } = ctx
  const lines: Line[] = []
  if (options.items) {
    const names = new Map((await db.memo(`products:${sub.workspaceId}`, ['products'], async () => await db.orm.select().from(products).where(eq(products.workspaceId, sub.workspaceId)))).map((p) => [p.key, p.name]))
    const items = await db.memo(`items:${sub.id}`, [`subscription_items#subscription_id=${sub.id}`], async () =>
      await db.orm.select().from(subscriptionItems).where(eq(subscriptionItems.subscriptionId, sub.id)).orderBy(asc(subscriptionItems.product)))
    for (const item of items) {
      if (item.quantity <= 0) continue
      const price = await priceById(db, item.priceId)
      lines.push({
        kind: 'subscription',
        description: `${names.get(item.product) ?? item.product} × ${item.quantity} (${shortTime(options.periodStart)} – ${shortTime(options.periodEnd)})`,
        product: item.product,
        quantity: item.quantity,
        unitAmount: price.scheme === 'per_unit' ? price.unitAmount : null,
        amount: periodAmount(price, item.quantity),
        periodStart: options.periodStart,
        periodEnd: options.periodEnd,
      })
    }
  }
  // 0 lines are no longer recorded; a database from before may still hold some, never to be billed.
  const pending = await db.memo(`pending:${sub.id}`, [`pending_lines#subscription_id=${sub.id}`], async () => await db.orm
    .select()
    .from(pendingLines)
    .where(and(eq(pendingLines.subscriptionId, sub.id), isNull(pendingLines.invoiceId), ne(pendingLines.amount, 0)))
    .orderBy(asc(pendingLines.id)))
  for (const line of pending)
    lines.push({
      kind: 'proration',
      description: line.description,
      product: line.product,
      quantity: line.toQuantity - line.fromQuantity,
      unitAmount: line.unitAmount,
      amount: line.amount,
      periodStart: line.periodStart,
      periodEnd: line.periodEnd,
    })
  if (lines.length === 0) return undefined

  const account = await db.memo(`account:${sub.accountId}`, [`billing_accounts#id=${sub.accountId}`], async () => (await db.orm.select().from(billingAccounts).where(eq(billingAccounts.id, sub.accountId)).limit(1))[0])
  if (!account) throw new Error(`account ${sub.accountId} is missing`)
  const discount = await activeDiscount(ctx, account.id, sub.currency)
  const seller = await sellerOf(db, sub.workspaceId)
  const tax = await taxFor(db, sub.workspaceId, account, seller)
  const totals = composeTotals({
    lineAmounts: lines.map((line) => line.amount),
    discount: discount ? ({ percentOffMilli: discount.coupon.percentOffMilli, amountOff: discount.coupon.amountOff } satisfies Discount) : null,
    taxRateMilli: tax.rateMilli,
    creditBalance: account.creditBalance,
  })
  if (discount && totals.discount > 0)
    lines.push({
      kind: 'discount',
      description: `Discount ${discount.coupon.code}${discount.coupon.percentOffMilli !== null ? ` (${discount.coupon.percentOffMilli / 1000}% off)` : ''}`,
      product: null,
      quantity: null,
      unitAmount: null,
      amount: -totals.discount,
      periodStart: null,
      periodEnd: null,
    })

  const number = (await lastInvoiceNumber(db, account.id)) + 1
  const displayNumber = formatInvoiceNumber(await accountPrefix(db, account), number)
  const snapshot: InvoiceSnapshot = { seller: sellerParty(seller), buyer: buyerParty(account), tax, paymentTermsDays: seller?.paymentTermsDays ?? 0 }
  const paid = totals.amountDue === 0
  const values = {
      id: newId('invoice'),
      workspaceId: sub.workspaceId,
      accountId: account.id,
      subscriptionId: sub.id,
      number,
      status: paid ? 'paid' : 'open',
      reason: options.reason,
      currency: sub.currency,
      periodStart: options.periodStart,
      periodEnd: options.periodEnd,
      subtotal: totals.subtotal,
      discount: totals.discount,
      taxRateMilli: tax.rateMilli,
      tax: totals.tax,
      total: totals.total,
      creditApplied: totals.creditApplied,
      amountDue: totals.amountDue,
      issuedAt: now,
      paidAt: paid ? now : null,
      displayNumber,
      dueAt: now + snapshot.paymentTermsDays * DAY,
      snapshot,
    } satisfies typeof invoices.$inferInsert
  // Nothing reads these writes' outcome: on PostgreSQL they go with the next statement (Db.later).
  await db.later(db.orm.insert(invoices).values(values))
  db.remember(...lastNumberMemo(account.id), number)
  const invoice: InvoiceRow = { ...values, amountPaid: 0, firstFailedAt: null, attemptRuns: 0 }
  await db.later(db.orm.insert(invoiceLines).values(lines.map((line, position) => ({ ...line, invoiceId: invoice.id, position }))))
  if (pending.length) await db.later(db.orm.update(pendingLines).set({ invoiceId: invoice.id }).where(inArray(pendingLines.id, pending.map((line) => line.id))))

  const creditChange = totals.creditGranted - totals.creditApplied
  if (creditChange !== 0) {
    await db.later(db.orm.insert(creditEntries).values({ accountId: account.id, amount: creditChange, invoiceId: invoice.id, note: creditChange < 0 ? 'applied to invoice' : 'credit from invoice', at: now }))
    await db.later(db.orm.update(billingAccounts).set({ creditBalance: sql`${billingAccounts.creditBalance} + ${creditChange}` }).where(eq(billingAccounts.id, account.id)))
  }
  // Only an invoice with something to discount counts against the coupon (docs/rules.md "Discounts and credit"): a subtotal of 0 or less does not use it up.
  if (discount && totals.subtotal > 0) {
    const used = discount.used + 1
    const ends = discount.coupon.duration === 'once' || (discount.coupon.duration === 'repeating' && used >= (discount.coupon.durationInvoices ?? 1))
    if (ends) {
      await db.later(db.orm.delete(accountDiscounts).where(eq(accountDiscounts.accountId, account.id)))
      await recordEvent(db, { workspaceId: sub.workspaceId, at: now, kind: 'discount.ended', refs: { accountId: account.id, couponId: discount.coupon.id } })
    } else await db.later(db.orm.update(accountDiscounts).set({ invoicesUsed: used }).where(eq(accountDiscounts.accountId, account.id)))
  }
  await recordEvent(db, {
    workspaceId: sub.workspaceId,
    at: now,
    kind: 'invoice.issued',
    refs: { invoiceId: invoice.id, accountId: account.id, subscriptionId: sub.id },
    data: { number, reason: options.reason, total: { amount: totals.total, currency: sub.currency }, amountDue: { amount: totals.amountDue, currency: sub.currency } },
  })
  if (paid) await recordEvent(db, { workspaceId: sub.workspaceId, at: now, kind: 'invoice.paid', refs: { invoiceId: invoice.id, accountId: account.id }, data: { by: 'credit' } })
  // Collected at once by the lifecycle, outside this transaction (R-PAY-1).
  else await schedule(db, sub.workspaceId, 'collect', invoice.id, now)
  return invoice
}
