// Group commit (R-API-4): reports arriving together are decided in one write
// transaction. While a transaction is in flight, new reports queue; when it
// commits, the whole queue (up to a bounded batch) becomes the next one — no
// timer, so one report alone is written at once and a crowd shares each
// commit. Each report is decided in arrival order exactly as it would be
// alone (decideBatch, as `usage import` does), and its promise settles only
// after its transaction has committed: a decision handed out is kept.
// Reports of several workspaces share a transaction, each workspace decided
// with its own context, workspaces in id order so that the store's row locks
// are always taken in one order (PostgreSQL: several servers never deadlock).
import type { Ctx } from '../context.js'
import { contextFor } from '../context.js'
import { ExitCode, WsbError } from '../errors.js'
import type { Db } from '../store/db.js'
import { resolveWorkspace } from '../workspaces/resolve.js'
import { decideBatch } from './batch.js'
import type { UsageDecision, UsageReportInput } from './decision.js'
import type { Meter } from './meter.js'

export type GroupCommitOptions = {
  /** Most reports in one transaction (a submission is never split: one may exceed it alone). */
  maxBatch?: number
  /** Most reports waiting for a transaction; beyond it a submission is refused (QUEUE_FULL). */
  maxQueue?: number
  /**
   * Runs for each workspace of a batch before it, outside its transaction (the
   * lifecycle catch-up, R-WS-4); true when it changed anything.
   */
  beforeBatch?: (ctx: Ctx) => Promise<boolean>
  /** After each transaction, committed or not (for metrics). */
  onBatch?: (batch: { reports: number; submissions: number; commitMs: number; committed: boolean }) => void
  /** The connection is gone: the batch's reports get the error at once, never a retry one by one. */
  isConnectionLost?: (error: unknown) => boolean
}

type Submission = {
  workspaceId: string
  reports: readonly UsageReportInput[]
  resolve: (decisions: UsageDecision[]) => void
  reject: (error: unknown) => void
}
type Job = { run: (db: Db) => Promise<unknown>; resolve: (value: unknown) => void; reject: (error: unknown) => void }

export const DEFAULT_MAX_BATCH = 2_000
export const DEFAULT_MAX_QUEUE = 20_000

export class GroupCommit {
  private readonly queue: Submission[] = []
  private readonly jobs: Job[] = []
  private waiting = 0
  private running = false
  private closing = false
  private readonly idle: (() => void)[] = []
  /** Per workspace, the Meter of its last batch (kept while nobody else writes). */
  private readonly meters = new Map<string, Meter>()
  private readonly maxBatch: number
  private readonly maxQueue: number

  /** `writer` gives the connection to write on (the only user of it), or throws when there is none. */
  constructor(
    private readonly writer: () => Promise<Db>,
    private readonly options: GroupCommitOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? DEFAULT_MAX_BATCH
    this.maxQueue = options.maxQueue ?? DEFAULT_MAX_QUEUE
  }

  /** Reports waiting for a transaction (not those being written). */
  get depth(): number {
    return this.waiting
  }

  /**
   * Queues reports of one workspace, decided in order and contiguously; settles
   * with their decisions once their transaction has committed. Throws at once
   * (nothing queued) when the queue is full (QUEUE_FULL) or closing (SHUTTING_DOWN).
   */
  submit(workspaceId: string, reports: readonly UsageReportInput[]): Promise<UsageDecision[]> {
    if (this.closing) throw new WsbError('SHUTTING_DOWN', 'the server is shutting down; retry against another instance', ExitCode.unexpected)
    if (this.waiting > 0 && this.waiting + reports.length > this.maxQueue)
      throw new WsbError('QUEUE_FULL', `${this.waiting} reports are waiting to be written; retry shortly`, ExitCode.unexpected, { waiting: this.waiting })
    return new Promise((resolve, reject) => {
      this.queue.push({ workspaceId, reports, resolve, reject })
      this.waiting += reports.length
      this.wake()
    })
  }

  /** Runs `work` on the writer's connection between batches (what else writes: key stamps, catch-ups for readers). */
  exclusive<T>(work: (db: Db) => Promise<T>): Promise<T> {
    return new Promise((resolve, reject) => {
      this.jobs.push({ run: work, resolve: resolve as (value: unknown) => void, reject })
      this.wake()
    })
  }

