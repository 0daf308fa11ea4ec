// One bad-input corpus, the same answers on both engines (issue 21, items 3–4;
// this file runs in the sqlite and the postgres projects against the same
// expectations): U+0000 and unpaired surrogates are refused as invalid input
// before any store sees them. An import line holding one is invalid alone, with
// its line number, and a re-run replays the good lines (PostgreSQL failed the
// whole import as UNEXPECTED on a NUL, and stored a lone surrogate as U+FFFD
// while looking the raw key up, so a re-run failed on a duplicate key). An apply
// file holding one is refused naming the field, and nothing is stored.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { expectFailure, snapshot } from '../helpers/abuse.js'
import { abuseFixture } from '../helpers/abuse-setup.js'
import { wsb } from '../helpers/cli.js'
import { engineAll } from '../helpers/engine.js'
import { tempDir } from '../helpers/temp.js'

const NUL = '\u0000'
const HIGH = '\ud800'
const LOW = '\udc00'

/** Line by line: the report, and whether it is invalid (with the field named) or accepted. */
const CORPUS: { report: Record<string, unknown>; invalid?: string }[] = [
  { report: { org: 'Sales', product: 'users', delta: 1, key: 'good-1' } },
  { report: { org: `Sa${NUL}les`, product: 'users', delta: 1, key: 'nul-org' }, invalid: 'org: must not contain U+0000' },
  { report: { org: 'Sales', product: `users${NUL}`, delta: 1, key: 'nul-product' }, invalid: 'product: must not contain U+0000' },
  { report: { org: 'Sales', product: 'users', delta: 1, key: `nul${NUL}key` }, invalid: 'key: must not contain U+0000' },
  { report: { org: 'Sales', product: 'users', delta: 1, key: `high${HIGH}` }, invalid: 'key: must not contain an unpaired surrogate (U+D800)' },
  { report: { org: 'Sales', product: 'users', delta: 1, key: `${LOW}low` }, invalid: 'key: must not contain an unpaired surrogate (U+DC00)' },
  { report: { org: `Sales${HIGH}`, product: 'users', delta: 1, key: 'surrogate-org' }, invalid: 'org: must not contain an unpaired surrogate (U+D800)' },
  // A whole pair is a character like any other.
  { report: { org: 'Sales', product: 'users', delta: 1, key: 'pair-😀' } },
  { report: { org: 'Sales', product: 'users', delta: 1, key: 'good-2' } },
]

const invalidLines = CORPUS.flatMap((entry, i) => (entry.invalid ? [i + 1] : []))

type Ledger = { key: string | null; outcome: string; delta: number }
const ledger = (db: string) => engineAll<Ledger>(db, "SELECT key, outcome, delta FROM usage_ledger WHERE key IS NULL OR key <> '' ORDER BY id")

