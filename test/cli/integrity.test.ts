// Damaged database files: bytes flipped in a page of a table or an index of a
// real wsb database. doctor finds every variant (exit 4, a database-integrity
// violation from SQLite's integrity_check) and writing commands refuse the
// file (DB_CORRUPT, exit 2) rather than write into it, leaving it byte for byte.
import { copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { expectFailure, snapshot } from '../helpers/abuse.js'
import { abuseFixture } from '../helpers/abuse-setup.js'
import { wsb } from '../helpers/cli.js'
import { tempDir } from '../helpers/temp.js'

type Damage = (page: Buffer) => void

/** A copy of `db` with `damage` done to the first page of table or index `name`. */
function damagedCopy(db: string, name: string, damage: Damage): string {
  const sqlite = new Database(db, { readonly: true })
  const pageSize = sqlite.pragma('page_size', { simple: true }) as number
  const { rootpage } = sqlite.prepare('SELECT rootpage FROM sqlite_master WHERE name = ?').get(name) as { rootpage: number }
  sqlite.close()
  const bytes = readFileSync(db)
  damage(bytes.subarray((rootpage - 1) * pageSize, rootpage * pageSize))
  const copy = join(tempDir(), `damaged-${name}.sqlite`)
  writeFileSync(copy, bytes)
  return copy
}

/** Flips one bit of the first occurrence of `text` in the page. */
const flipIn =
  (text: string): Damage =>
  (page) => {
    const at = page.indexOf(Buffer.from(text))
    expect(at, `"${text}" is in the page`).toBeGreaterThanOrEqual(0)
    page.writeUInt8(page.readUInt8(at + text.length - 1) ^ 0x01, at + text.length - 1)
  }

function expectFound(db: string, what: string) {
  const json = expectFailure(wsb(['doctor', '--json'], { db }), { exit: 4, code: 'INVARIANT_VIOLATED' }, what)
  const violations = json.details.violations as { check: string; rule: string; message: string }[]
  expect(violations.find((v) => v.check === 'database-integrity'), what).toMatchObject({ rule: 'storage', message: expect.stringMatching(/^integrity_check: /) })
  const human = wsb(['doctor'], { db })
  expect(human.code, what).toBe(4)
  expect(human.stdout, what).toMatch(/^✗ storage +database-integrity/m)
}

function expectWriteRefused(db: string, what: string, alsoOrgCreate = true) {
  const before = snapshot(db)
  const json = expectFailure(wsb(['usage', 'record', '--org', 'Sales', '--product', 'users', '--delta', '1', '--json'], { db }), { exit: 2, code: 'DB_CORRUPT' }, what)
  expect(json.message, what).toMatch(/damaged/)
  // A write that never reads the damaged page is refused too, by the check at open.
  if (alsoOrgCreate) expectFailure(wsb(['org', 'create', 'North'], { db }), { exit: 2, code: 'DB_CORRUPT' }, what)
  expect(snapshot(db), `${what}: nothing written`).toEqual(before)
}

describe('damaged database files', () => {
  it('a clean database passes the integrity check first of all doctor checks', () => {
    const f = abuseFixture()
    const out = wsb(['doctor', '--json'], { db: f.db })
    expect(out.code, out.stdout).toBe(0)
    expect(out.json().checks[0]).toEqual({ check: 'database-integrity', rule: 'storage', description: expect.any(String), passed: true, violations: 0, warnings: 0 })
  })

  it('bytes flipped in table and index pages (six variants): doctor exit 4 database-integrity; writes DB_CORRUPT exit 2, file unchanged', () => {
    const f = abuseFixture()
    // Small enough for the full integrity_check at every open for writing (README: 512 KiB).
    expect(statSync(f.db).size).toBeLessThanOrEqual(512 * 1024)
    const variants: [string, string, Damage][] = [
      ['a table page of another type (invoices)', 'invoices', (page) => void (page[0] = 0)],
      ['a table page claiming 65535 cells (events)', 'events', (page) => void page.writeUInt16BE(0xffff, 3)],
      ['a cell pointer out of the page (usage_ledger)', 'usage_ledger', (page) => void page.writeUInt16BE(0xfff0, 8)],
      ['an id changed in a table row (organizations)', 'organizations', flipIn(f.orgId)],
      ['a key changed in an index (organizations by id)', 'sqlite_autoindex_organizations_1', flipIn(f.orgId)],
      ['a byte of an index cell (invoice numbers)', 'invoices_account_number', (page) => void page.writeUInt8(page.readUInt8(page.length - 3) ^ 0x7f, page.length - 3)],
    ]
    for (const [what, name, damage] of variants) {
      const db = damagedCopy(f.db, name, damage)
      expectFound(db, what)
      expectWriteRefused(db, what)
    }
  })

  it('a damaged page in a file too large for the check at open: DB_CORRUPT (exit 2) where SQLite meets it, nothing written', () => {
    const f = abuseFixture()
    const input = join(tempDir(), 'many.ndjson')
    writeFileSync(input, `${Array.from({ length: 9000 }, (_, i) => JSON.stringify({ org: 'Sales', product: 'users', delta: i % 2 ? 1 : -1, key: `k${i}` })).join('\n')}\n`)
    expect(wsb(['usage', 'import', input, '--json'], { db: f.db }).code).toBe(0)
    const big = join(tempDir(), 'big.sqlite')
    copyFileSync(f.db, big)
    expect(statSync(big).size).toBeGreaterThan(1024 * 1024)
    const db = damagedCopy(big, 'usage_levels', (page) => void (page[0] = 0))
    expectWriteRefused(db, 'usage_levels page', false)
    expectFound(db, 'usage_levels page')
  })
})
