// One NDJSON line of `usage import` (R-USE-6): {"org","product","delta"|"set","key"}.
import * as z from 'zod/mini'
import { fieldProblem } from '../text.js'
import type { UsageReportInput } from './decision.js'

const int = (what: string) =>
  z.number({ error: `${what}: expected an integer` }).check(
    // Number.isInteger, not z.int(): 1e20 is "too large", not "not an integer".
    z.refine((value) => Number.isInteger(value), { error: `${what}: expected an integer`, abort: true }),
    z.minimum(-Number.MAX_SAFE_INTEGER, { error: `${what}: too small`, abort: true }),
    z.maximum(Number.MAX_SAFE_INTEGER, { error: `${what}: too large`, abort: true }),
  )

export const usageLine = z
  .strictObject(
    {
      org: z.string({ error: 'org: expected an organization id, name or path' }).check(z.minLength(1, { error: 'org: must not be empty' })),
      product: z.string({ error: 'product: expected a product key' }).check(z.minLength(1, { error: 'product: must not be empty' })),
      delta: z.optional(int('delta')),
      set: z.optional(int('set').check(z.minimum(0, { error: 'set: expected a non-negative integer' }))),
      key: z.optional(
        z.string({ error: 'key: expected a string' }).check(z.minLength(1, { error: 'key: must not be empty' }), z.maxLength(200, { error: 'key: at most 200 characters' })),
      ),
    },
    { error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown field ${issue.keys.map((k) => `"${k}"`).join(', ')}` : 'expected a JSON object') },
  )
  .check(
    z.refine((line) => (line.delta === undefined) !== (line.set === undefined), { error: 'give exactly one of "delta" and "set"' }),
  )

/**
 * The number of keys of the top-level object as written (JSON.parse keeps only
 * the last of duplicate keys, so `"delta":1,"delta":2` would pass as delta 2).
 * One pass over the line: the colons outside strings at depth 1.
 */
function writtenKeyCount(text: string): number {
  let depth = 0
  let keys = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 92) i++ // backslash: skip the escaped character
      else if (c === 34) inString = false
    } else if (c === 34) inString = true
    else if (c === 123 || c === 91) depth++
    else if (c === 125 || c === 93) depth--
    else if (c === 58 && depth === 1) keys++
  }
  return keys
}

const FIELDS = new Set(['org', 'product', 'delta', 'set', 'key'])
const safeInteger = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= -Number.MAX_SAFE_INTEGER && value <= Number.MAX_SAFE_INTEGER

/**
 * The usual line checked without zod: an object with only the fields usageLine
 * takes, each as usageLine takes it. usage import parses a line per report, and
 * zod's object parse was a tenth of its time. Anything else (undefined) goes to
 * usageLine, which also words the problem; test/core/usage-line.test.ts checks
 * that usageLine accepts, unchanged, every value this accepts.
 */
export function plainUsageLine(value: unknown): UsageReportInput | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  for (const name in value) if (!FIELDS.has(name)) return undefined
  const { org, product, delta, set, key } = value as Record<string, unknown>
  if (typeof org !== 'string' || org.length === 0 || typeof product !== 'string' || product.length === 0) return undefined
  if (delta === undefined ? !(safeInteger(set) && set >= 0) : !(safeInteger(delta) && set === undefined)) return undefined
  if (key !== undefined && !(typeof key === 'string' && key.length > 0 && key.length <= 200)) return undefined
  return value as UsageReportInput
}

/** JSON's whitespace (not String.prototype.trim's wider set). */
const jsonSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13
type ScannedLine = { org?: string | number; product?: string | number; delta?: string | number; set?: string | number; key?: string | number }

/** Sets a field by its bit: named stores keep every scanned line one shape (a keyed store by name was a quarter slower). */
function put(out: ScannedLine, bit: number, value: string | number): void {
  if (bit === 1) out.org = value
  else if (bit === 2) out.product = value
  else if (bit === 4) out.delta = value
  else if (bit === 8) out.set = value
  else out.key = value
}

/** Each field of a line as a bit, so a field given twice is seen at once. */
const FIELD_BIT = new Map([
  ['org', 1],
  ['product', 2],
  ['delta', 4],
  ['set', 8],
  ['key', 16],
])

/**
 * The usual line read without JSON.parse: a flat object of the line's fields,
 * each once, whose values are numbers in JSON's grammar or printable ASCII
 * strings without escapes and with fewer than 12 digits (nothing fieldProblem
 * looks for). It takes only text JSON.parse reads as the same object (a strict
 * subset of JSON); anything else (undefined) goes to JSON.parse, which also
 * finds duplicate fields and words every problem. usage import reads a line per
 * report, and JSON.parse with the duplicate count was a tenth of its time.
 * test/core/usage-line.test.ts checks it against JSON.parse.
 */
export function scanPlainLine(text: string): ScannedLine | undefined {
  const n = text.length
  let i = 0
  while (i < n && jsonSpace(text.charCodeAt(i))) i++
  if (text.charCodeAt(i++) !== 123) return undefined // {
  const out: ScannedLine = {}
  let seen = 0
  for (;;) {
    while (i < n && jsonSpace(text.charCodeAt(i))) i++
    if (text.charCodeAt(i++) !== 34) return undefined // the name's opening quote
    const nameStart = i
    for (let c = text.charCodeAt(i); c !== 34; c = text.charCodeAt(++i)) if (c === 92 || c < 32 || i >= n) return undefined
    const name = text.slice(nameStart, i++)
    const bit = FIELD_BIT.get(name)
    // Only the line's own names: no other key (__proto__ among them) is ever assigned here.
    if (bit === undefined || (seen & bit) !== 0) return undefined
    seen |= bit
    while (i < n && jsonSpace(text.charCodeAt(i))) i++
    if (text.charCodeAt(i++) !== 58) return undefined // :
    while (i < n && jsonSpace(text.charCodeAt(i))) i++
    let c = text.charCodeAt(i)
    if (c === 34) {
      const start = ++i
      let digits = 0
      for (c = text.charCodeAt(i); c !== 34; c = text.charCodeAt(++i)) {
        if (c >= 48 && c <= 57) digits++
        else if (c === 92 || c < 32 || c > 126 || i >= n) return undefined
      }
      if (digits >= 12) return undefined
      put(out, bit, text.slice(start, i++))
    } else {
      // -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?, read by Number as JSON.parse reads it.
      const start = i
      if (c === 45) c = text.charCodeAt(++i)
      if (c === 48) c = text.charCodeAt(++i)
      else if (c >= 49 && c <= 57) do c = text.charCodeAt(++i); while (c >= 48 && c <= 57)
      else return undefined
      if (c === 46) {
        c = text.charCodeAt(++i)
        if (!(c >= 48 && c <= 57)) return undefined
        do c = text.charCodeAt(++i); while (c >= 48 && c <= 57)
      }
      if (c === 101 || c === 69) {
        c = text.charCodeAt(++i)
        if (c === 43 || c === 45) c = text.charCodeAt(++i)
        if (!(c >= 48 && c <= 57)) return undefined
        do c = text.charCodeAt(++i); while (c >= 48 && c <= 57)
      }
      put(out, bit, Number(text.slice(start, i)))
    }
    while (i < n && jsonSpace(text.charCodeAt(i))) i++
    c = text.charCodeAt(i++)
    if (c === 125) break // }
    if (c !== 44) return undefined // ,
  }
  while (i < n && jsonSpace(text.charCodeAt(i))) i++
  return i === n ? out : undefined
}

/** Parses one line, or returns the problem in words. */
export function parseUsageLine(text: string): { report: UsageReportInput } | { error: string } {
  const scanned = scanPlainLine(text)
  if (scanned !== undefined) {
    const report = plainUsageLine(scanned)
    // Its strings hold nothing fieldProblem looks for: scanPlainLine takes no such text.
    return report === undefined ? parseUsageReport(scanned) : { report }
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return { error: 'not valid JSON' }
  }
  const parsed = parseUsageReport(value)
  if ('report' in parsed && writtenKeyCount(text) !== Object.keys(value as object).length) return { error: 'a field is given twice (JSON keeps only the last; say it once)' }
  return parsed
}

/** One report already read from JSON (an import line, an API request or one item of a batch), or the problem in words. */
export function parseUsageReport(value: unknown): { report: UsageReportInput } | { error: string } {
  let report = plainUsageLine(value)
  if (report === undefined) {
    const result = z.safeParse(usageLine, value)
    if (!result.success) return { error: result.error.issues.map((issue) => issue.message).join('; ') }
    report = result.data
  }
  // Org, product and key are stored (a rejected report keeps what it named): text both engines store alike, never a card number.
  const problem = fieldProblem('org', report.org) ?? fieldProblem('product', report.product) ?? fieldProblem('key', report.key)
  return problem ? { error: problem } : { report }
}
