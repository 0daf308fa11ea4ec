// Write transactions (R-USE-3): every write runs inside BEGIN IMMEDIATE, so the
// check and the change it guards are one atomic step across processes.
// SQLite's own busy handler backs off to 100 ms sleeps and can starve a process
// while others keep the lock; we keep its timeout short and retry BEGIN with
// small random sleeps until a generous deadline, so users never see SQLITE_BUSY.
import type Database from 'better-sqlite3'
import { invalid } from '../errors.js'

const BEGIN_DEADLINE_MS = 60_000
const sleeper = new Int32Array(new SharedArrayBuffer(4))

export function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms)
}

export function isBusy(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code
  return code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_SNAPSHOT' || code === 'SQLITE_LOCKED'
}

/** The file behind each connection (a read-only one may be a memory copy, named ":memory:"). */
export const databasePaths = new WeakMap<Database.Database, string>()

/** A write on a connection opened read-only (another user's file, read-only media). */
export function refuseReadOnly(sqlite: Database.Database): never {
  const path = databasePaths.get(sqlite) ?? sqlite.name
  throw invalid(`cannot write the database ${path}: this user may not write it, or it is on read-only media`, { path }, 'DB_UNWRITABLE')
}

/** Retries `step` while SQLite reports the database busy, up to the deadline. */
export function retryBusy<T>(step: () => T, deadlineMs = BEGIN_DEADLINE_MS): T {
  const started = Date.now()
  for (let attempt = 0; ; attempt++) {
    try {
      return step()
    } catch (error) {
      if (!isBusy(error) || Date.now() - started > deadlineMs) throw error
      sleepSync(1 + Math.random() * Math.min(20, 2 + attempt))
    }
  }
}

/**
 * Runs `work` in one BEGIN IMMEDIATE transaction and returns its result. A throw
 * rolls everything back. Nested calls join the outer transaction. Only a busy
 * BEGIN is retried: once `work` has run, its error is final.
 */
export function immediate<T>(sqlite: Database.Database, work: () => T, onRollback?: () => void): T {
  if (sqlite.inTransaction) return work()
  if (sqlite.readonly) refuseReadOnly(sqlite)
  let started = false
  const transaction = sqlite.transaction(() => {
    started = true
    return work()
  })
  const begun = Date.now()
  for (let attempt = 0; ; attempt++) {
    started = false
    try {
      return transaction.immediate()
    } catch (error) {
      if (started) onRollback?.()
      if (started || !isBusy(error) || Date.now() - begun > BEGIN_DEADLINE_MS) throw error
      sleepSync(1 + Math.random() * Math.min(20, 2 + attempt))
    }
  }
}
