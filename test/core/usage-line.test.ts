// R-USE-6: one NDJSON line of usage import. The usual line is checked without
// zod (plainUsageLine), everything else by the schema; both must take exactly
// the same lines as the same reports.
import fc from 'fast-check'
import * as z from 'zod/mini'
import { describe, expect, it } from 'vitest'
import { parseUsageLine, parseUsageReport, plainUsageLine, scanPlainLine, usageLine } from '../../src/core/usage/line.js'

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

  // Text built from JSON's pieces and near misses: names (the line's, others, __proto__), values
  // (strings with escapes, control characters and other scripts; numbers in and out of JSON's
  // grammar; literals, arrays, objects), whitespace JSON takes and whitespace it does not, and
  // broken punctuation.
  const space = fc.constantFrom('', '', ' ', '\t', '\n', '\r', '  ', '\u00a0', '\v')
  const name = fc.constantFrom('org', 'product', 'delta', 'set', 'key', 'other', '__proto__', 'Org', '')
  const numberText = fc.oneof(
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)),
    fc.integer().map(String),
    fc.constantFrom('0', '-0', '01', '1.', '.5', '-', '1e', '1E+2', '1e-2', '2e400', '-1.5e3', '+1', '1.0', '9007199254740993', '0x10', 'Infinity', 'NaN'),
  )
  const stringText = fc.oneof(
    fc.string({ maxLength: 6 }).map((t) => JSON.stringify(t)),
    fc.constantFrom('"a\\"b"', '"\\u0041"', '"tab\there"', '"é"', '"\u2028"', '"\ud800"', '"', '"unclosed', '""', '"4111 1111 1111 1111"', '"k123456789012"', '"12-34-56-78-90-12"', '"12345678901"', '"1 2 3 4 5 6 7 8 9 0 1 2"', '"\u007f"'),
  )
  const value = fc.oneof({ arbitrary: numberText, weight: 3 }, { arbitrary: stringText, weight: 3 }, fc.constantFrom('true', 'null', '[]', '{}', '[1]', '{"a":1}'))
  const member = fc.tuple(space, name, space, fc.constantFrom(':', ':', ':', ''), space, value, space).map((parts) => {
    const [a, n, b, colon, c, v, d] = parts
    return `${a}"${n}"${b}${colon}${c}${v}${d}`
  })
  const lineText = fc.tuple(space, fc.constantFrom('{', '{', '{', '[', ''), fc.array(member, { maxLength: 6 }), fc.constantFrom(',', ',', ',', ';', ', '), fc.constantFrom('}', '}', '}', '', '},', ']'), space).map(
    ([a, open, members, comma, close, b]) => `${a}${open}${members.join(comma)}${close}${b}`,
  )

  // Mostly well-formed: the line's fields, each at most once, in any order, with JSON's whitespace.
  const jsonSpace = fc.constantFrom('', '', ' ', '\t', '\n', '\r')
  const nearlyPlain = fc
    .tuple(fc.uniqueArray(fc.constantFrom('org', 'product', 'delta', 'set', 'key'), { minLength: 1 }), fc.array(value, { minLength: 5, maxLength: 5 }), fc.array(jsonSpace, { minLength: 8, maxLength: 8 }))
    .map(([names, values, s]) => `${s[0]}{${s[1]}${names.map((n, i) => `"${n}"${s[2]}:${s[3]}${values[i]}${s[4]}`).join(`,${s[5]}`)}${s[6]}}${s[7]}`)

  // Lines the plain check takes but for their strings: each string value any of the above.
  const plainButStrings = fc
    .tuple(stringText, stringText, fc.constantFrom('delta', 'set'), fc.nat(), fc.option(stringText, { nil: undefined }), fc.array(jsonSpace, { minLength: 3, maxLength: 3 }))
    .map(([org, product, change, amount, key, s]) => `{"org":${s[0]}${org},"product":${product},${s[1]}"${change}":${amount}${key === undefined ? '' : `,"key":${s[2]}${key}`}}`)

  it('a line read without JSON.parse is read exactly as JSON.parse reads it, with the same outcome', () => {
    let scanned = 0
    fc.assert(
      fc.property(fc.oneof({ arbitrary: nearlyPlain, weight: 4 }, { arbitrary: plainButStrings, weight: 4 }, { arbitrary: lineText, weight: 4 }, fc.string({ maxLength: 30 })), (text) => {
        const fast = scanPlainLine(text)
        if (fast === undefined) return
        scanned++
        const value = JSON.parse(text) as Record<string, unknown>
        expect(fast).toStrictEqual(value)
        expect(Object.keys(fast)).toEqual(Object.keys(value))
        expect(Object.getPrototypeOf(fast)).toBe(Object.prototype)
        expect(parseUsageLine(text)).toStrictEqual(parseUsageReport(value))
      }),
      { numRuns: 30_000 },
    )
    expect(scanned).toBeGreaterThan(500)
    // What it leaves to JSON.parse: a field twice, a name that is not a field, an escape, a literal.
    expect(scanPlainLine('{"org":"A","product":"users","delta":1,"delta":2}')).toBeUndefined()
    expect(scanPlainLine('{"__proto__":{"org":"A"},"product":"users","delta":1}')).toBeUndefined()
    expect(scanPlainLine('{"org":"A\\u0042","product":"users","delta":1}')).toBeUndefined()
    expect(scanPlainLine('{"org":"A","product":"users","delta":true}')).toBeUndefined()
    expect(scanPlainLine(' {"org":"A","product":"users","delta":-1.5e2}\r')).toStrictEqual({ org: 'A', product: 'users', delta: -150 })
  })
})