describe('the same bad text, the same answer on both engines', () => {
  it('R-USE-6 usage import: each line holding U+0000 or an unpaired surrogate is invalid alone, with its line number; the others commit; a re-run replays them', () => {
    const f = abuseFixture()
    const dir = tempDir()
    const input = join(dir, 'corpus.ndjson')
    // JSON.stringify writes U+0000 and lone surrogates as \u escapes, as a producer would.
    writeFileSync(input, `${CORPUS.map((entry) => JSON.stringify(entry.report)).join('\n')}\n`)
    const before = ledger(f.db)
    const results = join(dir, 'results.ndjson')

    const first = wsb(['usage', 'import', input, '--results', results, '--json'], { db: f.db })
    expect(first.code, first.stdout + first.stderr).toBe(0)
    expect(first.json()).toMatchObject({ lines: CORPUS.length, accepted: 3, rejected: 0, replayed: 0, invalid: invalidLines.length })
    expect(first.json().problems.map((p: { line: number }) => p.line)).toEqual(invalidLines)
    const byLine = readFileSync(results, 'utf8').trim().split('\n').map((line) => JSON.parse(line))
    for (const [i, entry] of CORPUS.entries()) {
      if (entry.invalid) expect(byLine[i], `line ${i + 1}`).toMatchObject({ line: i + 1, invalid: true, error: expect.stringContaining(entry.invalid) })
      else expect(byLine[i], `line ${i + 1}`).toMatchObject({ line: i + 1, invalid: false, accepted: true })
    }
    const stored = [
      { key: 'good-1', outcome: 'accepted', delta: 1 },
      { key: 'pair-😀', outcome: 'accepted', delta: 1 },
      { key: 'good-2', outcome: 'accepted', delta: 1 },
    ]
    expect(ledger(f.db)).toEqual([...before, ...stored])

    // The documented recovery: run it again. The good lines replay, the bad ones are invalid again.
    const again = wsb(['usage', 'import', input, '--json'], { db: f.db })
    expect(again.code, again.stdout + again.stderr).toBe(0)
    expect(again.json()).toMatchObject({ lines: CORPUS.length, accepted: 0, rejected: 0, replayed: 3, invalid: invalidLines.length })
    expect(ledger(f.db)).toEqual([...before, ...stored, ...stored.map((row) => ({ ...row, outcome: 'replayed', delta: 0 }))])
    expect(wsb(['usage', 'verify', '--json'], { db: f.db }).json()).toMatchObject({ ok: true })
  })

  it('apply: U+0000 or an unpaired surrogate in any name, label, note or seller field is INVALID_INPUT naming the field; nothing is stored', () => {
    const f = abuseFixture()
    const dir = tempDir()
    const base = () => ({
      workspace: { name: 'Acme', mode: 'assigned', seller: { legalName: 'Acme LLC', footer: 'Thanks' } },
      organizations: [{ name: 'Sales', children: [{ name: 'EMEA' }] }],
      accounts: [{ name: 'Acme Inc', currency: 'USD', address: 'Main St 1', credits: [{ amount: 100, note: 'welcome' }], subscriptions: [{ label: 'second', items: { users: 1 } }] }],
    })
    type File = ReturnType<typeof base>
    const places: [string, (file: File, bad: string) => void][] = [
      ['workspace.name', (file, bad) => (file.workspace.name = `Acme${bad}`)],
      ['workspace.seller.footer', (file, bad) => (file.workspace.seller.footer = `Thanks${bad}`)],
      ['organizations[0].children[0].name', (file, bad) => ((file.organizations[0] as { children: { name: string }[] }).children[0] = { name: `EM${bad}EA` })],
      ['accounts[0].name', (file, bad) => ((file.accounts[0] as { name: string }).name = `Acme Inc${bad}`)],
      ['accounts[0].address', (file, bad) => ((file.accounts[0] as { address: string }).address = `Main St 1${bad}`)],
      ['accounts[0].credits[0].note', (file, bad) => ((file.accounts[0] as { credits: { note: string }[] }).credits[0] = { amount: 100, note: `welcome${bad}` } as never)],
      ['accounts[0].subscriptions[0].label', (file, bad) => ((file.accounts[0] as { subscriptions: { label: string }[] }).subscriptions[0] = { label: `second${bad}`, items: { users: 1 } } as never)],
    ]
    const before = snapshot(f.db)
    for (const [place, spoil] of places) {
      for (const [bad, problem] of [
        [NUL, 'control characters'],
        [HIGH, 'unpaired surrogate (U+D800)'],
        [LOW, 'unpaired surrogate (U+DC00)'],
      ] as const) {
        const file = base()
        spoil(file, bad)
        const path = join(dir, 'bad.json')
        writeFileSync(path, JSON.stringify(file))
        const error = expectFailure(wsb(['apply', '-f', path, '--json'], { db: f.db }), { exit: 2, code: 'INVALID_INPUT' }, `${place} ${JSON.stringify(bad)}`)
        expect(error.message, place).toContain(place)
        expect(error.message, place).toContain(problem)
      }
    }
    expect(snapshot(f.db), 'nothing stored').toEqual(before)
    // The same file without the bad character applies, and a re-run changes nothing.
    const good = join(dir, 'good.json')
    writeFileSync(good, JSON.stringify(base()))
    expect(wsb(['apply', '-f', good, '--json'], { db: f.db }).json()).toMatchObject({ changed: true })
    expect(wsb(['apply', '-f', good, '--json'], { db: f.db }).json()).toMatchObject({ changed: false })
  })
})
