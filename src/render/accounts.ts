import type { AccountDetail, AccountTax } from '../core/accounts/list.js'
import { paint } from './colour.js'
import { details, table } from './table.js'
import { when } from './time.js'

/**
 * The tax that applies (an account's now, an invoice's at issue) and the rule that chose it:
 * the core's own words when it gives them (`summary`), else "19% (DE VAT, from the tax table)".
 */
export function taxText(tax: AccountTax & { summary?: string }): string {
  if (tax.summary) return tax.summary
  const where = tax.jurisdiction ?? 'no country'
  switch (tax.rule) {
    case 'table':
      return `${tax.rate}% (${where} ${tax.name}, from the tax table)`
    case 'override':
      return `${tax.rate}% (the account's own rate)`
    case 'exempt':
      return 'exempt'
    case 'reverse_charge':
      return `0%, reverse charge (${where} ${tax.name}: the buyer accounts for it)`
    case 'none':
      return tax.jurisdiction === null ? 'none (no country)' : `none (no rate for ${where} in the tax table)`
    default:
      // A rule this renderer does not know yet is still named.
      return `${tax.rate}% (${where} ${tax.name}, ${String(tax.rule).replaceAll('_', ' ')})`
  }
}

/** The same, short, for a table cell: "19% VAT", "19% own", "exempt", "reverse charge", "none". */
const taxCell = (tax: AccountTax): string =>
  tax.rule === 'table' ? `${tax.rate}% ${tax.name}` : tax.rule === 'override' ? `${tax.rate}% own` : tax.rule === 'reverse_charge' ? 'reverse charge' : tax.rule

export function renderAccount(a: AccountDetail): string {
  return details([
    ['account', `${paint().bold(a.name)} (${a.id})`],
    ['currency', a.currency],
    ['tax', taxText(a.taxDetail)],
    ['organization', a.organizationId === null ? '—' : `${a.organizationName ?? '?'} (${a.organizationId})`],
    ['email', a.email],
    ['country', a.region ? `${a.country} (${a.region})` : a.country],
    ['address', a.address],
    ['tax id', a.taxId],
    ['created', when(a.createdAt)],
  ])
}

export function renderAccounts({ accounts }: { accounts: AccountDetail[] }): string {
  if (accounts.length === 0) return 'No billing accounts yet. Create one with: wsb account create NAME --currency CUR'
  return table(
    ['id', 'name', 'currency', 'tax', 'organization', 'country'],
    accounts.map((a) => [a.id, a.name, a.currency, taxCell(a.taxDetail), a.organizationId === null ? '—' : (a.organizationName ?? a.organizationId), a.country ?? '—']),
    // The id (what account commands take), the name and its organization stay whole.
    { keep: [0, 1, 4] },
  )
}
