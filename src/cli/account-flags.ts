// Flags describing a billing account, shared by `account create` and `account update`.
import { Flags } from '@oclif/core'
import * as z from 'zod/mini'
import { countryCode, email, name, parseInput, regionCode, taxRate } from '../core/schemas.js'

export const accountFlags = {
  email: Flags.string({ summary: 'Billing email.' }),
  country: Flags.string({ summary: 'ISO 3166-1 alpha-2 country code (US, DE, JP …).' }),
  address: Flags.string({ summary: 'Postal address; repeat the flag for each line (printed as given).', multiple: true }),
  region: Flags.string({ summary: 'Region for tax (the part after the dash in ISO 3166-2: NY for US-NY).' }),
  'tax-exempt': Flags.boolean({ summary: 'The account pays no tax (--no-tax-exempt to undo).', allowNo: true }),
  'tax-id': Flags.string({ summary: 'Tax id (VAT number, EIN …).' }),
  'tax-rate': Flags.string({ summary: 'Tax rate in percent, up to 3 decimals (19, 8.875), overriding the tax-rate table. 0 (default): the table decides.', helpValue: 'PCT' }),
}

type AccountFlagValues = { email?: string; country?: string; address?: string[]; region?: string; 'tax-exempt'?: boolean; 'tax-id'?: string; 'tax-rate'?: string }

const optionalText = (what: string) => z.optional(name(what))

/** Validated account details from flags; absent flags stay undefined. */
export function accountDetails(flags: AccountFlagValues) {
  return {
    email: flags.email === undefined ? undefined : parseInput(email, flags.email.trim()),
    country: flags.country === undefined ? undefined : parseInput(countryCode, flags.country),
    address: flags.address === undefined ? undefined : flags.address.map((line) => parseInput(name('address'), line)).join('\n'),
    region: flags.region === undefined ? undefined : parseInput(regionCode, flags.region),
    taxExempt: flags['tax-exempt'],
    taxId: parseInput(optionalText('tax id'), flags['tax-id']),
    taxRateMilli: flags['tax-rate'] === undefined ? undefined : parseInput(taxRate, flags['tax-rate']),
  }
}
