// The command contract of SPEC §2, checked on the built binary the way scripts use it.
import { spawn } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { tempDbPath } from '../helpers/temp.js'
import { cleanEnv, engineDb, WSB, wsb } from '../helpers/cli.js'

const ESC = '\u001b['

describe('command contract', () => {
  it('--json prints exactly one JSON document with the spec shape for workspace create/show', () => {
    const db = tempDbPath()
    const created = wsb(['workspace', 'create', 'Acme', '--mode', 'single', '--json'], { db })
    expect(created.code).toBe(0)
    expect(created.stderr).toBe('')
    expect(created.json()).toMatchObject({ id: expect.stringMatching(/^ws_/), name: 'Acme', mode: 'single', clock: { mode: 'real', now: expect.any(String) } })
    const shown = wsb(['workspace', 'show', '--json'], { db }).json()
    expect(shown).toMatchObject({ id: created.json().id, mode: 'single', organizations: 0, accounts: 0 })
    expect(new Date(shown.clock.now).toISOString()).toBe(shown.clock.now)
  })

  it('R-WS-1 a mode change exits 4 with MODE_IMMUTABLE, in JSON and in text', () => {
    const db = tempDbPath()
    wsb(['workspace', 'create', 'Acme', '--mode', 'single'], { db })
    const json = wsb(['workspace', 'update', 'Acme', '--mode', 'pooled', '--json'], { db })
    expect(json.code).toBe(4)
    expect(json.json()).toEqual({
      error: { code: 'MODE_IMMUTABLE', message: expect.stringContaining('permanent'), details: expect.objectContaining({ mode: 'single' }) },
    })
    const text = wsb(['workspace', 'update', 'Acme', '--mode', 'pooled'], { db })
    expect(text.code).toBe(4)
    expect(text.stdout).toBe('')
    expect(text.stderr.trim().split('\n')).toHaveLength(1)
    expect(text.stderr).toContain('MODE_IMMUTABLE')
    expect(wsb(['workspace', 'show', '--json'], { db }).json().mode).toBe('single')
  })

  it('malformed flags exit 2 with an error object, never a config dump', () => {
    const db = tempDbPath()
    wsb(['workspace', 'create', 'Acme', '--mode', 'single'], { db })
    const unknownFlag = wsb(['org', 'list', '--bogus', '--json'], { db })
    expect(unknownFlag.code).toBe(2)
    expect(unknownFlag.json().error).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('--bogus') })
    expect(unknownFlag.stdout.length).toBeLessThan(500)
    const badMode = wsb(['workspace', 'create', 'X', '--mode', 'shared', '--json'], { db })
    expect(badMode.code).toBe(2)
    expect(badMode.json().error.message).toMatch(/single, assigned, pooled/)
    const badLimit = wsb(['org', 'limit', 'set', 'Nowhere', 'users=-3', '--json'], { db })
    expect(badLimit.code).toBe(2)
    const badTime = wsb(['workspace', 'create', 'Y', '--mode', 'single', '--clock-start', '2026-02-30', '--json'], { db })
    expect(badTime.code).toBe(2)
    expect(badTime.json().error.message).toContain('2026-02-30')
    const unknownCommand = wsb(['frobnicate', '--json'], { db })
    expect(unknownCommand.code).toBe(2)
    expect(unknownCommand.json().error.code).toBe('UNKNOWN_COMMAND')
    expect(wsb(['workspace', 'list', '--json'], { db }).json().workspaces).toHaveLength(1)
  })

  it('unknown ids exit 3 with NOT_FOUND', () => {
    const db = tempDbPath()
    wsb(['workspace', 'create', 'Acme', '--mode', 'assigned'], { db })
    for (const args of [
      ['org', 'show', 'org_doesnotexist'],
      ['org', 'create', 'Child', '--parent', 'Ghost'],
      ['account', 'show', 'acct_nope'],
      ['account', 'assign', 'acct_nope', '--org', 'Ghost'],
      ['workspace', 'show', 'Elsewhere'],
    ]) {
      const out = wsb([...args, '--json'], { db })
      expect(out.code, args.join(' ')).toBe(3)
      expect(out.json().error.code).toBe('NOT_FOUND')
    }
  })

  it('a missing required flag without a terminal exits 2 at once, naming the flag (it never waits for input)', async () => {
    const db = tempDbPath()
    // Standard input stays open and silent until the command has exited: a command waiting for an
    // answer would never exit (the test would time out); this one must refuse by itself.
    const child = spawn(process.execPath, [WSB, 'workspace', 'create', 'Acme'], { env: cleanEnv({ WSB_DB: engineDb(db) }), stdio: ['pipe', 'pipe', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (d) => (stderr += d))
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
    child.stdin.destroy()
    expect(code).toBe(2)
    expect(stderr).toContain('--mode')
    const json = wsb(['workspace', 'create', 'Acme', '--json'], { db, env: { CI: '1' } })
    expect(json.json().error).toMatchObject({ code: 'MISSING_INPUT', details: { flag: 'mode' } })
    // Nothing was created: no workspace (PostgreSQL), or no database file at all (SQLite: DB_NOT_FOUND, issue 15).
    const listed = wsb(['workspace', 'list', '--json'], { db }).json()
    if (process.env.WSB_TEST_ENGINE === 'postgres') expect(listed.workspaces).toEqual([])
    else expect(listed.error.code).toBe('DB_NOT_FOUND')
  })

  it('JSON is never coloured, even with FORCE_COLOR; NO_COLOR output has no escape codes', () => {
    const db = tempDbPath()
    wsb(['workspace', 'create', 'Acme', '--mode', 'single'], { db })
    wsb(['org', 'create', 'Sales'], { db })
    const forced = wsb(['org', 'list', '--json'], { db, env: { FORCE_COLOR: '3' } })
    expect(forced.stdout).not.toContain(ESC)
    expect(forced.json().orgs[0].name).toBe('Sales')
    const forcedError = wsb(['org', 'show', 'Nope', '--json'], { db, env: { FORCE_COLOR: '1' } })
    expect(forcedError.stdout).not.toContain(ESC)
    expect(forcedError.json().error.code).toBe('NOT_FOUND')
    const noColor = wsb(['org', 'list'], { db, env: { NO_COLOR: '1', FORCE_COLOR: '1' } })
    expect(noColor.stdout).toContain('Sales')
    expect(noColor.stdout).not.toContain(ESC)
    expect(wsb(['account', 'list'], { db }).stdout).not.toContain(ESC) // piped: no colour by default
    expect(wsb(['org', 'list'], { db, env: { FORCE_COLOR: '1' } }).stdout).toContain(ESC)
  })

  // A file that is not SQLite: SQLite-only by nature (the postgres project maps each test path to a database).
  it.skipIf(process.env.WSB_TEST_ENGINE === 'postgres')('a database that is not SQLite is refused with exit 2 and left as it was', async () => {
    const { writeFileSync, readFileSync } = await import('node:fs')
    const db = tempDbPath()
    writeFileSync(db, 'not a database at all\n'.repeat(100))
    const out = wsb(['workspace', 'list', '--json'], { db })
    expect(out.code).toBe(2)
    expect(out.json().error.code).toBe('DB_NOT_SQLITE')
    expect(readFileSync(db, 'utf8')).toBe('not a database at all\n'.repeat(100))
  })
})
