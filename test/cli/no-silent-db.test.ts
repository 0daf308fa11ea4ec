// Issue 15: a command that only reads never creates a database. A mistyped --db
// fails naming the path (DB_NOT_FOUND, exit 3) and leaves the file system as it was.
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { wsb } from '../helpers/cli.js'
import { tempDir } from '../helpers/temp.js'

const onPostgres = process.env.WSB_TEST_ENGINE === 'postgres'

describe.skipIf(onPostgres)('no silent new databases (SQLite files)', () => {
  it('a mistyped --db: every reading command fails with DB_NOT_FOUND naming the path, and creates neither file nor folder', () => {
    const dir = tempDir()
    const typo = join(dir, 'typo-folder', 'wsb.sqlite')
    for (const args of [['workspace', 'list'], ['org', 'list'], ['invoice', 'list'], ['events'], ['usage', 'report'], ['account', 'create', 'X', '--currency', 'USD'], ['billing', 'run']]) {
      const out = wsb([...args, '--db', typo])
      expect(out.code, args.join(' ')).toBe(3)
      expect(out.stderr).toContain(typo)
      expect(out.stderr).toContain('[DB_NOT_FOUND]')
      const json = wsb([...args, '--db', typo, '--json'])
      expect(json.json().error).toMatchObject({ code: 'DB_NOT_FOUND', details: { path: typo } })
    }
    expect(readdirSync(dir)).toEqual([])
  })

  it('the default database (no --db) is not created by a reading command either', () => {
    const xdg = tempDir()
    const out = wsb(['workspace', 'list'], { env: { XDG_DATA_HOME: xdg } })
    expect(out.code).toBe(3)
    expect(out.stderr).toContain(join(xdg, 'wsb', 'wsb.sqlite'))
    expect(readdirSync(xdg)).toEqual([])
  })

  it('an empty WSB_DB or --db is invalid input (exit 2), and nothing is created', () => {
    const xdg = tempDir()
    const env = wsb(['workspace', 'list'], { env: { XDG_DATA_HOME: xdg, WSB_DB: '' } })
    expect(env.code).toBe(2)
    expect(env.stderr).toContain('WSB_DB')
    const flag = wsb(['workspace', 'list', '--db', ''], { env: { XDG_DATA_HOME: xdg } })
    expect(flag.code).toBe(2)
    expect(readdirSync(xdg)).toEqual([])
  })

  it('commands that create something (workspace create, apply) still create the database and its folder', () => {
    const dir = tempDir()
    const created = join(dir, 'new', 'wsb.sqlite')
    expect(wsb(['workspace', 'create', 'Fresh', '--mode', 'single', '--db', created]).code).toBe(0)
    expect(existsSync(created)).toBe(true)
    expect(wsb(['workspace', 'list', '--db', created]).stdout).toContain('Fresh')
    const applied = join(dir, 'applied.sqlite')
    const file = 'version: 1\nworkspace:\n  name: Applied\n  mode: single\n'
    expect(wsb(['apply', '-f', '-', '--db', applied], { input: file }).code).toBe(0)
    expect(existsSync(applied)).toBe(true)
  })
})
