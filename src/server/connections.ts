// The server's database connections. One writer, used only by the group-commit
// loop (a connection inside a write transaction serves nothing else), and a
// few readers for GET routes and key lookups, each lent to one request at a
// time. A PostgreSQL connection that was lost (the server restarted) is
// dropped and opened again on next use; until that succeeds, requests fail
// with DB_UNREACHABLE (503) instead of waiting.
import type { Db } from '../core/store/db.js'

export type Open = () => Promise<Db>

const LOST = new Set(['DB_UNREACHABLE', 'DB_CONNECT_FAILED'])
/** A connection that is gone: answered with 503, and opened anew next time. */
export const isConnectionLost = (error: unknown): boolean => LOST.has((error as { code?: string } | null)?.code ?? '')

/** How long a failed open is remembered before the next try (no storm of connects while the database is down). */
const REOPEN_AFTER_MS = 200

export class Connections {
  private current: Db | undefined
  private opening: Promise<Db> | undefined
  private failed: { error: unknown; at: number } | undefined
  private readonly idle: Db[] = []
  private readonly waiters: ((db: Db | Error) => void)[] = []
  private readers = 0
  private closed = false

  constructor(
    private readonly open: Open,
    private readonly maxReaders: number,
    writer?: Db,
  ) {
    this.current = writer
  }

  /** The writer's connection, opened again if it was lost. */
  async writer(): Promise<Db> {
    if (this.current) return this.current
    if (this.closed) throw new Error('internal: the connections are closed')
    if (this.failed && Date.now() - this.failed.at < REOPEN_AFTER_MS) throw this.failed.error
    this.opening ??= this.open()
      .then((db) => {
        this.current = db
        this.failed = undefined
        return db
      })
      .catch((error: unknown) => {
        this.failed = { error, at: Date.now() }
        throw error
      })
      .finally(() => {
        this.opening = undefined
      })
    return this.opening
  }

  /** After a write failed: true when the writer's connection is gone (it is closed; the next use opens another). */
  writerFailed(error: unknown): boolean {
    if (!isConnectionLost(error)) return false
    this.current?.close()
    this.current = undefined
    return true
  }

  /**
   * Runs `work` on a reader of its own (opened on demand, up to maxReaders).
   * A reader that sat idle may have lost its connection while the database
   * restarted: reads change nothing, so that one is dropped and `work` runs
   * once more on a newly opened reader.
   */
  async read<T>(work: (db: Db) => Promise<T>): Promise<T> {
    const { db, reused } = await this.acquire()
    let lost = false
    try {
      return await work(db)
    } catch (error) {
      lost = isConnectionLost(error)
      if (!lost || !reused) throw error
    } finally {
      this.release(db, lost)
    }
    const fresh = await this.acquire(false)
    let lostAgain = false
    try {
      return await work(fresh.db)
    } catch (error) {
      lostAgain = isConnectionLost(error)
      throw error
    } finally {
      this.release(fresh.db, lostAgain)
    }
  }

  private async acquire(idleFirst = true): Promise<{ db: Db; reused: boolean }> {
    const idle = idleFirst ? this.idle.pop() : undefined
    if (idle) return { db: idle, reused: true }
    if (this.readers < this.maxReaders) {
      this.readers++
      try {
        return { db: await this.open(), reused: false }
      } catch (error) {
        this.readers--
        throw error
      }
    }
    const db = await new Promise<Db | Error>((resolve) => this.waiters.push(resolve))
    if (db instanceof Error) throw db
    return { db, reused: true }
  }

  private release(db: Db, lost: boolean): void {
    if (lost || this.closed) {
      this.readers--
      db.close()
      // A waiter opens its own instead.
      const waiter = this.waiters.shift()
      if (waiter) this.acquire().then((got) => waiter(got.db), waiter)
      return
    }
    const waiter = this.waiters.shift()
    if (waiter) waiter(db)
    else this.idle.push(db)
  }

  close(): void {
    this.closed = true
    for (const db of this.idle.splice(0)) db.close()
    this.current?.close()
    this.current = undefined
  }
}
