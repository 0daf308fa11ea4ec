// No command overwrites the database (issue 21, items 1–2), SQLite's files by
// nature: export -o, invoice pdf -o and usage import --results naming the
// database, its -wal, -shm or -journal (existing or not yet, by path, hard link
// or symbolic link, at --db or the default path) are refused as INVALID_INPUT
// naming both, before anything is opened: every byte of the folder stays as it
// was, and a writer's commits that only its -wal holds survive. The input cases,
// on both engines, are in no-overwrite.test.ts.
import { existsSync, linkSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { expectFailure } from '../helpers/abuse.js'
import { abuseFixture } from '../helpers/abuse-setup.js'
import { wsb } from '../helpers/cli.js'
import { expectRefused, folder, wsbRedirected } from '../helpers/no-overwrite.js'
import { tempDir } from '../helpers/temp.js'

const REPORT = `${JSON.stringify({ org: 'Sales', product: 'users', delta: 1, key: 'no-overwrite-1' })}\n`

describe('no command overwrites the database', () => {
  it('export -o, invoice pdf -o and usage import --results naming the database, its -wal, -shm or -journal (by path, hard link or symbolic link): INVALID_INPUT, the database byte for byte unchanged, nothing created', () => {
    const f = abuseFixture()
    const dir = join(f.db, '..')
    const input = join(tempDir(), 'reports.ndjson')
    writeFileSync(input, REPORT)
    const elsewhere = tempDir()
    const hardLink = join(elsewhere, 'hard.sqlite')
    const softLink = join(elsewhere, 'soft.sqlite')
    linkSync(f.db, hardLink)
    symlinkSync(f.db, softLink)
    // Another process holds the database open with commits only in its -wal (not checkpointed).
    const holder = new Database(f.db)
    try {
      holder.pragma('wal_autocheckpoint = 0')
      holder.prepare("UPDATE workspaces SET name = name WHERE name = 'Acme'").run()
      expect(existsSync(`${f.db}-wal`) && existsSync(`${f.db}-shm`)).toBe(true)
      const targets: [string, string][] = [
        [f.db, f.db],
        [`${f.db}-wal`, `${f.db}-wal`],
        [`${f.db}-shm`, `${f.db}-shm`],
        // No journal exists in WAL mode: refused by its name, and never created.
        [`${f.db}-journal`, `${f.db}-journal`],
        [hardLink, f.db],
        [softLink, f.db],
      ]
      // stdout appended to the database (`wsb export >> wsb.sqlite`, `invoice pdf -o - >> …`).
      expectRefused(f.db, [dir, elsewhere], ['export'], 'stdout', f.db, (args) => wsbRedirected(f.db, args, { stdoutAppend: f.db }))
      const before = folder(dir)
      const pdf = expectFailure(wsbRedirected(f.db, ['invoice', 'pdf', f.invoiceId, '-o', '-'], { stdoutAppend: hardLink }), { exit: 2, code: 'INVALID_INPUT' })
      expect(pdf.message).toContain(`stdout is the database (${f.db})`)
      expect(folder(dir)).toEqual(before)
      for (const [output, guarded] of targets) {
        expectRefused(f.db, [dir, elsewhere], ['export', '-o', output], output, guarded)
        expectRefused(f.db, [dir, elsewhere], ['invoice', 'pdf', f.invoiceId, '-o', output], output, guarded)
        expectRefused(f.db, [dir, elsewhere], ['usage', 'import', input, '--results', output], output, guarded)
      }
    } finally {
      holder.close()
    }
    // The holder's commit survived: nothing replaced the -wal under it.
    expect(wsb(['doctor', '--json'], { db: f.db }).json()).toMatchObject({ ok: true })
    expect(readFileSync(input, 'utf8')).toBe(REPORT)
  })

  it('the database at the default path (no --db): export -o naming it is refused, the file unchanged', () => {
    const data = tempDir()
    const env = { XDG_DATA_HOME: data }
    expect(wsb(['workspace', 'create', 'Acme', '--mode', 'single'], { env }).code).toBe(0)
    const db = join(data, 'wsb', 'wsb.sqlite')
    const before = folder(join(data, 'wsb'))
    const json = expectFailure(wsb(['export', '-o', db, '--json'], { env }), { exit: 2, code: 'INVALID_INPUT', details: { flag: '--output', file: db, conflictsWith: db } })
    expect(json.message).toContain('is the database')
    expect(folder(join(data, 'wsb'))).toEqual(before)
  })

})
