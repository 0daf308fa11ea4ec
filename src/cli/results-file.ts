// The --results file of `usage import`: the results of each committed batch are
// appended with one write. When a write fails (a full disk) the file is cut back
// to its last whole line and the import stops after that batch: the results file
// then holds one line for each of the first `written` lines, and the error says
// how many lines were committed.
import { ftruncateSync, writeSync } from 'node:fs'
import type { WsbError } from '../core/errors.js'
import { outputWriteError } from './output-file.js'

export class ResultsFile {
  private pending: string[] = []
  private bytes = 0
  /** Result lines in the file. */
  written = 0
  failure: WsbError | undefined

  constructor(
    private readonly fd: number,
    private readonly file: string,
  ) {}

  add(result: unknown): void {
    this.pending.push(JSON.stringify(result))
  }

  /** Writes the pending results; false once a write has failed. */
  flush(): boolean {
    if (this.failure) return false
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
    return true
  }
}
