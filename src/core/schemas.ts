// Field schemas shared by every input edge (flags, NDJSON lines, apply files).
// zod/mini keeps start-up fast; messages say what is expected, not zod's jargon.
import { en } from 'zod/locales'
import * as z from 'zod/mini'
import { refuseCardNumberIn } from './card-number.js'
import { invalid } from './errors.js'
import { storableText } from './text.js'

// Plain English for issues without a message of our own ("expected number, received string").
z.config(en())

// Control characters (C0, DEL, C1) break tables and terminals; so do the Unicode
// line and paragraph separators, and the bidirectional embedding, override and
// isolate controls reorder the rest of a line (a name could pass for another).
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/

/** R-PM-2: a card number in any stored or printed text is refused as RAW_CARD_REFUSED (exit 4, thrown through zod), never echoed. */
const noCardNumber = (what: string) =>
  z.refine<string>((value) => {
    refuseCardNumberIn(value, what)
    return true
  })

export const name = (what = 'name') =>
  z
    .string({ error: `${what}: expected text` })
    .check(
      z.trim(),
      z.minLength(1, { error: `${what}: must not be empty` }),
      // Characters as people count them (code points): an emoji is one, not two.
      z.refine((value) => [...value].length <= 200, { error: `${what}: at most 200 characters` }),
      z.refine((value) => !CONTROL.test(value), { error: `${what}: must not contain control characters`, abort: true }),
      storableText(what),
      noCardNumber(what),
    )

/**
 * An organization name: a name without "/", which separates the parts of an org
 * path ("Parent/Child"). A name holding it could never be named by name or path.
 */
export const orgName = (what = 'organization name') =>
  name(what).check(z.refine((value) => !value.includes('/'), { error: `${what}: must not contain "/" (it separates the parts of an organization path)` }))

export const nonNegativeInt = (what: string) =>
  z
    .number({ error: `${what}: expected a non-negative integer` })
    .check(
      // Number.isInteger, not z.int(): an integer beyond the safe range is "too large", not "not an integer".
      z.refine((value) => Number.isInteger(value), { error: `${what}: expected a non-negative integer`, abort: true }),
      z.minimum(0, { error: `${what}: expected a non-negative integer`, abort: true }),
      z.maximum(Number.MAX_SAFE_INTEGER, { error: `${what}: too large` }),
    )

/** A count typed by a person ("50"): digits only, so "", "1e3", "0x10" and "1.0" are refused. */
export function wholeNumber(what: string, text: string): number {
  if (!/^\s*\d+\s*$/.test(text)) throw invalid(`${what}: expected a non-negative integer, got "${text}"`, { value: text })
  return parseInput(nonNegativeInt(what), Number(text))
}

export const productKey = z
  .string({ error: 'product: expected a product key' })
  .check(
    z.regex(/^[a-z][a-z0-9_]{0,62}$/, {
      error: 'product: expected a key of lower-case letters, digits and _ starting with a letter (e.g. users)',
    }),
  )

/** Parses `value` with `schema`, or throws INVALID_INPUT naming every problem. */
export function parseInput<T extends z.ZodMiniType>(schema: T, value: unknown, context?: string): z.output<T> {
  const result = z.safeParse(schema, value)
  if (result.success) return result.data
  const problems = result.error.issues.map((issue) => {
    const path = issue.path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)).join('')
    const where = [context, path.replace(/^\./, '')].filter(Boolean).join('')
    return where && !issue.message.startsWith(where) ? `${where}: ${issue.message}` : issue.message
  })
  throw invalid(problems.join('; '), { problems })
}

const NOT_COUNTRIES = new Set(['ZZ', 'EU', 'EZ', 'UN', 'QO', 'UK'])
let regionNames: Intl.DisplayNames | undefined

/** ISO 3166-1 alpha-2 country code, upper-cased. */
export const countryCode = z.pipe(
  z.string({ error: 'country: expected a two-letter country code' }).check(z.trim(), z.toUpperCase()),
  z.string().check(
    z.refine(
      (code) => {
        regionNames ??= new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' })
        return /^[A-Z]{2}$/.test(code) && !NOT_COUNTRIES.has(code) && regionNames.of(code) !== undefined
      },
      { error: 'country: expected an ISO 3166-1 alpha-2 code such as US, DE or JP (GB for the United Kingdom)' },
    ),
  ),
)

