// Tax by billing address (issue 16), chosen when an invoice is issued:
// an exempt account pays none; an account's own non-zero rate overrides
// everything else; an EU business buyer (VAT id) in another EU country than
// the seller is reverse-charged (0%, with the legal note); otherwise the
// workspace's table gives the rate of the buyer's region (US-NY), else of its
// country, else there is no tax. Rates are thousandths of a percent; the
// amount is computed half-up by composeTotals, as before.
import { and, eq } from 'drizzle-orm'
import type { Db } from '../store/open.js'
import { type BillingAccountRow, type InvoiceSnapshot, type SellerIdentity, taxRates } from '../store/schema/index.js'

export type TaxChoice = InvoiceSnapshot['tax']

const EU = new Set(['AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR', 'HU', 'IE', 'IT', 'LV', 'LT', 'LU', 'MT', 'NL', 'PL', 'PT', 'RO', 'SK', 'SI', 'ES', 'SE'])

export const REVERSE_CHARGE_NOTE = 'Reverse charge: VAT to be accounted for by the recipient (Article 196, Council Directive 2006/112/EC).'

export const jurisdictionOf = (country: string | null, region: string | null): string | null =>
  country === null ? null : region ? `${country}-${region}` : country

export type TaxRateRow = typeof taxRates.$inferSelect

/** The pure rule, given the candidate table rows of the buyer's country. */
export function chooseTax(account: Pick<BillingAccountRow, 'country' | 'region' | 'taxId' | 'taxExempt' | 'taxRateMilli'>, seller: Pick<SellerIdentity, 'country'> | null, rows: readonly TaxRateRow[]): TaxChoice {
  const jurisdiction = jurisdictionOf(account.country, account.region)
  if (account.taxExempt) return { jurisdiction, name: 'Tax', rateMilli: 0, rule: 'exempt', note: 'Tax exempt.' }
  if (account.taxRateMilli > 0) return { jurisdiction, name: 'Tax', rateMilli: account.taxRateMilli, rule: 'override', note: null }
  const sellerCountry = seller?.country ?? null
  if (account.country && sellerCountry && account.country !== sellerCountry && EU.has(account.country) && EU.has(sellerCountry) && account.taxId)
    return { jurisdiction, name: 'VAT', rateMilli: 0, rule: 'reverse_charge', note: REVERSE_CHARGE_NOTE }
  const row = rows.find((r) => r.country === account.country && r.region !== '' && r.region === account.region) ?? rows.find((r) => r.country === account.country && r.region === '')
  if (row) return { jurisdiction, name: row.name, rateMilli: row.rateMilli, rule: 'table', note: null }
  return { jurisdiction, name: 'Tax', rateMilli: 0, rule: 'none', note: null }
}

export async function taxFor(db: Db, workspaceId: string, account: BillingAccountRow, seller: SellerIdentity | null): Promise<TaxChoice> {
  const rows = account.country === null ? [] : await db.orm.select().from(taxRates).where(and(eq(taxRates.workspaceId, workspaceId), eq(taxRates.country, account.country)))
  return chooseTax(account, seller, rows)
}
