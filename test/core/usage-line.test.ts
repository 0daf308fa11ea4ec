// R-USE-6: one NDJSON line of usage import. The usual line is checked without
// zod (plainUsageLine), everything else by the schema; both must take exactly
// the same lines as the same reports.
import fc from 'fast-check'
import * as z from 'zod/mini'
import { describe, expect, it } from 'vitest'
import { parseUsageLine, plainUsageLine, usageLine } from '../../src/core/usage/line.js'

const edgeNumber = fc.constantFrom(0, 1, -1, 1.5, -0.5, 1e20, -1e20, 2 ** 53, -(2 ** 53), Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 7)
const edgeString = fc.oneof(fc.constantFrom('', ' ', 'a', 'x'.repeat(200), 'x'.repeat(201), 'é', '\u0000'), fc.string({ maxLength: 8 }))
const anyValue = fc.oneof(edgeNumber, edgeString, fc.constantFrom(null, true, false), fc.jsonValue({ maxDepth: 1 }))
const sometimes = <T>(arbitrary: fc.Arbitrary<T>, weight: number) =>
  fc.oneof({ arbitrary: fc.constant(undefined), weight: 1 }, { arbitrary, weight })
/** A field's value: mostly of the right type (edges included), sometimes anything, sometimes absent. */
const field = (numeric: boolean) => sometimes(fc.oneof({ arbitrary: numeric ? edgeNumber : edgeString, weight: 4 }, { arbitrary: anyValue, weight: 1 }), 3)
/** Objects with any mix of the line's fields (well or badly typed) and now and then another. */
const lineLike = fc
  .record({
    org: field(false),
    product: field(false),
    delta: field(true),
    set: sometimes(field(true), 1),
    key: field(false),
    other: fc.oneof({ arbitrary: fc.constant(undefined), weight: 8 }, { arbitrary: anyValue, weight: 1 }),
  })
  .map((fields) => JSON.parse(JSON.stringify(fields)) as Record<string, unknown>)

describe('usage import line (R-USE-6)', () => {
  it('every value the plain check takes, the schema takes unchanged (the plain check is a fast path, never a wider door)', () => {
    let plain = 0
    fc.assert(
      fc.property(fc.oneof(lineLike, anyValue), (value) => {
        const report = plainUsageLine(value)
        if (report === undefined) return
        plain++
        const parsed = z.safeParse(usageLine, value)
        expect(parsed.success).toBe(true)
        expect(parsed.data).toStrictEqual(report)
      }),
      { numRuns: 20_000 },
    )
    // The property is not vacuous: many generated values took the fast path.
    expect(plain).toBeGreaterThan(100)
  })

  it('well-formed lines take the fast path and parse to what the schema gives; bad lines keep their words', () => {
    const good = fc.record(
      {
        org: fc.string({ minLength: 1, maxLength: 20 }),
        product: fc.string({ minLength: 1, maxLength: 10 }),
        change: fc.oneof(
          fc.record({ delta: fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }) }),
          fc.record({ set: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }) }),
        ),
        key: fc.option(fc.string({ minLength: 1, maxLength: 200 }), { nil: undefined }),
      },
      { requiredKeys: ['org', 'product', 'change'] },
    )
    fc.assert(
      fc.property(good, ({ org, product, change, key }) => {
        const text = JSON.stringify({ org, product, ...change, ...(key === undefined ? {} : { key }) })
        const value = JSON.parse(text)
        expect(plainUsageLine(value)).toBeDefined()
        const schema = z.safeParse(usageLine, value)
        expect(parseUsageLine(text)).toStrictEqual({ report: schema.data })
      }),
      { numRuns: 2_000 },
    )
    expect(parseUsageLine('{"org":"A","product":"users","delta":1.5}')).toEqual({ error: 'delta: expected an integer' })
    expect(parseUsageLine('{"org":"A","product":"users","delta":1,"set":2}')).toEqual({ error: 'give exactly one of "delta" and "set"' })
    expect(parseUsageLine('{"org":"A","product":"users","delta":1,"delta":2}')).toEqual({ error: 'a field is given twice (JSON keeps only the last; say it once)' })
    expect(parseUsageLine('{"org":"A","product":"users","delta":1,"extra":2}')).toEqual({ error: 'unknown field "extra"' })
    expect(parseUsageLine('{"org":"","product":"users","delta":1}')).toEqual({ error: 'org: must not be empty' })
    expect(parseUsageLine('[1]')).toEqual({ error: 'expected a JSON object' })
    expect(parseUsageLine('nope')).toEqual({ error: 'not valid JSON' })
  })
})
