import { closeSync, createReadStream, fstatSync, openSync } from 'node:fs'
import { Flags } from '@oclif/core'
import { optionalArg } from '../../cli/args.js'
import { WorkspaceCommand } from '../../cli/base-command.js'
import { progressBar } from '../../cli/progress.js'
import { refuseStdoutOver, stdinFile } from '../../cli/output-guard.js'
import { ResultsFile } from '../../cli/results-file.js'
import type { Ctx } from '../../core/context.js'
import { interrupted, invalid, notFound, refused, WsbError } from '../../core/errors.js'
import { wholeNumber } from '../../core/schemas.js'
import { type ImportSummary, importUsage } from '../../core/usage/import.js'
import { renderImport } from '../../render/usage.js'
import { isPostgresUrl, parsePostgresUrl } from '../../core/store/postgres-url.js'

export default class UsageImport extends WorkspaceCommand<ImportSummary> {
  static override lean = true
  static override summary = 'Apply NDJSON usage reports from a file or stdin, in order.'
  static override description = `Each line is {"org": ID|NAME|PATH, "product": KEY, "delta": N | "set": N, "key": K?}, judged
exactly like "usage record". Many reports share one transaction; a bad line is counted as invalid
(with its line number) and the rest go on. Streaming stdin from one long-lived process is how a
service feeds wsb: a batch is committed when full or as soon as the input pauses.
The summary counts accepted, rejected, replayed and invalid lines; exit 0 unless --strict.`
  static override examples = [
    '<%= config.bin %> usage import reports.ndjson',
    'tail -f events.ndjson | <%= config.bin %> usage import - --results acks.ndjson',
    '<%= config.bin %> usage import reports.ndjson --json --strict',
  ]
  static override args = { file: optionalArg('NDJSON file, or - for stdin (the default).') }
  static override flags = {
    results: Flags.string({ summary: 'Write one JSON result per input line to FILE (- for stdout).', helpValue: 'FILE' }),
    'batch-size': Flags.string({ summary: 'Reports per transaction. Default 10000.', helpValue: 'N' }),
    strict: Flags.boolean({ summary: 'Exit 4 if any report was rejected, 2 if any line was invalid.' }),
  }

