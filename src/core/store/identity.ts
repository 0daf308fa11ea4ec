// The database file a long-running command writes into must stay the file it
// opened: deleted, or replaced by another file under the same name, its
// commits would go where no one will read them again. Checked by file identity
// (device and inode) around each batch of a running import; a copy written over
// the same inode in place is not detected (SQLite's documentation names that a
// way to corrupt a database).
import { statSync } from 'node:fs'
import { WsbError, ExitCode } from '../errors.js'
import { isPostgresUrl } from './postgres-url.js'

/** `throughLine`: the last input line whose batch was committed into the right file. */
export type IdentityCheck = (committed: { throughLine: number }) => void

export function watchFileIdentity(path: string): IdentityCheck {
  // A PostgreSQL database is named by its server, not by a file.
  if (path === ':memory:' || path === '' || isPostgresUrl(path)) return () => {}
  const first = statSync(path)
  return (committed) => {
    let reason: 'deleted' | 'replaced' | undefined
    try {
      const now = statSync(path)
      if (now.ino !== first.ino || now.dev !== first.dev) reason = 'replaced'
    } catch {
      reason = 'deleted'
    }
    if (!reason) return
    throw new WsbError(
      'DB_REPLACED',
      `the database file ${path} was ${reason} while wsb was writing to it; input lines up to ${committed.throughLine} were committed before that, nothing after them was acknowledged; point wsb at the right file and resume after line ${committed.throughLine}`,
      ExitCode.unexpected,
      { path, reason, committedThroughLine: committed.throughLine },
    )
  }
}
