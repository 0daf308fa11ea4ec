// Tax by billing address (issue 16), chosen when an invoice is issued:
// an exempt account pays none; an account's own non-zero rate overrides
// everything else; a business buyer (tax id) in an EU member state, supplied
// by a seller established in another country (another member state, or
// outside the EU), is reverse-charged (0%, with the legal note: Article 196 of
// the VAT Directive puts the VAT on the recipient whenever the supplier is not
// established in the recipient's member state); otherwise the workspace's
// table gives the rate of the buyer's region (US-NY), else of its country,
// else there is no tax. A seller with no country cannot be placed, so reverse
// charge is not applied and the invoice says so. Rates are thousandths of a
// percent; the amount is computed half-up by composeTotals.
import { and, eq } from 'drizzle-orm'
import type { Db } from '../store/open.js'
import { type BillingAccountRow, type InvoiceSnapshot, type SellerIdentity, taxRates } from '../store/schema/index.js'

export type TaxChoice = InvoiceSnapshot['tax']

const EU = new Set(['AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR', 'HU', 'IE', 'IT', 'LV', 'LT', 'LU', 'MT', 'NL', 'PL', 'PT', 'RO', 'SK', 'SI', 'ES', 'SE'])

export const REVERSE_CHARGE_NOTE = 'Reverse charge: VAT to be accounted for by the recipient (Article 196, Council Directive 2006/112/EC).'

export const jurisdictionOf = (country: string | null, region: string | null): string | null =>
  country === null ? null : region ? `${country}-${region}` : country

export type TaxRateRow = typeof taxRates.$inferSelect

const percent = (rateMilli: number) => `${rateMilli / 1000}%`

/**
 * The rule applied, in words, for `invoice show` and the PDF: "VAT DE 19% (tax-rate
 * table)", "reverse charge (Article 196)". Invoices issued before it was stored
 * get it from their tax fields (without the seller caveat, which was not kept).
 */
export function taxSummary(tax: Omit<TaxChoice, 'summary'>, caveat?: string): string {
  const where = tax.jurisdiction ?? 'no country'
  const text = {
    exempt: 'tax exempt (the account is exempt)',
    override: `${percent(tax.rateMilli)}, the account's own rate (overrides the tax-rate table)`,
    reverse_charge: 'reverse charge (Article 196): the buyer accounts for the VAT',
    table: `${tax.name} ${where} ${percent(tax.rateMilli)} (tax-rate table)`,
    none: tax.jurisdiction === null ? 'no tax: the account has no country' : `no tax: the tax-rate table has no rate for ${where}`,
  }[tax.rule]
  return caveat ? `${text}; ${caveat}` : text
}

/** The pure rule, given the candidate table rows of the buyer's country. */
export function chooseTax(account: Pick<BillingAccountRow, 'country' | 'region' | 'taxId' | 'taxExempt' | 'taxRateMilli'>, seller: Pick<SellerIdentity, 'country'> | null, rows: readonly TaxRateRow[]): TaxChoice {
  const jurisdiction = jurisdictionOf(account.country, account.region)
  const chosen = (tax: Omit<TaxChoice, 'summary'>, caveat?: string): TaxChoice => ({ ...tax, summary: taxSummary(tax, caveat) })
  if (account.taxExempt) return chosen({ jurisdiction, name: 'Tax', rateMilli: 0, rule: 'exempt', note: 'Tax exempt.' })
  if (account.taxRateMilli > 0) return chosen({ jurisdiction, name: 'Tax', rateMilli: account.taxRateMilli, rule: 'override', note: null })
  const sellerCountry = seller?.country ?? null
  const euBusiness = account.country !== null && EU.has(account.country) && Boolean(account.taxId)
  if (euBusiness && sellerCountry !== null && sellerCountry !== account.country)
    return chosen({ jurisdiction, name: 'VAT', rateMilli: 0, rule: 'reverse_charge', note: REVERSE_CHARGE_NOTE })
  // An EU business buyer of a seller with no country: where the seller is established is unknown.
  const caveat = euBusiness && sellerCountry === null ? 'no reverse charge: the seller has no country' : undefined
  const row = rows.find((r) => r.country === account.country && r.region !== '' && r.region === account.region) ?? rows.find((r) => r.country === account.country && r.region === '')
  if (row) return chosen({ jurisdiction, name: row.name, rateMilli: row.rateMilli, rule: 'table', note: null }, caveat)
  return chosen({ jurisdiction, name: 'Tax', rateMilli: 0, rule: 'none', note: null }, caveat)
}

export async function taxFor(db: Db, workspaceId: string, account: BillingAccountRow, seller: SellerIdentity | null): Promise<TaxChoice> {
  const country = account.country
  const rows = country === null ? [] : await db.memo(`tax-rates:${workspaceId}:${country}`, ['tax_rates'], async () =>
    await db.orm.select().from(taxRates).where(and(eq(taxRates.workspaceId, workspaceId), eq(taxRates.country, country))))
  return chooseTax(account, seller, rows)
}
