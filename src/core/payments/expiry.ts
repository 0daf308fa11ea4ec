// R-PAY-3: a card expiring within 30 days raises a notification (once).
import { eq } from 'drizzle-orm'
import type { Ctx } from '../context.js'
import { notify } from '../notifications/record.js'
import { paymentMethods } from '../store/schema/index.js'

export async function warnCardExpiry(ctx: Ctx, paymentMethodId: string): Promise<void> {
  const method = (await ctx.db.orm.select().from(paymentMethods).where(eq(paymentMethods.id, paymentMethodId)).limit(1))[0]
  if (!method) return
  const expiry = `${String(method.expMonth).padStart(2, '0')}/${method.expYear}`
  const account = (await ctx.db.get('SELECT name FROM billing_accounts WHERE id = ?', method.accountId)) as { name: string } | undefined
  // A card added after its month ended (the clock is past it) has expired, not "expires".
  const expired = ctx.now >= Date.UTC(method.expYear, method.expMonth, 1)
  await notify(
    ctx,
    'card_expiring',
    `card_expiring:${method.id}:${expiry}`,
    `The ${method.brand} card ending ${method.last4} of account "${account?.name ?? method.accountId}" ${expired ? `expired at the end of ${expiry} and cannot be charged` : `expires at the end of ${expiry}`}; add another payment method.`,
    { accountId: method.accountId, paymentMethodId: method.id },
  )
}
