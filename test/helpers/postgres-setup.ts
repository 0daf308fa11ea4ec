// setupFiles of the vitest "postgres" project: SQLite cannot be used in-process
// there. better-sqlite3's statements throw, naming the test (guard.ts), so a
// core test that opened a file (openDb, new Database) instead of the project's
// PostgreSQL database fails instead of passing on the wrong engine.
import Database from 'better-sqlite3'
import { refuseSqlite } from './guard.js'

for (const method of ['prepare', 'exec', 'pragma'] as const) {
  Object.defineProperty(Database.prototype, method, {
    configurable: true,
    writable: true,
    value(this: Database.Database) {
      refuseSqlite(`better-sqlite3 (${method} on ${this.name})`)
    },
  })
}
