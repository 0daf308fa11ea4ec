// The one error type of wsb. Every failure a user can cause carries a stable
// code from SPEC.md and an exit code; the CLI maps nothing else (SPEC §2).

export const ExitCode = {
  ok: 0,
  unexpected: 1,
  invalidInput: 2,
  notFound: 3,
  refused: 4,
  provider: 5,
  /** Ctrl-C (SIGINT): 128 + 2, as shells report a program that signal ended. */
  interrupted: 130,
} as const

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode]

export type Details = Record<string, unknown>

export class WsbError extends Error {
  readonly code: string
  readonly exitCode: ExitCodeValue
  readonly details: Details

  constructor(code: string, message: string, exitCode: ExitCodeValue, details: Details = {}) {
    super(message)
    this.name = 'WsbError'
    this.code = code
    this.exitCode = exitCode
    this.details = details
  }
}

/** Bad input: malformed flag, file line or value (exit 2). */
export const invalid = (message: string, details: Details = {}, code = 'INVALID_INPUT') =>
  new WsbError(code, message, ExitCode.invalidInput, details)

/** Something named does not exist (exit 3). */
export const notFound = (what: string, ref: string, details: Details = {}, message = `${what} "${ref}" not found`) =>
  new WsbError('NOT_FOUND', message, ExitCode.notFound, { kind: what, ref, ...details })

/** Refused by a billing rule of the spec (exit 4). */
export const refused = (code: string, message: string, details: Details = {}) =>
  new WsbError(code, message, ExitCode.refused, details)

/** The payment provider failed or declined (exit 5). */
export const providerFailure = (code: string, message: string, details: Details = {}) =>
  new WsbError(code, message, ExitCode.provider, details)

/** Stopped by Ctrl-C, saying what was and was not done (exit 130). */
export const interrupted = (message: string, details: Details = {}) => new WsbError('INTERRUPTED', message, ExitCode.interrupted, details)

/**
 * By shape rather than instanceof: each command is its own bundle, and an error
 * may come from another bundle's copy of this class.
 */
export const isWsbError = (error: unknown): error is WsbError =>
  error instanceof Error && error.name === 'WsbError' && typeof (error as WsbError).code === 'string' && typeof (error as WsbError).exitCode === 'number'
