// Batch metering (R-USE-6): NDJSON reports applied in order, many per BEGIN
// IMMEDIATE transaction, each still judged on its own. A batch is written when
// it is full or when the input pauses, so a slow stream is acknowledged within
// milliseconds and a file runs at full speed. Results of a batch are handed out
// only after it commits: nothing reported as accepted can be lost by a crash.
// Before each batch the lifecycle catches up (R-WS-4), so a long-lived stream
// sees renewals, cancellations and scheduled changes as they fall due.
import { createInterface } from 'node:readline'
import type { Readable } from 'node:stream'
import { type Ctx, contextFor } from '../context.js'
import { watchFileIdentity } from '../store/identity.js'
import { resolveWorkspace } from '../workspaces/resolve.js'
import type { UsageDecision, UsageReportInput } from './decision.js'
import { decideBatch } from './batch.js'
import { parseUsageLine } from './line.js'
import type { Meter } from './meter.js'
import { referenceError } from './references.js'

export type ImportLineResult = ({ line: number; invalid: false } & UsageDecision) | { line: number; invalid: true; error: string }

export type ImportSummary = {
  lines: number
  accepted: number
  rejected: number
  replayed: number
  invalid: number
  /** The first problems, with their line numbers (all of them are in the per-line results). */
  problems: { line: number; reason: string; message: string }[]
  durationMs: number
  /** Set when a stop was asked for (Ctrl-C): the run ended after its last committed batch; the next line to import. */
  interrupted?: { resumeFromLine: number }
}

export type ImportOptions = {
  batchSize?: number
  /** Longest wait before a partial batch is written while the input pauses. */
  maxDelayMs?: number
  onResult?: (result: ImportLineResult) => void
  onProgress?: (done: { lines: number; bytes: number }) => void
  /**
   * Runs after each committed batch and its results; false stops the import
   * there (the caller cannot take more results, e.g. its results file failed).
   */
  afterBatch?: () => boolean
  /**
   * Runs before each batch, outside its transaction (the lifecycle catch-up);
   * returns true when it changed anything, so cached state is dropped.
   */
  beforeBatch?: (ctx: Ctx) => Promise<boolean>
  /** Stops the import after the batch being written commits (or at once while waiting for input). */
  stop?: AbortSignal
}

type Entry = { line: number; report: UsageReportInput } | { line: number; error: string }

const MAX_PROBLEMS = 20

