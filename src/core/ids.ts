// Object ids: a readable prefix and 12 random Crockford base32 characters.
import { randomBytes } from 'node:crypto'

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'

export const idPrefix = {
  workspace: 'ws',
  organization: 'org',
  account: 'acct',
  subscription: 'sub',
  invoice: 'inv',
  paymentMethod: 'pmr',
  coupon: 'cpn',
  price: 'price',
  alert: 'alrt',
  apiKey: 'key',
} as const

export function newId(kind: keyof typeof idPrefix): string {
  const bytes = randomBytes(12)
  let out = `${idPrefix[kind]}_`
  for (const byte of bytes) out += ALPHABET[byte & 31]
  return out
}
