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

/** Parses one line, or returns the problem in words. */
export function parseUsageLine(text: string): { report: UsageReportInput } | { error: string } {
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
  const result = z.safeParse(usageLine, value)
  if (!result.success) return { error: result.error.issues.map((issue) => issue.message).join('; ') }
  // Org, product and key are stored (a rejected report keeps what it named): text both engines store alike, never a card number.
  const { org, product, key } = result.data
  const problem = fieldProblem('org', org) ?? fieldProblem('product', product) ?? fieldProblem('key', key)
  return problem ? { error: problem } : { report: result.data }
}
