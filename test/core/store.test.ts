import { readFileSync, writeFileSync, copyFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { openDb } from '../../src/core/store/open.js'
import { createWorkspace } from '../../src/core/workspaces/create.js'
import { tempDbPath, tempDir } from '../helpers/temp.js'

const tables = (path: string) =>
  (new Database(path, { readonly: true }).prepare(`SELECT name FROM sqlite_master WHERE type='table' ORDER BY name`).all() as {
    name: string
  }[]).map((t) => t.name)

describe('storage', () => {
  it('R-USE-3 opens in WAL mode with synchronous=FULL, foreign keys and a busy timeout', () => {
    const db = openDb(tempDbPath())
    expect(db.sqlite.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(db.sqlite.pragma('synchronous', { simple: true })).toBe(2) // FULL
    expect(db.sqlite.pragma('foreign_keys', { simple: true })).toBe(1)
    expect(db.sqlite.pragma('busy_timeout', { simple: true })).toBeGreaterThan(0)
    db.sqlite.close()
  })

  it('applies every migration to a new file and does nothing on the next open', () => {
    const path = tempDbPath()
    openDb(path).sqlite.close()
    expect(tables(path)).toEqual(expect.arrayContaining(['workspaces', 'organizations', 'billing_accounts', 'events', '__drizzle_migrations']))
    const before = readFileSync(path)
    const again = openDb(path)
    const applied = again.sqlite.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number }
    again.sqlite.close()
    const journal = JSON.parse(readFileSync(new URL('../../migrations/sqlite/meta/_journal.json', import.meta.url), 'utf8'))
    expect(applied.n).toBe(journal.entries.length)
    expect(readFileSync(path).equals(before)).toBe(true)
  })

  it('refuses a database written by a newer wsb, and leaves it untouched', async () => {
    const path = tempDbPath()
    const db = openDb(path)
    await createWorkspace(db, { name: 'Kept', mode: 'single' })
    db.sqlite.prepare('INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)').run('from-the-future', 4102444800000)
    db.sqlite.close()
    const before = readFileSync(path)
    expect(() => openDb(path)).toThrowError(expect.objectContaining({ code: 'DB_SCHEMA_TOO_NEW', exitCode: 2 }))
    expect(readFileSync(path).equals(before)).toBe(true)
  })

  it('refuses a file that is not SQLite, and does not change it', () => {
    const path = join(tempDir(), 'notes.txt')
    writeFileSync(path, 'these are my notes, not a database\n'.repeat(200))
    const before = readFileSync(path)
    expect(() => openDb(path)).toThrowError(expect.objectContaining({ code: 'DB_NOT_SQLITE', exitCode: 2 }))
    expect(readFileSync(path).equals(before)).toBe(true)
  })

  it("refuses another application's SQLite database", () => {
    const path = tempDbPath()
    const other = new Database(path)
    other.exec('CREATE TABLE recipes (id INTEGER PRIMARY KEY, title TEXT)')
    other.close()
    expect(() => openDb(path)).toThrowError(expect.objectContaining({ code: 'DB_NOT_WSB' }))
    expect(tables(path)).toEqual(['recipes'])
  })

  it('R-WS-1 the database itself refuses a mode change (trigger), whoever writes', async () => {
    const db = openDb(tempDbPath())
    const ws = await createWorkspace(db, { name: 'A', mode: 'pooled' })
    expect(() => db.sqlite.prepare(`UPDATE workspaces SET mode = 'single' WHERE id = ?`).run(ws.id)).toThrow(/MODE_IMMUTABLE/)
    db.sqlite.close()
  })

  it('opens a copy of a current database without migrating it again', () => {
    const path = tempDbPath()
    openDb(path).sqlite.close()
    const copy = join(tempDir(), 'copy.sqlite')
    copyFileSync(path, copy)
    const db = openDb(copy)
    expect(db.sqlite.prepare('SELECT count(*) AS n FROM workspaces').get()).toEqual({ n: 0 })
    db.sqlite.close()
  })
})
