// The --results file of `usage import`: the results of each committed batch are
// appended with one write. A regular file is written like every output (never
// over the database or the input: output-guard.ts): to a temporary file beside
// it, created 0600, which replaces the old file by a rename once the first batch
// is committed (or at the end), so the old file stays whole until there is
// something to replace it with and a stream's acknowledgements are readable as
// they come. A FIFO or a device is written directly. When a write fails (a full
// disk) the file is cut back to its last whole line and the import stops after
// that batch: the results file then holds one line for each of the first
// `written` lines, and the error says how many lines were committed.
import { closeSync, fsyncSync, ftruncateSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'
import { invalid, isWsbError, type WsbError } from '../core/errors.js'
import { keepMode, OUTPUT_FILE_MODE, outputPath, outputWriteError, syncFolder, tempFileFor } from './output-file.js'
import { type Guarded, refuseOverwrite } from './output-guard.js'

const FLAG = '--results'

/** An existing FIFO, socket or device: written as it is, never replaced. */
function isStream(file: string): boolean {
  try {
    const stats = statSync(file)
    return !stats.isFile() && !stats.isDirectory()
  } catch {
    return false
  }
}

export class ResultsFile {
  private pending: string[] = []
  private bytes = 0
  /** Result lines in the file. */
  written = 0
  failure: WsbError | undefined

  private constructor(
    private fd: number | undefined,
    /** The path as given, for messages. */
    private readonly file: string,
    /** Where the results go, and the temporary file that becomes it (none for a stream). */
    private readonly target: string,
    private temp: string | undefined,
    private readonly guarded: readonly Guarded[] = [],
  ) {}

  /** Opens the results path before anything is imported: a bad path, or one of `guarded`, is refused up front. */
  static open(given: string, guarded: readonly Guarded[]): ResultsFile {
    refuseOverwrite(given, FLAG, guarded)
    if (isStream(given)) {
      try {
        return new ResultsFile(openSync(given, 'w'), given, given, undefined)
      } catch (error) {
        throw invalid(`${FLAG}: cannot write ${given}: ${(error as Error).message}`, { file: given }, 'OUTPUT_UNWRITABLE')
      }
    }
    const target = outputPath(given, FLAG, guarded)
    const temp = tempFileFor(target)
    let fd: number
    try {
      fd = openSync(temp, 'wx', OUTPUT_FILE_MODE)
    } catch (error) {
      throw invalid(`${FLAG}: cannot write ${given}: ${(error as Error).message}`, { file: given }, 'OUTPUT_UNWRITABLE')
    }
    keepMode(fd, target)
    return new ResultsFile(fd, given, target, temp, guarded)
  }

  add(result: unknown): void {
    this.pending.push(JSON.stringify(result))
  }

  /** Writes the pending results; false once a write has failed. */
  flush(): boolean {
    if (this.failure || this.fd === undefined) return false
    if (this.pending.length === 0) return true
    const chunk = Buffer.from(`${this.pending.join('\n')}\n`)
    try {
      for (let done = 0; done < chunk.length; ) done += writeSync(this.fd, chunk, done, chunk.length - done)
    } catch (error) {
      try {
        ftruncateSync(this.fd, this.bytes)
      } catch {
        // A FIFO or a device cannot be cut back; what was written stays.
      }
      this.failure = outputWriteError(this.file, error)
      return false
    }
    this.bytes += chunk.length
    this.written += this.pending.length
    this.pending = []
    this.publish()
    return this.failure === undefined
  }

  /** The temporary file takes the results file's place (once); later batches append to it there. */
  private publish(): void {
    const temp = this.temp
    if (temp === undefined || this.fd === undefined) return
    try {
      // Checked again: the database's -wal may exist by now.
      refuseOverwrite(this.target, FLAG, this.guarded)
      fsyncSync(this.fd)
      renameSync(temp, this.target)
      this.temp = undefined
    } catch (error) {
      this.failure ??= isWsbError(error) ? error : outputWriteError(this.file, error)
      return
    }
    syncFolder(dirname(this.target))
  }

  /**
   * The import is over: the results replace the old file, whatever the outcome
   * (`started`), or nothing is left behind when the import never started.
   */
  close(started: boolean): void {
    if (started) this.publish()
    if (this.fd !== undefined) closeSync(this.fd)
    this.fd = undefined
    if (this.temp === undefined) return
    try {
      unlinkSync(this.temp)
    } catch {
      // Already gone.
    }
    this.temp = undefined
  }
}
