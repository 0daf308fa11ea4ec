// When stdout itself fails: a reader that went away (`wsb … | head`) ends the
// run quietly, as for any Unix filter; anything else (a full disk, an I/O
// error: `--json > /dev/full`) is one line on stderr and exit 1. Without this
// the failed write is thrown again while reporting it, and Node prints the
// minified line of the bundle it came from: tens of kilobytes of code.
const OUTPUT_IO = 'OUTPUT_IO'

function stdoutFailed(error: unknown): never {
  const err = error as NodeJS.ErrnoException
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0)
  const reason = err.code ? `${err.code}: ${err.message.replace(/^\w+: /, '').replace(/, write$/, '')}` : String(err.message ?? err)
  try {
    process.stderr.write(`Error: cannot write the output: ${reason} [${OUTPUT_IO}]\n`)
  } catch {
    // stderr is gone too: the exit code is all that is left to say it.
  }
  process.exit(1)
}

/** Routes every failure of stdout (thrown by a synchronous write, or emitted) to one place. */
export function guardStdout(): void {
  const write = process.stdout.write.bind(process.stdout) as (...args: unknown[]) => boolean
  process.stdout.write = ((...args: unknown[]) => {
    // oclif flushes with an empty write; on a full device even that fails, and a
    // run that printed nothing must keep its own exit code.
    if ((args[0] as string | Uint8Array).length === 0) {
      const done = args.find((arg) => typeof arg === 'function') as (() => void) | undefined
      if (done) process.nextTick(done)
      return true
    }
    try {
      return write(...args)
    } catch (error) {
      return stdoutFailed(error)
    }
  }) as typeof process.stdout.write
  // Before oclif's own listener, which rethrows anything but EPIPE.
  process.stdout.prependListener('error', stdoutFailed)
}
