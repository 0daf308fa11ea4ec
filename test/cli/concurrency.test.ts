// Several real processes on one brand-new database file: the migration and
// the writes are serialised, nobody sees SQLITE_BUSY or "table already exists".
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { tempDbPath } from '../helpers/temp.js'
import { cleanEnv, wsbAsync } from '../helpers/cli.js'

const fixture = fileURLToPath(new URL('../fixtures/open-and-create.ts', import.meta.url))

function child(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', fixture, ...args], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    proc.stdout.on('data', (c) => (stdout += c))
    proc.stderr.on('data', (c) => (stderr += c))
    proc.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

describe('concurrent processes on a new database', () => {
  it('R-USE-3 four processes opening a brand-new file at the same instant all migrate and write safely', async () => {
    for (let round = 0; round < 3; round++) {
      const db = tempDbPath()
      const startAt = Date.now() + 2500
      const results = await Promise.all([0, 1, 2, 3].map((i) => child([db, `W${i}`, String(startAt), '15'])))
      for (const result of results) {
        expect(result.stdout, result.stderr).toBe('{"ok":true}')
        expect(result.code).toBe(0)
      }
      const check = new Database(db, { readonly: true })
      expect(check.prepare('SELECT count(*) AS n FROM organizations').get()).toEqual({ n: 60 })
      expect(check.prepare('SELECT count(*) AS n FROM workspaces').get()).toEqual({ n: 4 })
      check.close()
    }
  })

  it('R-USE-3 four wsb processes creating at once on a new file all succeed', async () => {
    const db = tempDbPath()
    const results = await Promise.all([0, 1, 2, 3].map((i) => wsbAsync(['workspace', 'create', `Team ${i}`, '--mode', 'single', '--json'], { db })))
    for (const result of results) {
      expect(result.code, result.stdout + result.stderr).toBe(0)
      expect(result.stderr).toBe('')
    }
    const orgs = await Promise.all(
      [0, 1, 2, 3].map((i) => wsbAsync(['org', 'create', `Org ${i}`, '--workspace', `Team ${i}`, '--json'], { db })),
    )
    for (const result of orgs) expect(result.code, result.stdout + result.stderr).toBe(0)
  })
})
