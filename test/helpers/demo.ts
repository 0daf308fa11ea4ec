// The demo database (scripts/demo.sh: three workspaces after trials, renewals,
// failover and dunning) built in a temp folder; on the postgres project copied
// into a PostgreSQL database of its own with `db copy`. Needs `npm run build`.
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { cleanEnv, wsb } from './cli.js'
import { tempDir } from './temp.js'

const root = fileURLToPath(new URL('../..', import.meta.url))

/** The demo's database: a SQLite file, or a postgres:// URL on the postgres project. */
export async function buildDemo(): Promise<string> {
  const file = join(tempDir(), 'demo.sqlite')
  const out = spawnSync('bash', [join(root, 'scripts/demo.sh')], { env: cleanEnv({ WSB_DEMO_DB: file }), encoding: 'utf8', timeout: 180_000 })
  if (out.status !== 0) throw new Error(`the demo failed:\n${out.stdout}\n${out.stderr}`)
  if (process.env.WSB_TEST_ENGINE !== 'postgres') return file
  const { postgresDatabase } = await import('./postgres.js')
  const target = await postgresDatabase({ empty: true })
  const copy = wsb(['db', 'copy', '--to', target], { env: { WSB_DB: file }, sqliteOnPurpose: 'db copy reads the demo SQLite file' })
  if (copy.code !== 0) throw new Error(`db copy failed: ${copy.stderr}`)
  return target
}
