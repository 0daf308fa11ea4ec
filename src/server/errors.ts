// The HTTP face's sibling of src/cli/failure.ts: every error of the family
// (WsbError codes, exit codes) becomes an HTTP status here and nowhere else.
// The body is the CLI's error object, {"error": {code, message, details}},
// through the same classification and redaction (toFailure).
import { ExitCode } from '../core/errors.js'
import { type Failure, toFailure } from '../cli/failure.js'

/** Codes whose status is not their exit code's. */
const BY_CODE: Record<string, number> = {
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  ROUTE_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  IDEMPOTENCY_CONFLICT: 409,
  BODY_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  QUEUE_FULL: 429,
  SHUTTING_DOWN: 503,
  DB_UNREACHABLE: 503,
  DB_BUSY: 503,
  DB_CONNECT_FAILED: 503,
  DB_AUTH_FAILED: 503,
  DB_NOT_FOUND: 503,
  REQUEST_TIMEOUT: 408,
  // The server's configuration, not the request: Stripe retries, and succeeds once the secret is set.
  WEBHOOK_SECRET_MISSING: 503,
}

const BY_EXIT: Record<number, number> = {
  [ExitCode.invalidInput]: 400,
  [ExitCode.notFound]: 404,
  // A billing rule refused it: the request conflicts with the state.
  [ExitCode.refused]: 409,
  [ExitCode.provider]: 502,
}

export function statusOf(failure: Pick<Failure, 'code' | 'exitCode'>): number {
  return BY_CODE[failure.code] ?? BY_EXIT[failure.exitCode] ?? 500
}

export type ErrorBody = { error: { code: string; message: string; details: Record<string, unknown> } }

/** Any thrown value as the status and body to send. */
export function httpFailure(error: unknown): { status: number; body: ErrorBody } {
  const failure = toFailure(error)
  const status = statusOf(failure)
  // An unexpected failure says so without a stack or internals (run with DEBUG=wsb for them in the log).
  const message = status === 500 ? failure.message.replace(/ \(run with DEBUG=wsb for details\)$/, '') : failure.message
  return { status, body: { error: { code: failure.code, message, details: failure.details } } }
}
