// Coupons and account discounts (R-INV-4): percent or amount off; once, for
// the next N invoices (repeating), or forever. An account has one discount at
// a time; attaching another replaces it.
import { and, eq, sql } from 'drizzle-orm'
import { one } from '../store/db.js'
import { resolveAccount } from '../accounts/resolve.js'
import { iso } from '../clock.js'
import type { Ctx } from '../context.js'
import { currency } from '../currency.js'
import { invalid, notFound, refused } from '../errors.js'
import { recordEvent } from '../events/record.js'
import { newId } from '../ids.js'
import type { Money } from '../money.js'
import { accountDiscounts, type CouponDuration, type CouponRow, coupons } from '../store/schema/index.js'
import { asciiOnly, sameName } from '../names.js'

export type CouponView = {
  id: string
  code: string
  name: string
  percentOff: number | null
  amountOff: Money | null
  duration: CouponDuration
  durationInvoices: number | null
  createdAt: string
}

export const couponView = (row: CouponRow): CouponView => ({
  id: row.id,
  code: row.code,
  name: row.name,
  percentOff: row.percentOffMilli === null ? null : row.percentOffMilli / 1000,
  amountOff: row.amountOff === null ? null : { amount: row.amountOff, currency: row.currency ?? '' },
  duration: row.duration,
  durationInvoices: row.durationInvoices,
  createdAt: iso(row.createdAt),
})

export type CreateCouponInput = {
  code: string
  name?: string
  percentOffMilli?: number
  amountOff?: number
  currency?: string
  duration: CouponDuration
  durationInvoices?: number
}

export async function createCoupon(ctx: Ctx, input: CreateCouponInput): Promise<CouponView> {
  const { db, workspace, now } = ctx
  if ((input.percentOffMilli === undefined) === (input.amountOff === undefined)) throw invalid('give exactly one of --percent-off and --amount-off')
  if (input.percentOffMilli !== undefined && (input.percentOffMilli <= 0 || input.percentOffMilli > 100_000))
    throw invalid('--percent-off: expected more than 0 and at most 100')
  if (input.amountOff !== undefined && input.currency === undefined) throw invalid('--amount-off needs --currency', {}, 'MISSING_INPUT')
  if (input.duration === 'repeating' && !input.durationInvoices) throw invalid('a repeating coupon needs --invoices N (how many invoices it discounts)', {}, 'MISSING_INPUT')
  if (input.duration !== 'repeating' && input.durationInvoices !== undefined) throw invalid('--invoices goes only with --duration repeating')
  const code = input.currency === undefined ? undefined : currency(input.currency).code
  return await db.write(async () => {
    const taken = (await db.orm
      .select()
      .from(coupons)
      .where(eq(coupons.workspaceId, workspace.id)))
      .find((row) => sameName(row.code, input.code))
    if (taken) throw refused('NAME_TAKEN', `a coupon with code "${input.code}" already exists`, { couponId: taken.id })
    const row = one(await db.orm
      .insert(coupons)
      .values({
        id: newId('coupon'),
        workspaceId: workspace.id,
        code: input.code,
        name: input.name ?? input.code,
        percentOffMilli: input.percentOffMilli ?? null,
        amountOff: input.amountOff ?? null,
        currency: code ?? null,
        duration: input.duration,
        durationInvoices: input.durationInvoices ?? null,
        createdAt: now,
      })
      .returning())
    await recordEvent(db, { workspaceId: workspace.id, at: now, kind: 'coupon.created', refs: { couponId: row.id }, data: { code: row.code } })
    return couponView(row)
  })
}

export async function listCoupons(ctx: Ctx): Promise<{ coupons: CouponView[]} > {
  return { coupons: (await ctx.db.orm.select().from(coupons).where(eq(coupons.workspaceId, ctx.workspace.id)).orderBy(sql.raw(ctx.db.creationOrder))).map(couponView) }
}

export type DiscountView = { accountId: string; accountName: string; coupon: CouponView; startedAt: string; invoicesUsed: number } | { accountId: string; accountName: string; coupon: null }

export async function attachDiscount(ctx: Ctx, input: { account: string; coupon: string | null }): Promise<DiscountView> {
  const { db, workspace, now } = ctx
  return await db.write(async () => {
    const account = await resolveAccount(db, workspace.id, input.account)
    if (input.coupon === null) {
      const removed = (await db.orm.delete(accountDiscounts).where(eq(accountDiscounts.accountId, account.id)))
      if (removed.changes) await recordEvent(db, { workspaceId: workspace.id, at: now, kind: 'discount.removed', refs: { accountId: account.id } })
      return { accountId: account.id, accountName: account.name, coupon: null }
    }
    const ref = input.coupon
    const coupon =
      (await db.orm
        .select()
        .from(coupons)
        .where(and(eq(coupons.workspaceId, workspace.id), sql`(${coupons.id} = ${ref} OR lower(${coupons.code}) = lower(${ref.trim()}))`)).limit(1))[0] ??
      (asciiOnly(ref) ? undefined : (await db.orm.select().from(coupons).where(eq(coupons.workspaceId, workspace.id))).find((row) => sameName(row.code, ref)))
    if (!coupon) throw notFound('coupon', ref)
    if (coupon.amountOff !== null && coupon.currency !== account.currency)
      throw refused('CURRENCY_MISMATCH', `coupon ${coupon.code} is ${coupon.currency}; account "${account.name}" bills in ${account.currency}`, {
        couponCurrency: coupon.currency,
        accountCurrency: account.currency,
      })
    await db.orm
      .insert(accountDiscounts)
      .values({ accountId: account.id, couponId: coupon.id, startedAt: now, invoicesUsed: 0 })
      .onConflictDoUpdate({ target: accountDiscounts.accountId, set: { couponId: coupon.id, startedAt: now, invoicesUsed: 0 } })
    await recordEvent(db, { workspaceId: workspace.id, at: now, kind: 'discount.attached', refs: { accountId: account.id, couponId: coupon.id } })
    return { accountId: account.id, accountName: account.name, coupon: couponView(coupon), startedAt: iso(now), invoicesUsed: 0 }
  })
}
