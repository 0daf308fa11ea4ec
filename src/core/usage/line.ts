// One NDJSON line of `usage import` (R-USE-6): {"org","product","delta"|"set","key"}.
import * as z from 'zod/mini'
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

/** Parses one line, or returns the problem in words. */
export function parseUsageLine(text: string): { report: UsageReportInput } | { error: string } {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return { error: 'not valid JSON' }
  }
  const result = z.safeParse(usageLine, value)
  if (result.success) return { report: result.data }
  return { error: result.error.issues.map((issue) => issue.message).join('; ') }
}
