// Batch metering (R-USE-6): NDJSON reports applied in order, many per BEGIN
// IMMEDIATE transaction, each still judged on its own. A batch is written when
// it is full or when the input pauses, so a slow stream is acknowledged within
// milliseconds and a file runs at full speed. Results of a batch are handed out
// only after it commits: nothing reported as accepted can be lost by a crash.
import { createInterface } from 'node:readline'
import type { Readable } from 'node:stream'
import { type Ctx, contextFor } from '../context.js'
import { resolveWorkspace } from '../workspaces/resolve.js'
import { immediate } from '../store/transaction.js'
import type { UsageDecision, UsageReportInput } from './decision.js'
import { parseUsageLine } from './line.js'
import { Meter } from './meter.js'

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
}

export type ImportOptions = {
  batchSize?: number
  /** Longest wait before a partial batch is written while the input pauses. */
  maxDelayMs?: number
  onResult?: (result: ImportLineResult) => void
  onProgress?: (done: { lines: number; bytes: number }) => void
  /**
   * Runs before each batch inside its transaction (the lifecycle catch-up hooks
   * in here); returns true when it changed anything, so caches are dropped.
   */
  beforeBatch?: (ctx: Ctx) => boolean
}

const MAX_PROBLEMS = 20

export function importUsage(base: Ctx, input: Readable, options: ImportOptions = {}): Promise<ImportSummary> {
  const batchSize = options.batchSize ?? 10_000
  const maxDelayMs = options.maxDelayMs ?? 20
  const started = Date.now()
  const summary: ImportSummary = { lines: 0, accepted: 0, rejected: 0, replayed: 0, invalid: 0, problems: [], durationMs: 0 }
  // Invalid lines wait in the batch too, so results come out in input order.
  let pending: ({ line: number; report: UsageReportInput } | { line: number; error: string })[] = []
  let bytes = 0
  let timer: NodeJS.Timeout | undefined
  let meter: Meter | undefined

  const note = (line: number, reason: string, message: string) => {
    if (summary.problems.length < MAX_PROBLEMS) summary.problems.push({ line, reason, message })
  }

  const writeBatch = () => {
    if (timer) clearTimeout(timer)
    timer = undefined
    if (pending.length === 0) return
    const batch = pending
    pending = []
    // Fresh workspace and time per batch: a long stream sees clock moves and new data.
    const ctx = contextFor(base.db, resolveWorkspace(base.db, base.workspace.id))
    // A failed batch rolls back; its Meter's caches then describe nothing real.
    const decisions = immediate(ctx.db.sqlite, () => {
      const changed = options.beforeBatch?.(ctx) ?? false
      // Keep the caches of the last batch when nobody else wrote in between.
      if (changed || !meter?.stillValid(ctx)) meter = new Meter(ctx)
      const current = meter
      const out = batch.map((entry) => ('report' in entry ? current.report(entry.report) : undefined))
      current.flush()
      return out
    }, () => {
      meter = undefined
    })
    decisions.forEach((decision, i) => {
      const entry = batch[i] as (typeof batch)[number]
      const line = entry.line
      if ('error' in entry || decision === undefined) {
        options.onResult?.({ line, invalid: true, error: 'error' in entry ? entry.error : '' })
        return
      }
      if (decision.replayed) summary.replayed++
      else if (decision.accepted) summary.accepted++
      else {
        summary.rejected++
        note(line, decision.reason ?? 'REJECTED', decision.message ?? '')
      }
      options.onResult?.({ line, invalid: false, ...decision })
    })
    options.onProgress?.({ lines: summary.lines, bytes })
  }

  return new Promise((resolve, reject) => {
    const reader = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })
    let lineNumber = 0
    let failed = false
    const fail = (error: unknown) => {
      if (failed) return
      failed = true
      reader.close()
      input.destroy()
      reject(error)
    }
    reader.on('line', (text) => {
      if (failed) return
      lineNumber++
      bytes += Buffer.byteLength(text) + 1
      if (text.trim() === '') return
      summary.lines++
      const parsed = parseUsageLine(text)
      if ('error' in parsed) {
        summary.invalid++
        note(lineNumber, 'INVALID_LINE', parsed.error)
        pending.push({ line: lineNumber, error: parsed.error })
      } else pending.push({ line: lineNumber, report: parsed.report })
      try {
        if (pending.length >= batchSize) writeBatch()
        else timer ??= setTimeout(() => {
          try {
            writeBatch()
          } catch (error) {
            fail(error)
          }
        }, maxDelayMs)
      } catch (error) {
        fail(error)
      }
    })
    reader.on('close', () => {
      if (failed) return
      try {
        writeBatch()
        summary.durationMs = Date.now() - started
        resolve(summary)
      } catch (error) {
        reject(error)
      }
    })
    input.on('error', fail)
  })
}
