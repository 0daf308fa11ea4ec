// ISO 4217 currencies and their minor-unit exponents (R-PR-2), from the
// maintained `currency-codes` list. Funds, metals and test codes are excluded.
import currencyCodes from 'currency-codes'
import { invalid } from './errors.js'

export type Currency = { code: string; exponent: number; name: string }

let table: Map<string, Currency> | undefined

function currencies(): Map<string, Currency> {
  if (table) return table
  table = new Map()
  for (const entry of currencyCodes.data) {
    if (entry.countries.every((country) => country.startsWith('Zz'))) continue
    table.set(entry.code, { code: entry.code, exponent: entry.digits, name: entry.currency })
  }
  return table
}

/** The currency for an ISO 4217 code (case-insensitive), or an INVALID_CURRENCY error. */
export function currency(code: string): Currency {
  const found = currencies().get(code.trim().toUpperCase())
  if (!found) throw invalid(`"${code}" is not an ISO 4217 currency code (e.g. USD, EUR, JPY)`, { currency: code }, 'INVALID_CURRENCY')
  return found
}

export const exponentOf = (code: string): number => currency(code).exponent
