// Brand and last four digits of the payment methods an invoice's attempts used:
// what a customer-facing document names a card by (never the internal id).
import { inArray } from 'drizzle-orm'
import type { Db } from '../store/open.js'
import { paymentMethods } from '../store/schema/index.js'
import type { InvoiceView } from './view.js'

export async function methodsOf(db: Db, invoice: InvoiceView): Promise<Record<string, { brand: string; last4: string }>> {
  const ids = [...new Set(invoice.payments.map((p) => p.paymentMethodId))]
  if (ids.length === 0) return {}
  const rows = await db.orm.select({ id: paymentMethods.id, brand: paymentMethods.brand, last4: paymentMethods.last4 }).from(paymentMethods).where(inArray(paymentMethods.id, ids))
  return Object.fromEntries(rows.map((r) => [r.id, { brand: r.brand, last4: r.last4 }]))
}
