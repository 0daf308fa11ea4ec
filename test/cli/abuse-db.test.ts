// Fault tests: wrong files given as the database. Each is refused with the
// documented code (README "Exit codes and error codes") and left byte for byte
// as it was, with no WAL holding anything next to it.
import { type SpawnSyncOptions, spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { expectFailure, snapshot } from '../helpers/abuse.js'
import { cleanEnv, type CliResult, WSB, wsb } from '../helpers/cli.js'
import { tempDir } from '../helpers/temp.js'

/** A deterministic "random" binary blob (no SQLite header). */
function garbage(bytes: number): Buffer {
  const out = Buffer.alloc(bytes)
  let x = 0x2545f491
  for (let i = 0; i < bytes; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    out[i] = x & 0xff
  }
  return out
}

/** Runs a read command and a write command, in text and in JSON, expecting the same refusal. */
function expectRefused(db: string, code: string, exit = 2) {
  const before = snapshot(db)
  for (const args of [
    ['workspace', 'list'],
    ['workspace', 'create', 'Acme', '--mode', 'single'],
  ]) {
    expectFailure(wsb(args, { db }), { exit, code }, args.join(' '))
    const json = expectFailure(wsb([...args, '--json'], { db }), { exit, code }, `${args.join(' ')} --json`)
    expect(json.message).toContain(db)
    expect(snapshot(db), `${code}: the file must not change`).toEqual(before)
  }
}

/** A current wsb database holding one workspace, closed cleanly (no WAL left). */
function wsbDatabase(): string {
  const db = join(tempDir(), 'wsb.sqlite')
  expect(wsb(['workspace', 'create', 'Acme', '--mode', 'single'], { db }).code).toBe(0)
  return db
}

describe('abuse: the database file', () => {
  it('a text file and a binary file that are not SQLite: DB_NOT_SQLITE, exit 2, unchanged', () => {
    const text = join(tempDir(), 'notes.txt')
    writeFileSync(text, 'my notes, not a database\n'.repeat(50))
    expectRefused(text, 'DB_NOT_SQLITE')
    const binary = join(tempDir(), 'blob.bin')
    writeFileSync(binary, garbage(8192))
    expectRefused(binary, 'DB_NOT_SQLITE')
    // A file that starts like SQLite but is cut short after the header.
    const truncated = join(tempDir(), 'truncated.sqlite')
    writeFileSync(truncated, Buffer.concat([Buffer.from('SQLite format 3\0'), garbage(84)]))
    expectRefused(truncated, 'DB_NOT_SQLITE')
  })

  it('a directory as --db: DB_NOT_SQLITE naming the directory, and nothing is created in it', () => {
    const dir = join(tempDir(), 'a-folder')
    mkdirSync(dir)
    const out = expectFailure(wsb(['org', 'list', '--json'], { db: dir }), { exit: 2, code: 'DB_NOT_SQLITE', details: { path: dir } })
    expect(out.message).toMatch(/is a directory/)
    expectFailure(wsb(['workspace', 'create', 'Acme', '--mode', 'single'], { db: dir }), { exit: 2, code: 'DB_NOT_SQLITE' })
    expect(readdirSync(dir)).toEqual([])
  })

  it('a database path under a regular file, or an empty path: exit 2, never "unexpected"', () => {
    const file = join(tempDir(), 'plain.txt')
    writeFileSync(file, 'x')
    const under = join(file, 'wsb.sqlite')
    const json = expectFailure(wsb(['workspace', 'list', '--json'], { db: under }), { exit: 2, code: 'DB_UNWRITABLE' })
    expect(json.message).toContain(under)
    expectFailure(wsb(['workspace', 'list'], { db: under }), { exit: 2, code: 'DB_UNWRITABLE' })
    expectFailure(wsb(['workspace', 'list', '--db', '', '--json']), { exit: 2, code: 'INVALID_INPUT' })
    expectFailure(wsb(['workspace', 'list', '--db', '  ']), { exit: 2, code: 'INVALID_INPUT' })
  })

  it('an empty file is what SQLite calls an empty database: wsb sets it up (mktemp-style workflows work)', () => {
    // Decision: SQLite itself treats a zero-length file as a new database, and scripts
    // create the file first (DB=$(mktemp)); refusing it would break them.
    const db = join(tempDir(), 'empty.sqlite')
    writeFileSync(db, '')
    const created = wsb(['workspace', 'create', 'Acme', '--mode', 'single', '--json'], { db })
    expect(created.code, created.stdout + created.stderr).toBe(0)
    expect(wsb(['workspace', 'list', '--json'], { db }).json().workspaces).toHaveLength(1)
  })

  it("another application's SQLite database: DB_NOT_WSB, exit 2, unchanged (not even switched to WAL)", () => {
    const db = join(tempDir(), 'recipes.sqlite')
    const other = new Database(db)
    other.exec(`CREATE TABLE recipes (id INTEGER PRIMARY KEY, title TEXT); INSERT INTO recipes (title) VALUES ('soup')`)
    other.close()
    expectRefused(db, 'DB_NOT_WSB')
    // One that marks itself with its own application_id, even without tables yet.
    const marked = join(tempDir(), 'marked.sqlite')
    const app = new Database(marked)
    app.pragma('application_id = 1234')
    app.close()
    expectRefused(marked, 'DB_NOT_WSB')
  })

  it('a database written by a newer wsb: DB_SCHEMA_TOO_NEW, exit 2, unchanged (WAL or rollback journal)', () => {
    for (const [journal, createdAt] of [
      ['wal', 4102444800000], // 2100-01-01
      ['delete', 4102444800000],
      ['wal', 1e20], // beyond any date: must still be a clear refusal, not "Invalid time value"
      ['delete', Number.MAX_SAFE_INTEGER],
    ] as const) {
      const db = wsbDatabase()
      const raw = new Database(db)
      raw.pragma(`journal_mode = ${journal}`)
      raw.prepare('INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)').run('from-the-future', createdAt)
      raw.close()
      const before = snapshot(db)
      const out = expectFailure(wsb(['org', 'list', '--json'], { db }), { exit: 2, code: 'DB_SCHEMA_TOO_NEW' }, `${journal} ${createdAt}`)
      expect(out.message).toMatch(/newer wsb.*upgrade/)
      expectFailure(wsb(['org', 'create', 'Sales'], { db }), { exit: 2, code: 'DB_SCHEMA_TOO_NEW' }, `${journal} ${createdAt}`)
      expect(snapshot(db), `${journal} ${createdAt}: the file must not change`).toEqual(before)
    }
  })

  it('a read-only database file: writes are DB_UNWRITABLE, exit 2, reads work, unchanged', (ctx) => {
    const dir = tempDir()
    chmodSync(dir, 0o755)
    const db = join(dir, 'wsb.sqlite')
    expect(wsb(['workspace', 'create', 'Acme', '--mode', 'single'], { db }).code).toBe(0)
    chmodSync(db, 0o444)
    // Root ignores file permissions, so as root the CLI runs without the capabilities
    // that override them (setpriv drops CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH),
    // for which the file really is read-only. Without setpriv it runs as "nobody"
    // (uid 65534); only where neither can run wsb is the test skipped.
    const asRoot = process.getuid?.() === 0
    const drop = '-dac_override,-dac_read_search'
    const setpriv = asRoot && spawnSync('setpriv', [`--bounding-set=${drop}`, `--inh-caps=${drop}`, '--', process.execPath, '-e', '']).status === 0
    const spawn = (args: string[], options: SpawnSyncOptions) =>
      setpriv
        ? spawnSync('setpriv', [`--bounding-set=${drop}`, `--inh-caps=${drop}`, '--', process.execPath, ...args], options)
        : spawnSync(process.execPath, args, { ...options, ...(asRoot ? { uid: 65534, gid: 65534 } : {}) })
    const run = (args: string[]): CliResult => {
      const env = cleanEnv({ WSB_DB: db, HOME: dir, XDG_DATA_HOME: dir, XDG_CACHE_HOME: dir, XDG_CONFIG_HOME: dir })
      const out = spawn([WSB, ...args], { env, encoding: 'utf8', timeout: 60_000 })
      return { code: out.status ?? -1, stdout: String(out.stdout), stderr: String(out.stderr), json: () => JSON.parse(String(out.stdout)) }
    }
    if (asRoot && spawn(['-e', `require('fs').accessSync(${JSON.stringify(WSB)}, require('fs').constants.R_OK)`], {}).status !== 0) ctx.skip()
    const before = snapshot(db)
    expectFailure(run(['org', 'create', 'Sales']), { exit: 2, code: 'DB_UNWRITABLE' })
    expectFailure(run(['org', 'create', 'Sales', '--json']), { exit: 2, code: 'DB_UNWRITABLE', details: { path: db } })
    // Reading needs no write access (test/cli/db-access.test.ts has the rest).
    expect(run(['workspace', 'list', '--json']).json().workspaces).toHaveLength(1)
    expect(snapshot(db)).toEqual(before)
    chmodSync(db, 0o644)
    expect(wsb(['org', 'list', '--json'], { db }).json().orgs).toEqual([])
  })
})
