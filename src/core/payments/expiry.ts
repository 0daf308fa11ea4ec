// R-PAY-3: a card expiring within 30 days raises a notification (once).
import { eq } from 'drizzle-orm'
import type { Ctx } from '../context.js'
import { notify } from '../notifications/record.js'
import { paymentMethods } from '../store/schema/index.js'

export async function warnCardExpiry(ctx: Ctx, paymentMethodId: string): Promise<void> {
  const method = (await ctx.db.orm.select().from(paymentMethods).where(eq(paymentMethods.id, paymentMethodId)).limit(1))[0]
  if (!method) return
  const expiry = `${String(method.expMonth).padStart(2, '0')}/${method.expYear}`
  await notify(
    ctx,
    'card_expiring',
    `card_expiring:${method.id}:${expiry}`,
    `The ${method.brand} card ending ${method.last4} of account ${method.accountId} expires at the end of ${expiry}; add another payment method.`,
    { accountId: method.accountId, paymentMethodId: method.id },
  )
}
