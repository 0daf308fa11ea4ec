// The JSON shape of a billing account (SPEC §2: id, name, currency, taxRate, organizationId).
import { iso } from '../clock.js'
import type { Money } from '../money.js'
import type { BillingAccountRow } from '../store/schema/index.js'

export type AccountView = {
  id: string
  name: string
  currency: string
  /** Percent, e.g. 19 or 8.875. */
  taxRate: number
  organizationId: string | null
  workspaceId: string
  email: string | null
  country: string | null
  address: string | null
  taxId: string | null
  region: string | null
  taxExempt: boolean
  /** The prefix of its printed invoice numbers, fixed at its first invoice; null before. */
  invoicePrefix: string | null
  creditBalance: Money
  createdAt: string
}

export function accountView(row: BillingAccountRow): AccountView {
  return {
    id: row.id,
    name: row.name,
    currency: row.currency,
    taxRate: row.taxRateMilli / 1000,
    organizationId: row.organizationId,
    workspaceId: row.workspaceId,
    email: row.email,
    country: row.country,
    address: row.address,
    taxId: row.taxId,
    region: row.region,
    taxExempt: row.taxExempt,
    invoicePrefix: row.invoicePrefix,
    creditBalance: { amount: row.creditBalance, currency: row.currency },
    createdAt: iso(row.createdAt),
  }
}
