// Runs the built wsb binary as a subprocess, the way scripts use it.
import { spawn, spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { inject } from 'vitest'
import { guardSqliteArgs } from './guard.js'
import { tempDir } from './temp.js'

export const WSB = fileURLToPath(new URL('../../bin/run.cjs', import.meta.url))

export type CliResult = { code: number; stdout: string; stderr: string; json: () => any }

/**
 * Environment without the caller's colour, CI and wsb settings, so tests are
 * deterministic; the default data directory is a temp dir, never the real one.
 * NODE_ENV goes too: vitest sets it to "test", which puts oclif in development
 * mode (2.5x slower starts, developer warnings), unlike any real run.
 * In the postgres project a WSB_DB naming a SQLite file throws (guard.ts),
 * unless `sqliteOnPurpose` says why the command must read one.
 */
export function cleanEnv(extra: Record<string, string | undefined> = {}, sqliteOnPurpose?: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_DATA_HOME: tempDir() }
  for (const key of Object.keys(env))
    if (/^(WSB_|STRIPE_|FORCE_COLOR|NO_COLOR|DEBUG|CI$|NODE_ENV$)/.test(key)) delete env[key]
  for (const [key, value] of Object.entries(extra)) if (value === undefined) delete env[key]
  else env[key] = value
  guardSqliteArgs([], env, sqliteOnPurpose)
  return env
}

/** Options of wsb()/wsbAsync(): `db` is a test's database path (mapped by engineDb); `sqliteOnPurpose` as in cleanEnv. */
export type WsbOptions = { db?: string; env?: Record<string, string | undefined>; input?: string; sqliteOnPurpose?: string }

function result(code: number | null, stdout: string, stderr: string): CliResult {
  return {
    code: code ?? -1,
    stdout,
    stderr,
    json: () => {
      try {
        return JSON.parse(stdout)
      } catch {
        throw new Error(`stdout is not one JSON document:\n${stdout}\nstderr:\n${stderr}`)
      }
    },
  }
}

/**
 * With WSB_TEST_ENGINE=postgres (the vitest "postgres" project), a test's SQLite
 * file path stands for a PostgreSQL database of its own: made (synchronously, as
 * the CLI helpers are) from the migrated template on first use, the same one for
 * every later use of that path.
 */
const databases = new Map<string, string>()
const root = fileURLToPath(new URL('../..', import.meta.url))
export function engineDb(path: string): string {
  if (process.env.WSB_TEST_ENGINE !== 'postgres' || !path.endsWith('.sqlite')) return path
  let url = databases.get(path)
  if (url === undefined) {
    const server = new URL(inject('wsbPostgresUrl'))
    const name = `${inject('wsbPostgresPrefix')}_cli_${process.pid}_${databases.size + 1}`
    const script = `const { Client } = require('pg'); const c = new Client({ connectionString: process.argv[1] });
      c.connect().then(() => c.query('CREATE DATABASE ${name} TEMPLATE ${inject('wsbPostgresTemplate')} STRATEGY WAL_LOG')).then(() => c.end())
        .catch((e) => { console.error(e.message); process.exit(1) })`
    const made = spawnSync(process.execPath, ['-e', script, server.toString()], { cwd: root, encoding: 'utf8' })
    if (made.status !== 0) throw new Error(`cannot create a PostgreSQL test database: ${made.stderr}`)
    server.pathname = `/${name}`
    url = server.toString()
    databases.set(path, url)
  }
  return url
}

export function wsb(args: string[], options: WsbOptions = {}): CliResult {
  guardSqliteArgs(args, {}, options.sqliteOnPurpose)
  const env = cleanEnv({ ...(options.db ? { WSB_DB: engineDb(options.db) } : {}), ...options.env }, options.sqliteOnPurpose)
  const out = spawnSync(process.execPath, [WSB, ...args], { env, input: options.input ?? '', encoding: 'utf8', timeout: 60_000 })
  return result(out.status, out.stdout, out.stderr)
}

/** The same, without blocking the test process (for concurrency tests). */
export function wsbAsync(args: string[], options: WsbOptions = {}): Promise<CliResult> {
  guardSqliteArgs(args, {}, options.sqliteOnPurpose)
  const env = cleanEnv({ ...(options.db ? { WSB_DB: engineDb(options.db) } : {}), ...options.env }, options.sqliteOnPurpose)
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [WSB, ...args], { env, stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] })
    if (options.input !== undefined) child.stdin?.end(options.input)
    let stdout = ''
    let stderr = ''
    child.stdout?.on('data', (chunk) => (stdout += chunk))
    child.stderr?.on('data', (chunk) => (stderr += chunk))
    child.on('close', (code) => resolve(result(code, stdout, stderr)))
  })
}
