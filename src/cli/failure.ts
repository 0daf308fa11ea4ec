// Turning any thrown value into the spec's error contract (SPEC §2): a code, a
// one-line message, details and an exit code. The only place that decides
// exit codes for errors; commands and core never call process.exit.
import { ExitCode, type ExitCodeValue, isWsbError } from '../core/errors.js'
import { redact, redactDeep } from '../core/redact.js'

export type Failure = { code: string; message: string; details: Record<string, unknown>; exitCode: ExitCodeValue }

// What is left after whitespace is collapsed: C0/C1 controls, the Unicode line and
// paragraph separators, bidi overrides. A message quotes what the user typed, and
// these must not reach a terminal raw (colours, cursor moves, a second line).
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g

const oneLine = (text: string) =>
  text
    .replace(/See more help with --help/g, '')
    .replace(/The following errors? occurred:/g, '')
    .replace(/Missing required flag:?\s+(?:--)?([\w-]+)/g, 'missing required flag --$1')
    .replace(/\s+/g, ' ')
    .replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .trim()

function isParseError(error: Error & { parse?: unknown; oclif?: { exit?: number } }): boolean {
  return error.parse !== undefined || error.message.startsWith('Parsing --') || error.oclif?.exit === 2
}

/** The failure as the user may see it: no secret or card number in the message or details. */
export function toFailure(error: unknown): Failure {
  const failure = classify(error)
  return { ...failure, message: redact(failure.message), details: redactDeep(failure.details) }
}

/** A wsb error that a library wrapped (drizzle's DrizzleQueryError keeps it as `cause`). */
function wrapped(error: unknown): unknown {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) if (isWsbError(e)) return e
  return error
}

function classify(thrown: unknown): Failure {
  const error = wrapped(thrown)
  if (isWsbError(error))
    return { code: error.code, message: oneLine(error.message.replace(/^Parsing --\S+\s*/, '')), details: error.details, exitCode: error.exitCode }
  if (!(error instanceof Error))
    return { code: 'UNEXPECTED', message: `unexpected failure: ${String(error)}`, details: {}, exitCode: ExitCode.unexpected }
  const err = error as Error & { code?: string; oclif?: { exit?: number }; parse?: unknown }
  if (err.message.includes('MODE_IMMUTABLE'))
    return { code: 'MODE_IMMUTABLE', message: 'a workspace billing mode cannot change', details: {}, exitCode: ExitCode.refused }
  if (isParseError(err)) {
    const missingFlag = /Missing required flag[s]?:?\s*([\s\S]*)/.exec(err.message)
    const missingArg = /Missing (\d+ )?required arg/.test(err.message)
    return {
      code: missingFlag || missingArg ? 'MISSING_INPUT' : 'INVALID_INPUT',
      // oclif colours parts of its messages on a terminal: its own colours go, the rest is escaped.
      message: oneLine(err.message.replace(/\u001b\[[0-9;]*m/g, '')),
      details: {},
      exitCode: ExitCode.invalidInput,
    }
  }
  if (err.code === 'EEXIT') return { code: 'EXIT', message: '', details: {}, exitCode: (err.oclif?.exit ?? 0) as ExitCodeValue }
  if (err.code?.startsWith('SQLITE_BUSY'))
    return { code: 'DB_BUSY', message: 'the database stayed busy for too long; retry', details: {}, exitCode: ExitCode.unexpected }
  if (err.code?.startsWith('SQLITE_READONLY'))
    return { code: 'DB_UNWRITABLE', message: `cannot write the database: ${oneLine(err.message)}`, details: {}, exitCode: ExitCode.invalidInput }
  if (err.code?.startsWith('SQLITE_CORRUPT') || err.code === 'SQLITE_NOTADB')
    return { code: 'DB_CORRUPT', message: `the database is damaged (${oneLine(err.message)}); run wsb doctor, and restore it from a backup`, details: {}, exitCode: ExitCode.invalidInput }
  if (err.code === 'SQLITE_FULL' || err.code?.startsWith('SQLITE_IOERR'))
    return { code: 'DB_IO', message: `cannot write the database: ${oneLine(err.message)}`, details: {}, exitCode: ExitCode.unexpected }
  return {
    code: 'UNEXPECTED',
    message: `unexpected error: ${oneLine(err.message)} (run with DEBUG=wsb for details)`,
    details: {},
    exitCode: ExitCode.unexpected,
  }
}

export const debugEnabled = () => /(^|,)\s*(wsb|\*)/.test(process.env.DEBUG ?? '')

/** Prints a failure: the JSON error object on stdout, or one line on stderr. */
export function reportFailure(failure: Failure, json: boolean, error: unknown, paint: (text: string) => string): void {
  if (json) {
    process.stdout.write(`${JSON.stringify({ error: { code: failure.code, message: failure.message, details: failure.details } }, null, 2)}\n`)
  } else {
    process.stderr.write(`${paint(`Error: ${failure.message}`)} [${failure.code}]\n`)
  }
  if (debugEnabled() && error instanceof Error && error.stack) process.stderr.write(`${redact(error.stack)}\n`)
}
