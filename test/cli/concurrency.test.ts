// Several real processes on one brand-new database (a new SQLite file, or an
// empty PostgreSQL database): the migration and the writes are serialised,
// nobody sees SQLITE_BUSY, a serialization failure or "table already exists".
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { tempDbPath } from '../helpers/temp.js'
import { cleanEnv, wsbAsync } from '../helpers/cli.js'
import { engineAll } from '../helpers/engine.js'
import { guardSqlitePath, onPostgresProject } from '../helpers/guard.js'
import { postgresDatabase } from '../helpers/postgres.js'

const fixture = fileURLToPath(new URL('../fixtures/open-and-create.ts', import.meta.url))

/** A brand-new database of the project's engine: a path where no file is yet, or an empty PostgreSQL database. */
const brandNew = async () => (onPostgresProject ? await postgresDatabase({ empty: true }) : tempDbPath())

function child(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  guardSqlitePath(args[0] as string, 'open-and-create.ts on')
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
  it('R-USE-3 four processes opening a brand-new database at the same instant all migrate and write safely', async () => {
    for (let round = 0; round < 3; round++) {
      const db = await brandNew()
      const startAt = Date.now() + 2500
      const results = await Promise.all([0, 1, 2, 3].map((i) => child([db, `W${i}`, String(startAt), '15'])))
      for (const result of results) {
        expect(result.stdout, result.stderr).toBe('{"ok":true}')
        expect(result.code).toBe(0)
      }
      expect(engineAll(db, 'SELECT count(*) AS n FROM organizations')).toEqual([{ n: 60 }])
      expect(engineAll(db, 'SELECT count(*) AS n FROM workspaces')).toEqual([{ n: 4 }])
    }
  })

  it('R-USE-3 four wsb processes creating at once on a new database all succeed', async () => {
    const db = await brandNew()
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
