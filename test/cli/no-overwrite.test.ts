// No command overwrites the database or its inputs (issue 21, items 1–2): every
// output path (export -o, invoice pdf -o, usage import --results) that is the
// database, its -wal/-shm/-journal (existing or not yet), or an input of the
// command (the NDJSON file, stdin redirected from a file) is refused as
// INVALID_INPUT naming both, before anything is opened: the database (its bytes,
// or on PostgreSQL its rows), the input and the folder stay exactly as they were.
// These cases run on both engines; the database's own files (SQLite) are in
// no-overwrite-db-files.test.ts.
import { linkSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { expectFailure } from '../helpers/abuse.js'
import { abuseFixture } from '../helpers/abuse-setup.js'
import { wsb } from '../helpers/cli.js'
import { expectRefused, folder, wsbRedirected } from '../helpers/no-overwrite.js'
import { tempDir } from '../helpers/temp.js'

const REPORT = `${JSON.stringify({ org: 'Sales', product: 'users', delta: 1, key: 'no-overwrite-1' })}\n`

describe('no command overwrites the database or its inputs', () => {
  it('usage import --results naming its input file, the file stdin is redirected from, or stdout appended to the input: INVALID_INPUT, the input and the database unchanged', () => {
    const f = abuseFixture()
    const inputs = tempDir()
    const input = join(inputs, 'reports.ndjson')
    writeFileSync(input, REPORT)
    const link = join(inputs, 'same.ndjson')
    linkSync(input, link)
    expectRefused(f.db, [inputs], ['usage', 'import', input, '--results', input], input, `the input file ${input}`)
    expectRefused(f.db, [inputs], ['usage', 'import', input, '--results', link], link, `the input file ${input}`)
    expectRefused(f.db, [inputs], ['usage', 'import', '-', '--results', input], input, 'the input (stdin)', (args) => wsbRedirected(f.db, args, { stdin: input }))
    // Results on stdout appended to the input (`--results - >> reports.ndjson`): the error itself goes to stderr.
    expectRefused(f.db, [inputs], ['usage', 'import', input, '--results', '-'], 'stdout', `the input file ${input}`, (args) => wsbRedirected(f.db, args, { stdoutAppend: input }))
    expect(readFileSync(input, 'utf8')).toBe(REPORT)
    // The same import with another results file runs.
    const results = join(inputs, 'results.ndjson')
    const ok = wsbRedirected(f.db, ['usage', 'import', '-', '--results', results, '--json'], { stdin: input })
    expect(ok.code, ok.stdout + ok.stderr).toBe(0)
    expect(ok.json()).toMatchObject({ lines: 1, accepted: 1 })
    expect(JSON.parse(readFileSync(results, 'utf8'))).toMatchObject({ line: 1, accepted: true })
  })

  it('R-USE-6 a results file is replaced only once the import runs: one that fails before it starts leaves the old results whole and no temporary file', () => {
    const f = abuseFixture()
    const dir = tempDir()
    const input = join(dir, 'reports.ndjson')
    writeFileSync(input, REPORT)
    const results = join(dir, 'results.ndjson')
    writeFileSync(results, '{"line":1,"previous":true}\n')
    const before = folder(dir)
    expectFailure(wsb(['usage', 'import', input, '--results', results, '--workspace', 'Nowhere', '--json'], { db: f.db }), { exit: 3, code: 'NOT_FOUND' })
    expect(folder(dir)).toEqual(before)
    const ok = wsb(['usage', 'import', input, '--results', results, '--json'], { db: f.db })
    expect(ok.code, ok.stdout + ok.stderr).toBe(0)
    expect(readFileSync(results, 'utf8').trim().split('\n').map((line) => JSON.parse(line))).toEqual([expect.objectContaining({ line: 1, accepted: true })])
    expect(readdirSync(dir).sort()).toEqual(['reports.ndjson', 'results.ndjson'])
  })
})