export async function importUsage(base: Ctx, input: Readable, options: ImportOptions = {}): Promise<ImportSummary> {
  const batchSize = options.batchSize ?? 10_000
  const maxDelayMs = options.maxDelayMs ?? 20
  const started = Date.now()
  const summary: ImportSummary = { lines: 0, accepted: 0, rejected: 0, replayed: 0, invalid: 0, problems: [], durationMs: 0 }
  // Problems naming an org or product that cannot be used: said in full (candidates, suggestions) at the end.
  const references: { problem: ImportSummary['problems'][number]; report: UsageReportInput }[] = []
  const note = (line: number, reason: string, message: string, report?: UsageReportInput) => {
    if (summary.problems.length >= MAX_PROBLEMS) return
    const problem = { line, reason, message }
    summary.problems.push(problem)
    if (report && (reason === 'AMBIGUOUS_REFERENCE' || reason === 'NOT_FOUND')) references.push({ problem, report })
  }

  // Lines are read into a queue; one consumer turns it into batches.
  const queue: Entry[] = []
  let closed = false
  let failure: unknown
  let bytes = 0
  let wake: (() => void) | undefined
  const signal = () => {
    wake?.()
    wake = undefined
  }
  const reader = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })
  let lineNumber = 0
  reader.on('line', (raw) => {
    lineNumber++
    bytes += Buffer.byteLength(raw) + 1
    // A byte order mark opens many files written on Windows: encoding, not content.
    const text = lineNumber === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw
    if (text.trim() === '') return
    const parsed = parseUsageLine(text)
    if ('error' in parsed) queue.push({ line: lineNumber, error: parsed.error })
    else queue.push({ line: lineNumber, report: parsed.report })
    if (queue.length >= batchSize) {
      // Backpressure: stop reading until the consumer has written a batch.
      reader.pause()
      signal()
    } else if (queue.length === 1) signal() // the consumer now waits at most maxDelayMs
  })
  reader.on('close', () => {
    closed = true
    signal()
  })
  const fail = (error: unknown) => {
    failure = error
    closed = true
    signal()
  }
  options.stop?.addEventListener('abort', () => signal())
  input.on('error', fail)
  reader.on('error', fail)

  let meter: Meter | undefined
  // The file must still be the one opened, before a batch is written and before it is acknowledged.
  const sameDatabase = watchFileIdentity(base.db.path)
  let committedLines = 0
  const writeBatch = async (batch: Entry[]) => {
    sameDatabase({ throughLine: committedLines })
    let ctx = contextFor(base.db, await resolveWorkspace(base.db, base.workspace.id))
    if (options.beforeBatch && (await options.beforeBatch(ctx))) {
      meter = undefined
      ctx = contextFor(base.db, await resolveWorkspace(base.db, base.workspace.id))
    }
    const reports: UsageReportInput[] = []
    for (const entry of batch) if ('report' in entry) reports.push(entry.report)
    const decisions = await ctx.db.write(
      async () => {
        const decided = await decideBatch(ctx, reports, meter)
        meter = decided.meter
        // Line by line: the decision of a report, undefined for an invalid line.
        if (reports.length === batch.length) return decided.decisions as (UsageDecision | undefined)[]
        let next = 0
        return batch.map((entry) => ('report' in entry ? decided.decisions[next++] : undefined))
      },
      // A failed batch rolls back; its Meter's caches then describe nothing real.
      {
        onRollback: () => {
          meter = undefined
        },
      },
    )
    sameDatabase({ throughLine: committedLines })
    committedLines = batch.at(-1)?.line ?? committedLines
    // Lines are counted once their batch is committed, so a run stopped early
    // (afterBatch) reports exactly what was applied.
    summary.lines += batch.length
    decisions.forEach((decision, i) => {
      const entry = batch[i] as Entry
      if ('error' in entry || decision === undefined) {
        summary.invalid++
        const error = 'error' in entry ? entry.error : ''
        // Noted here, not when read, so the first problems come out in line order.
        note(entry.line, 'INVALID_LINE', error)
        options.onResult?.({ line: entry.line, invalid: true, error })
        return
      }
      if (decision.replayed) summary.replayed++
      else if (decision.accepted) summary.accepted++
      else {
        summary.rejected++
        note(entry.line, decision.reason ?? 'REJECTED', decision.message ?? '', entry.report)
      }
      options.onResult?.({ line: entry.line, invalid: false, ...decision })
    })
    options.onProgress?.({ lines: summary.lines, bytes })
  }

  try {
    while (!closed || queue.length > 0) {
      if (!closed && queue.length < batchSize) {
        // Wait for a full batch, the end, or a pause in the input.
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, queue.length > 0 ? maxDelayMs : 2_147_483_647)
          wake = () => {
            clearTimeout(timer)
            resolve()
          }
        })
      }
      if (failure) throw failure
      if (options.stop?.aborted) break
      const batch = queue.splice(0, batchSize)
      if (batch.length > 0) {
        await writeBatch(batch)
        if (options.afterBatch?.() === false) break
        if (options.stop?.aborted) break
      }
      if (!closed) reader.resume()
    }
  } finally {
    reader.close()
  }
  for (const { problem, report } of references) problem.message = (await referenceError(base, report, problem))?.message ?? problem.message
  summary.durationMs = Date.now() - started
  if (options.stop?.aborted) summary.interrupted = { resumeFromLine: committedLines + 1 }
  return summary
}
