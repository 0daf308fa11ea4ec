// Keeps the PostgreSQL project on PostgreSQL. A test listed in `onPostgres`
// (vitest.config.ts) that opened a SQLite file would pass on SQLite and claim
// PostgreSQL: every way a test can reach SQLite throws there instead, naming
// the test — a raw `.sqlite` path given to the CLI (`--db`, WSB_DB) or to a
// fixture process, `sqliteDb()`, and (postgres-setup.ts) better-sqlite3 itself.
import { expect } from 'vitest'

/** True in the vitest "postgres" project. */
export const onPostgresProject = process.env.WSB_TEST_ENGINE === 'postgres'

/** The running test, as "file > describe > title". */
export function currentTest(): string {
  const state = expect.getState()
  const file = state.testPath ? state.testPath.slice(state.testPath.indexOf('/test/') + 1) : '(no file)'
  return `${file} > ${state.currentTestName ?? '(outside a test)'}`
}

/** Throws: `what` would open SQLite in the PostgreSQL project. */
export function refuseSqlite(what: string): never {
  throw new Error(
    `${currentTest()}: ${what} opens a SQLite database in the postgres project, which must test PostgreSQL. ` +
      'Map the path with engineDb() (test/helpers/cli.ts), use newDb()/workspace() (test/builders.ts), ' +
      'or keep the test SQLite-only with it.skipIf(onPostgres) and a reason.',
  )
}

const sqlitePath = (value: string | undefined) => value !== undefined && /\.sqlite$/.test(value)

/** Refuses, in the postgres project, a SQLite file handed to a process or helper as its database. */
export function guardSqlitePath(path: string, what: string): void {
  if (onPostgresProject && !/^postgres(ql)?:\/\//.test(path)) refuseSqlite(`${what} ${path}`)
}

/**
 * Refuses, in the postgres project, a command line or environment naming a
 * SQLite file as the database: `--db x.sqlite`, `--db=x.sqlite`, WSB_DB, or a
 * fixture's first argument. `onPurpose` (a reason) lets one through, for
 * commands that read a SQLite file on either engine (`db copy`'s source).
 */
export function guardSqliteArgs(args: readonly string[], env: Record<string, string | undefined> = {}, onPurpose?: string): void {
  if (!onPostgresProject || onPurpose) return
  for (const [i, arg] of args.entries()) {
    if ((arg === '--db' && sqlitePath(args[i + 1])) || (arg.startsWith('--db=') && sqlitePath(arg.slice(5)))) refuseSqlite(`--db ${args[i + 1] ?? arg.slice(5)}`)
  }
  if (sqlitePath(env.WSB_DB)) refuseSqlite(`WSB_DB=${env.WSB_DB}`)
}