  /** Refuses new reports, and settles once everything queued has been written and answered. */
  async close(): Promise<void> {
    this.closing = true
    if (!this.running && this.queue.length === 0 && this.jobs.length === 0) return
    await new Promise<void>((resolve) => this.idle.push(resolve))
  }

  private wake(): void {
    if (this.running) return
    this.running = true
    // After the current I/O: requests read in the same turn join this first batch.
    setImmediate(() => void this.loop())
  }

  private async loop(): Promise<void> {
    try {
      for (;;) {
        const job = this.jobs.shift()
        if (job) {
          await this.runJob(job)
          continue
        }
        if (this.queue.length === 0) break
        await this.write(this.take())
        // Let requests that arrived during the commit reach the queue (pending I/O first), then cut the next batch.
        await new Promise((resolve) => setImmediate(resolve))
      }
    } finally {
      this.running = false
      if (this.queue.length > 0 || this.jobs.length > 0) this.wake()
      else for (const resolve of this.idle.splice(0)) resolve()
    }
  }

  private async runJob(job: Job): Promise<void> {
    try {
      job.resolve(await job.run(await this.writer()))
    } catch (error) {
      job.reject(error)
    }
  }

  /** The next batch: submissions in arrival order up to maxBatch reports (at least one). */
  private take(): Submission[] {
    const batch: Submission[] = []
    let reports = 0
    while (this.queue.length > 0) {
      const next = this.queue[0] as Submission
      if (batch.length > 0 && reports + next.reports.length > this.maxBatch) break
      this.queue.shift()
      batch.push(next)
      reports += next.reports.length
      this.waiting -= next.reports.length
    }
    return batch
  }

  private async write(batch: Submission[]): Promise<void> {
    const started = performance.now()
    const reports = batch.reduce((sum, s) => sum + s.reports.length, 0)
    const lost = (error: unknown) => this.options.isConnectionLost?.(error) ?? false
    let db: Db
    try {
      db = await this.writer()
    } catch (error) {
      for (const submission of batch) submission.reject(error)
      return
    }
    // Workspaces in id order (the lock order), each one's submissions in arrival order.
    const byWorkspace = new Map<string, Submission[]>()
    for (const submission of batch) byWorkspace.set(submission.workspaceId, [...(byWorkspace.get(submission.workspaceId) ?? []), submission])
    const ids = [...byWorkspace.keys()].sort()
    const contexts = new Map<string, Ctx>()
    for (const id of ids) {
      try {
        let ctx = contextFor(db, await resolveWorkspace(db, id))
        if (this.options.beforeBatch && (await this.options.beforeBatch(ctx))) {
          this.meters.delete(id)
          ctx = contextFor(db, await resolveWorkspace(db, id))
        }
        contexts.set(id, ctx)
      } catch (error) {
        if (lost(error)) {
          for (const submission of batch) submission.reject(error)
          return
        }
        // This workspace cannot be written now (e.g. deleted); the others go on.
        for (const submission of byWorkspace.get(id) ?? []) submission.reject(error)
      }
    }
    let decided: Map<Submission, UsageDecision[]>
    try {
      decided = await db.write(
        async () => {
          const out = new Map<Submission, UsageDecision[]>()
          for (const id of ids) {
            const ctx = contexts.get(id)
            if (!ctx) continue
            const submissions = byWorkspace.get(id) as Submission[]
            const { decisions, meter } = await decideBatch(ctx, submissions.flatMap((s) => s.reports), this.meters.get(id))
            this.meters.set(id, meter)
            let at = 0
            for (const submission of submissions) {
              out.set(submission, decisions.slice(at, at + submission.reports.length))
              at += submission.reports.length
            }
          }
          return out
        },
        // A rolled-back batch leaves Meters describing nothing real.
        { onRollback: () => this.meters.clear() },
      )
    } catch (error) {
      this.options.onBatch?.({ reports, submissions: batch.length, commitMs: performance.now() - started, committed: false })
      const pending = batch.filter((s) => contexts.has(s.workspaceId))
      if (pending.length > 1 && !lost(error)) {
        // One submission may be what failed: each is written alone, and fails alone.
        for (const submission of pending) await this.write([submission])
        return
      }
      for (const submission of pending) submission.reject(error)
      return
    }
    this.options.onBatch?.({ reports, submissions: batch.length, commitMs: performance.now() - started, committed: true })
    for (const [submission, decisions] of decided) submission.resolve(decisions)
  }
}
