// Whether an account has a default payment method (R-TR-3 reads this at trial end).
import { and, eq } from 'drizzle-orm'
import type { Db } from '../store/open.js'
import { paymentMethods } from '../store/schema/index.js'

export async function hasDefaultPaymentMethod(db: Db, accountId: string): Promise<boolean> {
  return (await db.orm.select({ id: paymentMethods.id }).from(paymentMethods).where(and(eq(paymentMethods.accountId, accountId), eq(paymentMethods.isDefault, true))).limit(1))[0] !== undefined
}
