// Flags describing a billing account, shared by `account create` and `account update`.
import { Flags } from '@oclif/core'
import * as z from 'zod/mini'
import { countryCode, email, name, parseInput, taxRate } from '../core/schemas.js'

export const accountFlags = {
  email: Flags.string({ summary: 'Billing email.' }),
  country: Flags.string({ summary: 'ISO 3166-1 alpha-2 country code (US, DE, JP …).' }),
  address: Flags.string({ summary: 'Postal address (one line).' }),
  'tax-id': Flags.string({ summary: 'Tax id (VAT number, EIN …).' }),
  'tax-rate': Flags.string({ summary: 'Tax rate in percent, up to 3 decimals (19, 8.875). Default 0.', helpValue: 'PCT' }),
}

type AccountFlagValues = { email?: string; country?: string; address?: string; 'tax-id'?: string; 'tax-rate'?: string }

const optionalText = (what: string) => z.optional(name(what))

/** Validated account details from flags; absent flags stay undefined. */
export function accountDetails(flags: AccountFlagValues) {
  return {
    email: flags.email === undefined ? undefined : parseInput(email, flags.email.trim()),
    country: flags.country === undefined ? undefined : parseInput(countryCode, flags.country),
    address: parseInput(optionalText('address'), flags.address),
    taxId: parseInput(optionalText('tax id'), flags['tax-id']),
    taxRateMilli: flags['tax-rate'] === undefined ? undefined : parseInput(taxRate, flags['tax-rate']),
  }
}