  async run(): Promise<ImportSummary> {
    const { args, flags } = await this.parse(UsageImport)
    const fromStdin = args.file === undefined || args.file === '-'
    if (fromStdin && process.stdin.isTTY) throw invalid('give an NDJSON FILE, or pipe reports to stdin (usage import -)')
    // The results never go over the database or the input (cli/output-guard.ts); stdout first, before any error is printed there.
    const guarded = this.guardedFiles(flags.db, fromStdin ? stdinFile() : [{ role: `the input file ${args.file}`, path: args.file as string }])
    if (flags.results === '-') refuseStdoutOver(guarded)
    if (flags.results === '-' && this.jsonEnabled()) throw invalid('--results - and --json both want stdout; write results to a file')
    const batchSize = flags['batch-size'] === undefined ? undefined : wholeNumber('--batch-size', flags['batch-size'])
    // Both files are opened before anything is read or written, so a bad path is a
    // clear error up front, never a crash half-way through an import.
    const inputFd = fromStdin ? undefined : openInput(args.file as string)
    let total: number | undefined
    if (inputFd !== undefined) total = fstatSync(inputFd).size
    let opened: ResultsFile | undefined
    let ctx: Ctx
    try {
      if (flags.results !== undefined && flags.results !== '-') opened = ResultsFile.open(flags.results, guarded)
      ctx = await this.context(flags)
    } catch (error) {
      opened?.close(false)
      if (inputFd !== undefined) closeSync(inputFd)
      throw error
    }
    const resultsFile = opened
    const toStdout = flags.results === '-'
    const progress = await progressBar({ json: this.jsonEnabled(), total, unit: 'lines' })
    const input = inputFd === undefined ? process.stdin : createReadStream('', { fd: inputFd, highWaterMark: 1 << 20 })
    let summary: ImportSummary
    // Ctrl-C: the batch being written commits, then the run stops and says where to resume.
    const stop = new AbortController()
    const interrupt = () => stop.abort()
    process.once('SIGINT', interrupt)
    try {
      summary = await importUsage(ctx, input, {
        batchSize: batchSize || undefined,
        stop: stop.signal,
        onResult: resultsFile
          ? (result) => resultsFile.add(result)
          : toStdout
            ? (result) => process.stdout.write(`${JSON.stringify(result)}\n`)
            : undefined,
        onProgress: ({ lines, bytes }) => progress.update(bytes, `${lines} lines`),
        // A results file that cannot be written stops the import after this batch.
        afterBatch: () => resultsFile?.flush() ?? true,
        // R-WS-4 during a long stream: whatever falls due runs between batches.
        beforeBatch: async (current) => (await this.catchUpIfDue(current)).steps > 0,
      })
    } finally {
      process.off('SIGINT', interrupt)
      progress.stop()
      resultsFile?.close(true)
    }
    if (summary.interrupted) {
      // Whatever still waits on stdin is not read: the run is over.
      if (input === process.stdin) process.stdin.destroy()
      const from = summary.interrupted.resumeFromLine
      // The same database and workspace, however they were named (flag, env, the only one): pasted elsewhere, it still imports there.
      const target = `wsb usage import - ${resumeTarget(this.databasePath(flags.db), ctx.workspace.id)}`
      const resume = fromStdin ? `: feed the input from line ${from} on to ${target}` : `: tail -n +${from} ${shellWord(args.file as string)} | ${target}`
      throw interrupted(
        `interrupted: ${summary.lines} lines committed (${summary.accepted} accepted, ${summary.rejected} rejected, ${summary.replayed} replayed, ${summary.invalid} invalid); resume from line ${from}${resume}`,
        { ...summary, resumeFromLine: from },
      )
    }
    if (resultsFile?.failure) {
      const { code, message, exitCode, details } = resultsFile.failure
      throw new WsbError(code, `${message}; the import stopped after ${summary.lines} committed lines (${resultsFile.written} results written)`, exitCode, {
        ...details,
        ...summary,
        linesCommitted: summary.lines,
        resultsWritten: resultsFile.written,
      })
    }
    if (flags.strict && summary.invalid > 0) throw invalid(`${summary.invalid} of ${summary.lines} lines were invalid`, { ...summary })
    if (flags.strict && summary.rejected > 0) throw refused('REPORTS_REJECTED', `${summary.rejected} of ${summary.lines} reports were rejected`, { ...summary })
    this.summaryToStderr = toStdout
    return summary
  }

  /** With --results - stdout carries the per-line results, so people read the summary on stderr. */
  private summaryToStderr = false

  protected render(summary: ImportSummary): string {
    if (!this.summaryToStderr) return renderImport(summary)
    process.stderr.write(`${renderImport(summary)}\n`)
    return ''
  }
}

/** A word the shell reads back as it is: quoted when it holds anything but plain path characters. */
export const shellWord = (word: string): string => (/^[\w./:@%+=,-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`)

/**
 * --db and --workspace of a command to paste: the database as used, or for a PostgreSQL URL
 * holding a password (never printed) "$WSB_DB" when it came from there, else the URL with *** to fill in.
 */
function resumeTarget(database: string, workspaceId: string): string {
  const workspace = `--workspace ${workspaceId}`
  if (!isPostgresUrl(database) || parsePostgresUrl(database).display === database) return `${workspace} --db ${shellWord(database)}`
  if (process.env.WSB_DB === database) return `${workspace} --db "$WSB_DB"`
  return `${workspace} --db ${shellWord(parsePostgresUrl(database).display)} (put its password back for ***)`
}

/** The NDJSON file, opened for reading: a missing file is NOT_FOUND, anything else unreadable is invalid input. */
function openInput(file: string): number {
  let fd: number
  try {
    fd = openSync(file, 'r')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') throw notFound('file', file)
    throw invalid(`cannot read ${file}: ${(error as Error).message}`, { file })
  }
  if (fstatSync(fd).isDirectory()) {
    closeSync(fd)
    throw invalid(`${file} is a directory; give an NDJSON file`, { file })
  }
  return fd
}
