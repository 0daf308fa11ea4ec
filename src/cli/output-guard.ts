// No output of wsb ever lands on the database or on a file the command reads.
// Every path a command writes (-o, --results) is checked here before anything is
// opened for writing: by device and inode against each guarded file that exists
// (a hard link or a symbolic link is the same file), and by resolved name
// against each that does not exist yet (the database's -wal or -journal appear
// and vanish as SQLite works). A match is INVALID_INPUT naming both. stdout
// redirected to a guarded file (`wsb export >> wsb.sqlite`) is refused the same way.
import { fstatSync, lstatSync, readlinkSync, realpathSync, statSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { invalid } from '../core/errors.js'
import { isPostgresUrl } from '../core/store/postgres-url.js'

/** A file the command must never write, and what it is to the command ("the database", "the input file"). */
export type Guarded = { role: string; path: string } | { role: string; fd: number }

/** The SQLite database and every file SQLite keeps beside it; nothing for a PostgreSQL URL. */
export function databaseFiles(database: string): Guarded[] {
  if (isPostgresUrl(database) || database.trim() === '') return []
  return [
    { role: 'the database', path: database },
    { role: "the database's write-ahead log", path: `${database}-wal` },
    { role: "the database's shared-memory index", path: `${database}-shm` },
    { role: "the database's rollback journal", path: `${database}-journal` },
  ]
}

/** stdin when it is a file (`< reports.ndjson`): writing over it would lose what is being read. */
export function stdinFile(): Guarded[] {
  try {
    return fstatSync(0).isFile() ? [{ role: 'the input (stdin)', fd: 0 }] : []
  } catch {
    return []
  }
}

type Identity = { dev: number; ino: number } | undefined

function identity(file: Guarded): Identity {
  try {
    const stats = 'fd' in file ? fstatSync(file.fd) : statSync(file.path)
    return { dev: stats.dev, ino: stats.ino }
  } catch {
    return undefined
  }
}

/**
 * Where a path leads once its folder and any symbolic link at its end are
 * resolved, for a file that may not exist (a dangling link counts as its target).
 */
function resolvedName(path: string): string {
  let file = resolve(path)
  for (let hops = 0; hops < 8; hops++) {
    try {
      if (!lstatSync(file).isSymbolicLink()) break
      file = resolve(dirname(file), readlinkSync(file))
    } catch {
      break
    }
  }
  try {
    return join(realpathSync(dirname(file)), basename(file))
  } catch {
    return file
  }
}

/** Throws INVALID_INPUT when writing `output` (given as `flag`) would write one of `guarded`. Opens nothing. */
export function refuseOverwrite(output: string, flag: string, guarded: readonly Guarded[]): void {
  const target = identity({ role: '', path: output })
  const name = resolvedName(output)
  for (const file of guarded) {
    const other = identity(file)
    // Both exist: the same inode. Either is missing: the same name once created.
    const same = target && other ? target.dev === other.dev && target.ino === other.ino : 'path' in file && resolvedName(file.path) === name
    if (same) throw refusal(flag, output, file)
  }
}

/**
 * stdout redirected to one of `guarded` (`wsb export >> wsb.sqlite`, results
 * appended to the file being imported): refused like -o before anything is written.
 */
export function refuseStdoutOver(guarded: readonly Guarded[]): void {
  const stdout = identity({ role: '', fd: 1 })
  if (stdout === undefined || !fstatSync(1).isFile()) return
  for (const file of guarded) {
    const other = identity(file)
    // The error itself must not go there either: it is printed on stderr, --json or not.
    if (other && other.dev === stdout.dev && other.ino === stdout.ino) throw Object.assign(refusal('stdout', '-', file), { stdoutUnusable: true })
  }
}

function refusal(flag: string, output: string, file: Guarded) {
  const what = 'path' in file ? `${file.role} (${file.path})` : file.role
  const named = flag === 'stdout' ? 'stdout' : `${flag} ${output}`
  return invalid(`${named} is ${what}: wsb never writes over the database or a file it reads; name another file`, {
    flag,
    file: output,
    conflictsWith: 'path' in file ? file.path : file.role,
  })
}
