// WAL checkpoints off the write path (SQLite). By default SQLite copies the WAL
// back into the database file inside the commit that crosses 1,000 pages:
// that commit waits for the copy and for the database file's fsync, and every
// report queued behind it waits too (the server's p99). The server's writer
// turns that off (a high bound stays, for when nothing else checkpoints), and
// a connection of its own, in a thread of its own, checkpoints PASSIVE: it
// waits for nobody and blocks nobody, and changes nothing about durability —
// a commit is durable once its WAL frames are synced (synchronous=FULL), and a
// checkpoint only copies synced frames. A WAL is reused from its start (kept
// small) only when a writer starts a transaction with every frame copied: the
// writer finishes with a PASSIVE checkpoint of its own between batches, which
// then has only the few frames written since the checkpointer's pass to copy.
import type { Db } from './db.js'

/** Frames in the WAL, and how many of them are in the database file (`busy`: another checkpoint was running). */
export type WalState = { frames: number; checkpointed: number; busy: boolean }

/** The writer's fallback: a commit checkpoints only once the WAL holds this many pages (nothing else did). */
export const WRITER_AUTOCHECKPOINT_PAGES = 20_000

/** Copies what it can of the WAL into the database file, waiting for no reader or writer. */
export function checkpointPassive(db: Db): WalState {
  const [row] = db.sqlite.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[]
  return { frames: row?.log ?? 0, checkpointed: row?.checkpointed ?? 0, busy: (row?.busy ?? 0) !== 0 }
}

/** Commits on `db` checkpoint only past `pages` (0: never). */
export function setAutoCheckpoint(db: Db, pages: number): void {
  db.sqlite.pragma(`wal_autocheckpoint = ${Math.max(0, Math.floor(pages))}`)
}

/**
 * One checkpointer turn: PASSIVE passes while each one found a fair number of
 * new frames written during the one before (at most `passes`), so that what
 * remains for the writer to copy is small. Its last state.
 */
export function catchUpWal(db: Db, passes = 4, small = 64): WalState {
  let state = checkpointPassive(db)
  for (let pass = 1; pass < passes && !state.busy; pass++) {
    const next = checkpointPassive(db)
    const writtenMeanwhile = next.frames - state.checkpointed
    state = next
    if (writtenMeanwhile <= small) break
  }
  return state
}
