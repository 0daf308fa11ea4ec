// `wsb db copy --to URL`: the whole SQLite database into an empty PostgreSQL
// database (store/copy.ts, all or nothing), then the copy checked where it now
// lives: `doctor` and `usage verify` on the target, through the same core
// functions as the commands. Row counts are checked before the copy commits.
import { asc } from 'drizzle-orm'
import { contextFor } from '../context.js'
import { interrupted, refused } from '../errors.js'
import { runDoctor } from '../doctor/run.js'
import { type CopiedTables, type CopyProgress, copySqliteToPostgres } from '../store/copy.js'
import type { Db } from '../store/db.js'
import { openPostgresDb } from '../store/postgres/db.js'
import { workspaces } from '../store/schema/index.js'
import { verifyUsage } from '../usage/verify.js'

export type DbCopyResult = {
  source: string
  target: string
  copied: Record<string, number>
  rows: number
  checks: { rowCounts: 'ok'; doctor: 'ok'; usageVerify: 'ok' }
  /** The whole run; copyMs of it the committed copy, checkMs doctor and usage verify on the target. */
  durationMs: number
  copyMs: number
  checkMs: number
}

/** doctor and usage verify on the committed copy; COPY_CHECK_FAILED when either finds a problem. */
async function checkCopy({ target, copied, rows }: CopiedTables, targetUrl: string, stop: AbortSignal | undefined): Promise<void> {
  const stopChecks = () => {
    if (stop?.aborted)
      throw interrupted(`interrupted after the copy into ${target} was committed (${rows} rows): its checks did not finish; run wsb doctor and wsb usage verify with --db on the target`, { target, copied, rows, committed: true })
  }
  stopChecks()
  const copy = await openPostgresDb(targetUrl)
  try {
    const doctor = await runDoctor(copy)
    const mismatches = []
    for (const workspace of await copy.orm.select().from(workspaces).orderBy(asc(workspaces.createdAt), asc(workspaces.id))) {
      stopChecks()
      const verify = await verifyUsage(contextFor(copy, workspace))
      mismatches.push(...verify.mismatches.map((m) => ({ workspaceId: workspace.id, ...m })))
    }
    if (!doctor.ok || mismatches.length > 0) {
      const failed = [...(doctor.ok ? [] : ['doctor']), ...(mismatches.length > 0 ? ['usageVerify'] : [])]
      throw refused(
        'COPY_CHECK_FAILED',
        `the copy in ${target} was committed but does not check clean (${failed.join(', ')}: ${doctor.violations.length} invariant violations, ${mismatches.length} usage counters differ); run wsb doctor on the file and on the copy`,
        { target, copied, failed, violations: doctor.violations, mismatches },
      )
    }
  } finally {
    copy.close()
  }
}

/**
 * `stop` (Ctrl-C): during the copy, the batch being written is the last, and the
 * transaction rolls back (the progress callback runs inside it); once the copy is
 * committed, the checks stop between steps. Either way an INTERRUPTED error says which.
 */
export async function copyDatabase(source: Db, targetUrl: string, options: { progress?: CopyProgress; batchRows?: number; stop?: AbortSignal } = {}): Promise<DbCopyResult> {
  const started = performance.now()
  const { stop } = options
  let copiedAt = 0
  const { copied, rows, target } = await copySqliteToPostgres(source, targetUrl, {
    ...options,
    progress: (table, done, total) => {
      if (stop?.aborted) throw interrupted(`interrupted while copying table ${table} (${done} of ${total} rows): nothing was written to the target`, { table, rows: done, totalRows: total, committed: false })
      options.progress?.(table, done, total)
    },
    // The checks run while the copy's statistics are gathered.
    afterCommit: async (committed) => {
      copiedAt = performance.now()
      await checkCopy(committed, targetUrl, stop)
    },
  })
  return { source: source.path, target, copied, rows, checks: { rowCounts: 'ok', doctor: 'ok', usageVerify: 'ok' }, durationMs: Math.round(performance.now() - started), copyMs: Math.round(copiedAt - started), checkMs: Math.round(performance.now() - copiedAt) }
}
