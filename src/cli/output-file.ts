// Files named by -o/--output are replaced whole or not at all: the new content
// goes to a temporary file in the same folder, is flushed to the disk (fsync),
// and is renamed over the old one. A full disk or any other failure removes the
// temporary file and leaves the old file exactly as it was. Paths that are not
// a regular file (a directory, "dir/", a FIFO, a device) are refused before any
// work is done, and never opened: opening a FIFO would block. A path that is the
// database or a file the command reads is refused (output-guard.ts), checked
// when the path is given and again just before the file is written. New files
// are created 0600 (less if the umask says so): outputs hold customers' data.
import { closeSync, fchmodSync, fsyncSync, lstatSync, openSync, realpathSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs'
import { basename, dirname, join, resolve, sep } from 'node:path'
import { ExitCode, invalid, WsbError } from '../core/errors.js'
import { type Guarded, refuseOverwrite } from './output-guard.js'

/** Write failures of the disk itself rather than of the path given: exit 1 like DB_IO. */
const DISK_ERRORS = new Set(['ENOSPC', 'EDQUOT', 'EIO', 'EFBIG'])

const unwritable = (file: string, why: string) => invalid(`cannot write ${file}: ${why}`, { file }, 'OUTPUT_UNWRITABLE')

/** The error for a failed write of `file`: OUTPUT_IO (exit 1) for the disk, OUTPUT_UNWRITABLE (exit 2) for the path. */
export function outputWriteError(file: string, error: unknown): WsbError {
  const err = error as NodeJS.ErrnoException
  if (err.code && DISK_ERRORS.has(err.code))
    return new WsbError('OUTPUT_IO', `cannot write ${file}: ${err.message}`, ExitCode.unexpected, { file, reason: err.code })
  return unwritable(file, err.message)
}

/** Mode of a file an output creates: owner only, the umask may take more away. */
export const OUTPUT_FILE_MODE = 0o600

/**
 * The absolute path to write for `given`, checked without opening it: never one
 * of `guarded`; a symbolic link is followed (its target is replaced, the link
 * stays), and anything that exists must be a regular file.
 */
export function outputPath(given: string, flag: string, guarded: readonly Guarded[]): string {
  if (given.trim() === '') throw invalid(`${flag}: expected the path of a file to write`, {}, 'OUTPUT_UNWRITABLE')
  refuseOverwrite(given, flag, guarded)
  let file = resolve(given)
  if (given.endsWith('/') || given.endsWith(sep)) throw unwritable(file, `${flag} names a folder; give a file name`)
  let stats: ReturnType<typeof statSync> | undefined
  try {
    if (lstatSync(file).isSymbolicLink()) file = realpathSync(file)
    stats = statSync(file)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code !== 'ENOENT') throw unwritable(file, (error as Error).message)
  }
  if (stats?.isDirectory()) throw unwritable(file, 'it is a folder; give a file name')
  if (stats && !stats.isFile()) throw unwritable(file, 'it is not a regular file (a FIFO, socket or device); write to a file, or to stdout without -o')
  let folder: ReturnType<typeof statSync> | undefined
  try {
    folder = statSync(dirname(file))
  } catch (error) {
    throw unwritable(file, `its folder cannot be used: ${(error as Error).message}`)
  }
  if (!folder.isDirectory()) throw unwritable(file, `${dirname(file)} is not a folder`)
  return file
}

/** A temporary file beside `file`, for content that replaces it by a rename. */
export const tempFileFor = (file: string): string => join(dirname(file), `.${basename(file)}.${process.pid}.${Date.now().toString(36)}.tmp`)

/** Replaces `file` (from outputPath) with `data`, atomically and durably; `guarded` are checked again first. */
export function writeOutputFile(file: string, data: string | Uint8Array, flag: string, guarded: readonly Guarded[]): void {
  // The database's -wal may have been created since the path was checked, and inputs learnt (a logo).
  refuseOverwrite(file, flag, guarded)
  const bytes = typeof data === 'string' ? Buffer.from(data) : data
  const temp = tempFileFor(file)
  let fd: number | undefined
  try {
    fd = openSync(temp, 'wx', OUTPUT_FILE_MODE)
    keepMode(fd, file)
    for (let written = 0; written < bytes.length; ) written += writeSync(fd, bytes, written, bytes.length - written)
    fsyncSync(fd)
    closeSync(fd)
    fd = undefined
    renameSync(temp, file)
  } catch (error) {
    if (fd !== undefined) closeSync(fd)
    try {
      unlinkSync(temp)
    } catch {
      // Never created, or already renamed.
    }
    throw outputWriteError(file, error)
  }
  syncFolder(dirname(file))
}

/** An existing file keeps its permissions; a new one has OUTPUT_FILE_MODE less the umask. */
export function keepMode(fd: number, file: string): void {
  try {
    fchmodSync(fd, statSync(file).mode & 0o7777)
  } catch {
    // A new file.
  }
}

/** The rename itself reaches the disk only with its folder; best effort where folders cannot be opened. */
export function syncFolder(folder: string): void {
  try {
    const fd = openSync(folder, 'r')
    try {
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
  } catch {
    // Some file systems refuse fsync on a folder; the data itself is already synced.
  }
}
