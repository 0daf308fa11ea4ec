// Abuse tests for `usage import` (R-USE-6): truncated, garbage and odd NDJSON.
// Every bad line is counted invalid with its line number, the good lines are
// still applied, the import exits 0 (2 with --strict), and input that holds no
// report leaves the database byte for byte as it was.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { expectFailure, snapshot } from '../helpers/abuse.js'
import { wsb } from '../helpers/cli.js'
import { tempDbPath, tempDir } from '../helpers/temp.js'

const good = (key?: string) => JSON.stringify({ org: 'Sales', product: 'users', delta: 1, ...(key ? { key } : {}) })

let db: string

/** The level of Sales in users, read through the CLI. */
function level(): number {
  const report = wsb(['usage', 'report', '--by', 'org', '--json'], { db }).json()
  return report.orgs.find((o: { name: string }) => o.name === 'Sales').products.find((p: { product: string }) => p.product === 'users').used
}

function file(content: string | Buffer): string {
  const path = join(tempDir(), 'reports.ndjson')
  writeFileSync(path, content)
  return path
}

type Summary = { lines: number; accepted: number; rejected: number; replayed: number; invalid: number; problems: { line: number; reason: string; message: string }[] }

/** Imports `content` with per-line results; returns the summary and the results by line. */
function importFile(content: string | Buffer, extra: string[] = []): { summary: Summary; results: Map<number, { invalid: boolean; error?: string; accepted?: boolean }> } {
  const path = file(content)
  const resultsPath = join(tempDir(), 'results.ndjson')
  const out = wsb(['usage', 'import', path, '--results', resultsPath, '--json', ...extra], { db })
  expect(out.code, out.stdout + out.stderr).toBe(0)
  expect(out.stderr).toBe('')
  const results = new Map(
    readFileSync(resultsPath, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((text) => JSON.parse(text))
      .map((r) => [r.line, r]),
  )
  return { summary: out.json(), results }
}

beforeAll(() => {
  db = tempDbPath()
  for (const args of [
    ['workspace', 'create', 'Acme', '--mode', 'single', '--test-clock', '--clock-start', '2026-01-01'],
    ['org', 'create', 'Sales'],
    ['account', 'create', 'Acme Inc', '--currency', 'USD'],
    ['sub', 'add', 'Acme Inc', '--item', 'users=1000', '--no-trial'],
  ])
    expect(wsb(args, { db }).code, args.join(' ')).toBe(0)
})

describe('abuse: usage import', () => {
  it('R-USE-6 garbage lines are invalid with their line numbers; the good lines around them are applied; exit 0', () => {
    const before = level()
    const lines = [
      good(), // 1
      '{"org":"Sales","product":"us', // 2 a line cut in half
      '\u0000\u0001\u00ff\u00fe\u007f binary \u0007garbage', // 3
      `[${good()}]`, // 4 an array instead of an object
      '{"org":"Sales","product":"users","delta":"1"}', // 5 a number as a string
      '{"org":"Sales","product":"users","delta":1,"detla":1}', // 6 an extra field
      good(), // 7
      '', // 8 blank: skipped, not counted
      'null', // 9
      '{"org":"Sales","product":"users","delta":1.5}', // 10
      '{"org":"Sales","product":"users","delta":1e400}', // 11
      '{"org":"Sales","product":"users","delta":99999999999999999999}', // 12
      '{"org":"Sales","product":"users"}', // 13 neither delta nor set
      '{"org":"Sales","product":"users","delta":1,"set":2}', // 14 both
      '{"org":5,"product":"users","delta":1}', // 15
      '{"org":"Sales","product":"users","delta":{"$gt":0}}', // 16
      '{"org":"Sales","product":"users","delta":1,"__proto__":{"admin":true}}', // 17
      good(), // 18
      '{"org":"Sales","product":"users","delta":1', // 19 cut at the very end, no newline
    ]
    const { summary, results } = importFile(lines.join('\n'))
    const invalid = [2, 3, 4, 5, 6, 9, 10, 11, 12, 13, 14, 15, 16, 17, 19]
    expect(summary).toMatchObject({ lines: 18, accepted: 3, rejected: 0, replayed: 0, invalid: invalid.length })
    expect(summary.problems.map((p) => p.line)).toEqual(invalid)
    expect(summary.problems.every((p) => p.reason === 'INVALID_LINE')).toBe(true)
    for (const line of invalid) expect(results.get(line), `line ${line}`).toMatchObject({ invalid: true, error: expect.any(String) })
    for (const line of [1, 7, 18]) expect(results.get(line), `line ${line}`).toMatchObject({ invalid: false, accepted: true })
    const message = (line: number) => summary.problems.find((p) => p.line === line)?.message
    expect(message(2)).toBe('not valid JSON')
    expect(message(4)).toBe('expected a JSON object')
    expect(message(5)).toMatch(/delta: expected an integer/)
    expect(message(6)).toBe('unknown field "detla"')
    expect(message(12)).toMatch(/delta: too large/)
    expect(message(13)).toMatch(/exactly one of "delta" and "set"/)
    expect(message(17)).toMatch(/unknown field "__proto__"/)
    expect(level()).toBe(before + 3)
  })

  it('R-USE-6 --strict: the same input exits 2 with the error object (counts in details), the good lines still applied', () => {
    const before = level()
    const path = file([good(), '{"org":', good()].join('\n'))
    const json = expectFailure(wsb(['usage', 'import', path, '--strict', '--json'], { db }), { exit: 2, code: 'INVALID_INPUT' })
    expect(json.details).toMatchObject({ lines: 3, accepted: 2, invalid: 1, problems: [{ line: 2, reason: 'INVALID_LINE' }] })
    expectFailure(wsb(['usage', 'import', path, '--strict'], { db }), { exit: 2, code: 'INVALID_INPUT' })
    expect(level()).toBe(before + 4)
  })

  it('a byte order mark at the start and CRLF line endings are encoding, not content: every line is accepted', () => {
    const before = level()
    const { summary } = importFile(`\ufeff${good()}\r\n${good()}\r\n\r\n${good()}\r\n`)
    expect(summary).toMatchObject({ lines: 3, accepted: 3, invalid: 0, problems: [] })
    // A BOM anywhere but the very start is not whitespace JSON accepts.
    const inner = importFile(`${good()}\n\ufeff${good()}\n`).summary
    expect(inner).toMatchObject({ accepted: 1, invalid: 1, problems: [{ line: 2 }] })
    expect(level()).toBe(before + 4)
  })

  it('a 1 MB line is one invalid line (with its number), and the import goes on', () => {
    const before = level()
    const huge = JSON.stringify({ org: 'Sales', product: 'users', delta: 1, key: 'k'.repeat(1 << 20) })
    const padded = `{"org":"Sales","product":"users","delta":1,"note":"${'x'.repeat(1 << 20)}"}`
    const { summary } = importFile([good(), huge, padded, 'y'.repeat(1 << 20), good()].join('\n'))
    expect(summary).toMatchObject({ lines: 5, accepted: 2, invalid: 3 })
    expect(summary.problems).toEqual([
      { line: 2, reason: 'INVALID_LINE', message: 'key: at most 200 characters' },
      { line: 3, reason: 'INVALID_LINE', message: 'unknown field "note"' },
      { line: 4, reason: 'INVALID_LINE', message: 'not valid JSON' },
    ])
    expect(level()).toBe(before + 2)
  })

  it('bytes that are not UTF-8 make their line invalid, not the import', () => {
    const before = level()
    const content = Buffer.concat([Buffer.from(`${good()}\n`), Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xff, 0xfe, 0x0a]), Buffer.from(`${good()}\n`)])
    const { summary } = importFile(content)
    expect(summary).toMatchObject({ lines: 3, accepted: 2, invalid: 1, problems: [{ line: 2, message: 'not valid JSON' }] })
    expect(level()).toBe(before + 2)
  })

  it('input holding no valid report (empty, blank lines only, garbage only) exits 0, even with --strict for the empty ones, and changes nothing', () => {
    const before = snapshot(db)
    for (const [content, lines] of [
      ['', 0],
      ['\n\n   \n\t\r\n\n', 0],
      ['\ufeff', 0],
    ] as const) {
      for (const extra of [[], ['--strict']]) {
        const out = wsb(['usage', 'import', file(content), '--json', ...extra], { db })
        expect(out.code, JSON.stringify(content)).toBe(0)
        expect(out.json()).toMatchObject({ lines, accepted: 0, rejected: 0, replayed: 0, invalid: 0, problems: [] })
      }
    }
    const garbageOnly = wsb(['usage', 'import', file('not json\n[1,2]\n{"org":\n'), '--json'], { db })
    expect(garbageOnly.code).toBe(0)
    expect(garbageOnly.json()).toMatchObject({ lines: 3, invalid: 3, accepted: 0 })
    expect(snapshot(db)).toEqual(before)
  })

  it('the same garbage on stdin is judged the same way', () => {
    const before = level()
    const out = wsb(['usage', 'import', '-', '--json'], { db, input: `${good()}\r\n{"org"\n\u0000\u0000\n${good()}` })
    expect(out.code, out.stderr).toBe(0)
    expect(out.json()).toMatchObject({ lines: 4, accepted: 2, invalid: 2, problems: [{ line: 2 }, { line: 3 }] })
    expect(level()).toBe(before + 2)
  })

  it('problems are listed in line order, invalid lines and rejected reports alike', () => {
    const { summary } = importFile(
      [
        JSON.stringify({ org: 'Ghost', product: 'users', delta: 1 }), // 1 rejected: unknown org
        'garbage', // 2 invalid
        JSON.stringify({ org: 'Sales', product: 'users', delta: 100000 }), // 3 rejected: capacity
        '{}', // 4 invalid
      ].join('\n'),
    )
    expect(summary.problems.map((p) => [p.line, p.reason])).toEqual([
      [1, 'NOT_FOUND'],
      [2, 'INVALID_LINE'],
      [3, 'CAPACITY_EXCEEDED'],
      [4, 'INVALID_LINE'],
    ])
  })

  it('an unusable input or --results path is a clear error before anything is imported', () => {
    const before = snapshot(db)
    const dir = tempDir()
    const reports = file(`${good()}\n`)
    expectFailure(wsb(['usage', 'import', join(dir, 'missing.ndjson'), '--json'], { db }), { exit: 3, code: 'NOT_FOUND', details: { kind: 'file' } })
    expectFailure(wsb(['usage', 'import', dir, '--json'], { db }), { exit: 2, code: 'INVALID_INPUT' })
    expectFailure(wsb(['usage', 'import', dir], { db }), { exit: 2, code: 'INVALID_INPUT' })
    expectFailure(wsb(['usage', 'import', reports, '--results', dir, '--json'], { db }), { exit: 2, code: 'OUTPUT_UNWRITABLE' })
    expectFailure(wsb(['usage', 'import', reports, '--results', join(dir, 'no', 'such', 'dir.ndjson')], { db }), { exit: 2, code: 'OUTPUT_UNWRITABLE' })
    expectFailure(wsb(['usage', 'import', reports, '--results', '-', '--json'], { db }), { exit: 2, code: 'INVALID_INPUT' })
    expect(snapshot(db)).toEqual(before)
  })
})