/** ISO 3166-2 subdivision suffix (NY, BY, 13), upper-cased. */
export const regionCode = z.pipe(
  z.string({ error: 'region: expected a region code such as NY' }).check(z.trim(), z.toUpperCase()),
  z.string().check(z.regex(/^[A-Z0-9]{1,3}$/, { error: 'region: expected the ISO 3166-2 part after the dash, 1 to 3 letters or digits, such as NY (US-NY)' })),
)

/** RFC 5321 caps an address at 254 characters; the length is checked before the pattern. */
export const email = z
  .string({ error: 'email: expected an email address' })
  .check(
    z.maxLength(254, { error: 'email: at most 254 characters', abort: true }),
    z.email({ error: 'email: expected an email address' }),
    noCardNumber('email'),
  )

/**
 * A percentage with up to 3 decimals ("19", "8.875"), as thousandths of a
 * percent (19000, 8875) so that no float ever touches money. Messages name
 * `what` (the flag or field), e.g. "--percent-off: at most 100 percent".
 */
export const percent = (what: string) =>
  z.pipe(
    z
      .union([z.string(), z.number()], { error: `${what}: expected a percentage such as 19 or 8.875` })
      .check(
        z.refine((value) => /^\d{1,3}(\.\d{1,3})?$/.test(String(value).trim()), {
          error: `${what}: expected a percentage between 0 and 100 with at most 3 decimals, such as 19 or 8.875`,
        }),
      ),
    z.transform((value) => {
      const [whole = '0', fraction = ''] = String(value).trim().split('.')
      return Number(whole) * 1000 + Number(fraction.padEnd(3, '0'))
    }),
  ).check(z.refine((milli) => milli <= 100_000, { error: `${what}: at most 100 percent` }))

export const taxRate = percent('tax rate')

/**
 * "PRODUCT=N" pairs (org limits, subscription items) as a record. Each product
 * at most once; N a non-negative integer.
 */
export function productQuantities(pairs: readonly string[], what: string): Record<string, number> {
  const out: Record<string, number> = {}
  for (const pair of pairs) {
    const match = /^\s*([^=\s]+)\s*=\s*(\S+)\s*$/.exec(pair)
    if (!match) throw invalid(`${what}: expected PRODUCT=N (e.g. users=50), got "${pair}"`, { value: pair })
    const [, key = '', value = ''] = match
    const product = parseInput(productKey, key)
    if (product in out) throw invalid(`${what}: ${product} is given twice`, { product })
    if (!/^\d+$/.test(value)) throw invalid(`${what}: ${product}=${value}: expected a non-negative integer`, { product, value })
    out[product] = parseInput(nonNegativeInt(`${what} ${product}`), Number(value))
  }
  return out
}

/** Minor units: a non-negative integer amount such as 1000 (= 10.00 USD). */
export const minorUnits = (what: string) =>
  z.pipe(
    z.string().check(z.regex(/^\d{1,15}$/, { error: `${what}: expected a non-negative integer amount in minor units (1000 = 10.00 USD)` })),
    z.transform(Number),
  )

/**
 * Price tiers "UPTO:UNIT[+FLAT],…,inf:UNIT[+FLAT]" in minor units, e.g.
 * "10:1000,50:800+500,inf:600".
 */
export function parseTiers(spec: string): { upTo: number | null; unitAmount: number; flatAmount: number }[] {
  return spec.split(',').map((part, i) => {
    const match = /^\s*(\d+|inf)\s*:\s*(\d+)\s*(?:\+\s*(\d+))?\s*$/i.exec(part)
    if (!match) throw invalid(`--tiers: tier ${i + 1} "${part}" is not UPTO:UNIT[+FLAT] (e.g. 10:1000 or inf:600+500)`, { tier: part })
    const [, upTo = '', unit = '', flat = '0'] = match
    return {
      upTo: upTo.toLowerCase() === 'inf' ? null : parseInput(nonNegativeInt('--tiers up-to'), Number(upTo)),
      unitAmount: parseInput(nonNegativeInt('--tiers unit amount'), Number(unit)),
      flatAmount: parseInput(nonNegativeInt('--tiers flat amount'), Number(flat)),
    }
  })
}
