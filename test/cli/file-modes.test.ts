// Files wsb creates are its user's alone (issue 21, item 7), under the common
// umask 022: a new SQLite database 0600 (and its -wal and -shm, which SQLite
// creates with the file's mode) in folders 0700 when wsb creates them, the
// default path included; output files (export -o, invoice pdf -o, usage import
// --results) 0600; a stricter umask takes more away; an existing file keeps its
// mode and an existing folder is left alone. doctor warns when a database is
// readable by other users. SQLite files by nature.
import { spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { abuseFixture } from '../helpers/abuse-setup.js'
import { type CliResult, cleanEnv, WSB } from '../helpers/cli.js'
import { tempDir } from '../helpers/temp.js'

/** The built CLI started under `umask` (as a login shell with that umask would start it). */
function wsbUnder(umask: string, args: string[], env: Record<string, string | undefined> = {}): CliResult {
  const out = spawnSync('sh', ['-c', `umask ${umask} && exec "$@"`, 'sh', process.execPath, WSB, ...args], { env: cleanEnv(env), encoding: 'utf8', timeout: 60_000 })
  return { code: out.status ?? -1, stdout: out.stdout, stderr: out.stderr, json: () => JSON.parse(out.stdout) }
}

const modeOf = (path: string) => (statSync(path).mode & 0o777).toString(8)

function ok(out: CliResult, what: string): CliResult {
  expect(out.code, `${what}\n${out.stdout}${out.stderr}`).toBe(0)
  return out
}

describe('file modes under umask 022', () => {
  it('a new database is 0600 in folders wsb makes 0700 (--db and the default path); its -wal and -shm are 0600; an existing folder keeps its mode', () => {
    const root = tempDir()
    chmodSync(root, 0o755)
    const nested = join(root, 'new', 'deeper', 'wsb.sqlite')
    ok(wsbUnder('022', ['workspace', 'create', 'Acme', '--mode', 'single', '--db', nested]), 'workspace create --db')
    expect([modeOf(join(root, 'new')), modeOf(join(root, 'new', 'deeper')), modeOf(nested)]).toEqual(['700', '700', '600'])
    expect(modeOf(root), 'a folder wsb did not make is left alone').toBe('755')

    const data = join(root, 'xdg')
    ok(wsbUnder('022', ['init'], { XDG_DATA_HOME: data }), 'init at the default path')
    expect([modeOf(join(data, 'wsb')), modeOf(join(data, 'wsb', 'wsb.sqlite'))]).toEqual(['700', '600'])

    const existing = join(root, 'plain')
    mkdirSync(existing, { mode: 0o755 })
    const db = join(existing, 'wsb.sqlite')
    ok(wsbUnder('022', ['init', '--db', db]), 'init --db in an existing folder')
    expect([modeOf(existing), modeOf(db)]).toEqual(['755', '600'])
    // Another process holds it open: the -wal and -shm beside it exist while commands run.
    const holder = new Database(db)
    try {
      holder.pragma('wal_autocheckpoint = 0')
      holder.prepare('SELECT count(*) FROM workspaces').get()
      ok(wsbUnder('022', ['workspace', 'create', 'Acme', '--mode', 'single', '--db', db]), 'a write')
      expect([modeOf(`${db}-wal`), modeOf(`${db}-shm`)]).toEqual(['600', '600'])
    } finally {
      holder.close()
    }
  })

  it('export -o, invoice pdf -o and usage import --results create 0600 files (umask 022 and 077), fewer rights under a stricter umask; an existing file keeps its mode', () => {
    const f = abuseFixture()
    const env = { WSB_DB: f.db }
    const reports = join(tempDir(), 'in.ndjson')
    writeFileSync(reports, `${JSON.stringify({ org: 'Sales', product: 'users', delta: 1 })}\n`)
    for (const [umask, expected] of [
      ['022', '600'],
      ['077', '600'],
      ['0277', '400'],
    ] as const) {
      const dir = tempDir()
      ok(wsbUnder(umask, ['export', '-o', join(dir, 'state.yaml')], env), `export (umask ${umask})`)
      ok(wsbUnder(umask, ['invoice', 'pdf', f.invoiceId, '-o', join(dir, 'invoice.pdf')], env), `invoice pdf (umask ${umask})`)
      ok(wsbUnder(umask, ['usage', 'import', reports, '--results', join(dir, 'results.ndjson')], env), `usage import (umask ${umask})`)
      expect(['state.yaml', 'invoice.pdf', 'results.ndjson'].map((name) => modeOf(join(dir, name))), `umask ${umask}`).toEqual([expected, expected, expected])
    }
    const dir = tempDir()
    const kept = join(dir, 'results.ndjson')
    writeFileSync(kept, '')
    chmodSync(kept, 0o640)
    ok(wsbUnder('022', ['usage', 'import', reports, '--results', kept], env), 'usage import over a 0640 file')
    expect(modeOf(kept)).toBe('640')
  })

  it('doctor warns (exit 0) when the database or the files beside it are readable by other users, and not when they are 0600', () => {
    const f = abuseFixture()
    const env = { WSB_DB: f.db }
    const warnings = () => ok(wsbUnder('022', ['doctor', '--json'], env), 'doctor').json().warnings.filter((w: { check: string }) => w.check === 'database-permissions')
    expect(modeOf(f.db)).toBe('600')
    expect(warnings()).toEqual([])
    chmodSync(f.db, 0o644)
    const [warning, ...more] = warnings()
    expect(more).toEqual([])
    expect(warning).toMatchObject({ check: 'database-permissions', rule: 'storage', ids: { file: f.db } })
    expect(warning.message).toContain('readable by every user of this machine')
    expect(warning.message).toContain(`chmod 600 ${f.db}`)
    chmodSync(f.db, 0o640)
    expect(warnings()[0].message).toContain('readable by the members of its group')
    const text = ok(wsbUnder('022', ['doctor'], env), 'doctor').stdout
    expect(text).toMatch(/Warnings[\s\S]*database-permissions/)
  })
})
