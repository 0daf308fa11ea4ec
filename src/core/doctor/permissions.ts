// Who may read the database: it holds customers, emails, addresses, tax ids and
// invoices, so a file other users can read is a warning (wsb creates its files
// 0600; older files, copies and restores may not be). SQLite only: PostgreSQL's
// access is the server's roles.
import { statSync } from 'node:fs'
import { isPostgresUrl } from '../store/postgres-url.js'
import { type Check, defineCheck } from './check.js'

const octal = (mode: number) => (mode & 0o777).toString(8).padStart(4, '0')

export const databasePermissions: Check = defineCheck(
  'database-permissions',
  'storage',
  'the database file and the files beside it are readable by their owner only',
  (scope) => {
    if (isPostgresUrl(scope.db.path)) return []
    // -wal and -shm take the file's mode when SQLite creates them: one finding names every file open to others.
    const open: { file: string; mode: number }[] = []
    for (const file of [scope.db.path, `${scope.db.path}-wal`, `${scope.db.path}-shm`]) {
      try {
        const { mode } = statSync(file)
        if (mode & 0o044) open.push({ file, mode })
      } catch {
        // Not there: nothing to read.
      }
    }
    const first = open[0]
    if (!first) return []
    const who = open.some((f) => f.mode & 0o004) ? 'every user of this machine' : "the members of its group"
    const files = open.map((f) => `${f.file} (${octal(f.mode)})`).join(', ')
    return [{ ids: { file: scope.db.path }, message: `readable by ${who}, and it holds customers' data: ${files}; run chmod 600 ${open.map((f) => f.file).join(' ')}` }]
  },
  'warning',
)
