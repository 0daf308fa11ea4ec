// The PostgreSQL project cannot reach SQLite by accident (guard.ts,
// postgres-setup.ts): each way a test could open a SQLite file throws there,
// naming the test; in the sqlite project the same calls work.
import { describe, expect, it } from 'vitest'
import { openDb } from '../../src/core/store/open.js'
import { sqliteDb } from '../builders.js'
import { wsb } from './cli.js'
import { onPostgresProject } from './guard.js'
import { tempDbPath } from './temp.js'

const title = 'each way to SQLite throws in the postgres project, naming the test, and works in the sqlite project'

describe('the engine guard', () => {
  it(title, () => {
    const path = tempDbPath()
    const attempts = [
      () => openDb(path).close(),
      () => sqliteDb(path).close(),
      () => wsb(['workspace', 'list', '--db', path]),
      () => wsb(['workspace', 'list', `--db=${path}`]),
      () => wsb(['workspace', 'list'], { env: { WSB_DB: path } }),
    ]
    for (const attempt of attempts) {
      if (onPostgresProject) expect(attempt).toThrowError(`test/helpers/guard.test.ts > the engine guard > ${title}`)
      else expect(attempt).not.toThrow()
    }
    // A command that must read a SQLite file on either engine says why.
    expect(wsb(['workspace', 'list', '--db', path], { sqliteOnPurpose: 'this test' }).code).toBe(0)
  })
})
