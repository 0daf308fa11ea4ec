// PostgreSQL connection URLs as --db / WSB_DB take them (issue 13), read the
// way libpq reads a URI: postgresql://[user[:password]@][host][:port][/dbname][?k=v&…],
// percent-decoded, query parameters overriding the parts before them. Pure: no
// driver, no environment (PG* variables are not read here). The password is
// registered with the one redaction point the moment it is seen, so it cannot
// reach any output even through an error about the URL itself; what is shown
// of a URL is always its display form, password replaced by ***.
import { ExitCode, WsbError, invalid } from '../errors.js'
import { redact, registerSecret } from '../redact.js'

export const sslModes = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const
export type SslMode = (typeof sslModes)[number]

export type PostgresUrl = {
  /** A host name, an IP address (IPv6 without brackets), or a unix-socket directory (starts with '/'). */
  host: string
  port: number
  /** Absent: the driver's default (the OS user). */
  user?: string
  password?: string
  /** Absent: libpq's default, the user name. */
  database?: string
  /** libpq's default is prefer. */
  sslmode: SslMode
  /** Every other libpq parameter given in the query, decoded (password-like ones included, never shown). */
  params: Record<string, string>
  /** The URL as typed with every password replaced by ***: the only form ever shown. */
  display: string
}

const SCHEMES = ['postgresql://', 'postgres://'] as const
const MASK = '***'
/** Query parameters whose values are secrets. */
const SECRET_PARAMS = new Set(['password', 'sslpassword'])

/** The connection parameters libpq knows (libpq-connect, PostgreSQL 18); any other is an error there too. */
const KNOWN_PARAMS = new Set([
  'host', 'hostaddr', 'port', 'dbname', 'user', 'password', 'passfile', 'require_auth', 'channel_binding',
  'connect_timeout', 'client_encoding', 'options', 'application_name', 'fallback_application_name',
  'keepalives', 'keepalives_idle', 'keepalives_interval', 'keepalives_count', 'tcp_user_timeout',
  'replication', 'gssencmode', 'sslmode', 'sslnegotiation', 'sslcompression', 'sslcert', 'sslkey',
  'sslkeylogfile', 'sslpassword', 'sslcertmode', 'sslrootcert', 'sslcrl', 'sslcrldir', 'sslsni',
  'requirepeer', 'ssl_min_protocol_version', 'ssl_max_protocol_version', 'min_protocol_version',
  'max_protocol_version', 'krbsrvname', 'gsslib', 'gssdelegation', 'scram_client_key', 'scram_server_key',
  'service', 'target_session_attrs', 'load_balance_hosts', 'requiressl',
  'oauth_issuer', 'oauth_client_id', 'oauth_client_secret', 'oauth_scope',
])

/** Whether --db / WSB_DB names a PostgreSQL server rather than a SQLite file. */
export const isPostgresUrl = (text: string): boolean => SCHEMES.some((scheme) => text.startsWith(scheme))

/**
 * What can be shown of a URL that may not even parse: the text between '//'
 * and the last '@' is user[:password], and everything after its first ':' is
 * masked. Also masks password-like query values.
 */
function looseDisplay(text: string): string {
  const scheme = SCHEMES.find((s) => text.startsWith(s)) ?? ''
  let rest = text.slice(scheme.length)
  const at = rest.lastIndexOf('@')
  if (at >= 0) {
    const userspec = rest.slice(0, at)
    const colon = userspec.indexOf(':')
    if (colon >= 0) rest = `${userspec.slice(0, colon)}:${MASK}${rest.slice(at)}`
  }
  return redact(`${scheme}${maskQuery(rest)}`)
}

/** key=value pairs of a query with secret values replaced (keys compared decoded). */
function maskQuery(text: string): string {
  const q = text.indexOf('?')
  if (q < 0) return text
  const pairs = text
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=')
      if (eq < 0) return pair
      let key = pair.slice(0, eq)
      try {
        key = decodeURIComponent(key)
      } catch {
        // shown as typed
      }
      return SECRET_PARAMS.has(key) ? `${pair.slice(0, eq)}=${MASK}` : pair
    })
  return `${text.slice(0, q)}?${pairs.join('&')}`
}

/** Registers both forms a password can appear in: decoded, and as typed in the URL. */
function secret(decoded: string, typed: string): void {
  registerSecret(decoded)
  registerSecret(typed)
}

/**
 * libpq's percent-decoding: %XX only (no '+' for space), %00 refused. Returns
 * undefined when the text is malformed so the caller can name the part without
 * showing it.
 */
function decode(text: string): string | undefined {
  if (/%(?![0-9A-Fa-f]{2})/.test(text) || /%00/.test(text)) return undefined
  try {
    return decodeURIComponent(text)
  } catch {
    return undefined
  }
}

const bad = (problem: string, display: string) => invalid(`invalid PostgreSQL URL ${display}: ${problem}`, { url: display }, 'INVALID_INPUT')

/**
 * Parses a postgres:// or postgresql:// URL. Errors are INVALID_INPUT (exit 2)
 * naming the problem; they show the URL only in its display form.
 */
export function parsePostgresUrl(text: string): PostgresUrl {
  const scheme = SCHEMES.find((s) => text.startsWith(s))
  // Before anything can fail: whatever could be a password is registered.
  const loose = looseDisplay(text)
  const rawRest = scheme ? text.slice(scheme.length) : text
  const lastAt = rawRest.lastIndexOf('@')
  if (lastAt >= 0) {
    const userspec = rawRest.slice(0, lastAt)
    const colon = userspec.indexOf(':')
    if (colon >= 0) secret(decode(userspec.slice(colon + 1)) ?? userspec.slice(colon + 1), userspec.slice(colon + 1))
  }
  if (!scheme) throw bad('it must start with postgresql:// or postgres://', loose)

  // The authority ends at the first '/' or '?'; libpq finds user[:password]@ before the first '@'.
  const end = rawRest.search(/[/?]/)
  const authority = end < 0 ? rawRest : rawRest.slice(0, end)
  const afterAuthority = end < 0 ? '' : rawRest.slice(end)
  const pathEnd = afterAuthority.indexOf('?')
  if ((pathEnd < 0 ? afterAuthority : afterAuthority.slice(0, pathEnd)).includes('@')) {
    throw bad("the user or password holds '/' or '?': percent-encode them (%2F, %3F)", loose)
  }
  const at = authority.indexOf('@')
  const userspec = at >= 0 ? authority.slice(0, at) : undefined
  const hostspec = at >= 0 ? authority.slice(at + 1) : authority
  if (hostspec.includes('@')) throw bad("the user or password holds '@': percent-encode it as %40", loose)

  let user: string | undefined
  let password: string | undefined
  let typedPassword: string | undefined
  if (userspec !== undefined) {
    const colon = userspec.indexOf(':')
    const rawUser = colon >= 0 ? userspec.slice(0, colon) : userspec
    typedPassword = colon >= 0 ? userspec.slice(colon + 1) : undefined
    user = decode(rawUser)
    if (user === undefined) throw bad('the user name has a malformed percent-encoding', loose)
    if (user === '') user = undefined
    if (typedPassword !== undefined) {
      password = decode(typedPassword)
      if (password === undefined) throw bad('the password has a malformed percent-encoding', loose)
    }
  }

  if (hostspec.includes(',')) throw bad('several hosts are not supported: give one host', loose)
  let rawHost: string
  let rawPort: string | undefined
  if (hostspec.startsWith('[')) {
    const close = hostspec.indexOf(']')
    if (close < 0) throw bad("an IPv6 address lacks its closing ']'", loose)
    rawHost = hostspec.slice(1, close)
    const tail = hostspec.slice(close + 1)
    if (tail !== '' && !tail.startsWith(':')) throw bad(`unexpected ${JSON.stringify(tail)} after the IPv6 address`, loose)
    rawPort = tail ? tail.slice(1) : undefined
  } else {
    const colon = hostspec.lastIndexOf(':')
    rawHost = colon >= 0 ? hostspec.slice(0, colon) : hostspec
    rawPort = colon >= 0 ? hostspec.slice(colon + 1) : undefined
  }
  let host = decode(rawHost)
  if (host === undefined) throw bad('the host has a malformed percent-encoding', loose)
  let port = rawPort === undefined || rawPort === '' ? undefined : rawPort

  const rawPath = pathEnd < 0 ? afterAuthority : afterAuthority.slice(0, pathEnd)
  let database = rawPath.length > 1 ? decode(rawPath.slice(1)) : undefined
  if (rawPath.length > 1 && database === undefined) throw bad('the database name has a malformed percent-encoding', loose)

  const params: Record<string, string> = {}
  let sslmode: string | undefined
  const rawQuery = pathEnd < 0 ? '' : afterAuthority.slice(pathEnd + 1)
  for (const pair of rawQuery === '' ? [] : rawQuery.split('&')) {
    const eq = pair.indexOf('=')
    if (eq < 0) throw bad(`query parameter ${JSON.stringify(decode(pair) ?? pair)} has no '='`, loose)
    const key = decode(pair.slice(0, eq))
    const value = decode(pair.slice(eq + 1))
    if (key === undefined) throw bad('a query parameter name has a malformed percent-encoding', loose)
    if (SECRET_PARAMS.has(key)) secret(value ?? pair.slice(eq + 1), pair.slice(eq + 1))
    if (value === undefined) throw bad(`the value of ${JSON.stringify(key)} has a malformed percent-encoding`, loose)
    // libpq takes ssl=true from JDBC URLs as sslmode=require.
    if (key === 'ssl' && value === 'true') {
      sslmode = 'require'
      continue
    }
    if (!KNOWN_PARAMS.has(key)) throw bad(`unknown parameter ${JSON.stringify(key)}`, loose)
    if (key === 'host') host = value
    else if (key === 'port') port = value
    else if (key === 'user') user = value || undefined
    else if (key === 'password') password = value
    else if (key === 'dbname') database = value || undefined
    else if (key === 'sslmode') sslmode = value
    else params[key] = value
  }

  if (host.includes(',')) throw bad('several hosts are not supported: give one host', loose)
  if (port !== undefined && port.includes(',')) throw bad('several ports are not supported: give one port', loose)
  const portNumber = port === undefined ? 5432 : /^\d{1,5}$/.test(port) ? Number(port) : Number.NaN
  if (!(portNumber >= 1 && portNumber <= 65535)) throw bad(`port ${JSON.stringify(port)} is not a number from 1 to 65535`, loose)
  if (sslmode !== undefined && !(sslModes as readonly string[]).includes(sslmode)) {
    throw bad(`sslmode ${JSON.stringify(sslmode)} is not one of ${sslModes.join(', ')}`, loose)
  }

  const display = redact(`${scheme}${userspec !== undefined ? `${userspec.split(':')[0]}${typedPassword !== undefined ? `:${MASK}` : ''}@` : ''}${maskQuery(`${hostspec}${afterAuthority}`)}`)
  return {
    // libpq's default host is a unix socket; the Node drivers' is localhost over TCP, which wsb uses.
    host: host === '' ? 'localhost' : host,
    port: portNumber,
    ...(user !== undefined ? { user } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(database !== undefined ? { database } : user !== undefined ? { database: user } : {}),
    sslmode: (sslmode ?? 'prefer') as SslMode,
    params,
    display,
  }
}

/** Node's network error codes that mean the server could not be reached at all. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ECONNRESET', 'EPIPE', 'CONNECT_TIMEOUT'])
const UNREACHABLE_WHY: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  EAI_FAIL: 'host name lookup failed',
  ETIMEDOUT: 'timed out',
  CONNECT_TIMEOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EHOSTDOWN: 'host down',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed',
}

/** The error's code, or the first code among the errors of an AggregateError (one per address tried). */
function codeOf(error: unknown): string | undefined {
  if (!error || typeof error !== 'object') return undefined
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string' && code !== '') return code
  const inner = (error as { errors?: unknown }).errors
  if (Array.isArray(inner)) for (const e of inner) if (codeOf(e)) return codeOf(e)
  return undefined
}

/**
 * A driver's error while connecting, as a one-line wsb error that shows the URL
 * only redacted:
 * - DB_UNREACHABLE (exit 1): refused, unknown host, timeout, reset, server starting or shutting down;
 * - DB_AUTH_FAILED (exit 2): the URL's credentials were refused (SQLSTATE 28P01, 28000);
 * - DB_NOT_FOUND (exit 3): the URL's database does not exist (SQLSTATE 3D000);
 * - DB_CONNECT_FAILED (exit 1): anything else while connecting (TLS refused, too many connections …).
 * Works on errors from pg and from postgres (porsager): both carry Node's
 * `code` for network errors and the SQLSTATE in `code` for server errors.
 */
export function postgresConnectError(error: unknown, url: PostgresUrl): WsbError {
  const code = codeOf(error)
  const raw = error instanceof Error ? error.message : String(error)
  // The driver's own words, on one line and through the redaction point.
  const said = redact(raw.replace(/\s+/g, ' ').trim()).slice(0, 300)
  const where = `${url.host}:${url.port}`
  const details = { url: url.display, host: url.host, port: url.port, ...(code ? { cause: code } : {}) }
  if (code === '28P01' || code === '28000') {
    const who = url.user === undefined ? 'the default user' : `user ${JSON.stringify(url.user)}`
    const why = code === '28P01' ? 'wrong password' : 'login not allowed'
    return new WsbError('DB_AUTH_FAILED', `PostgreSQL at ${where} refused ${who} (${why}): ${url.display}`, ExitCode.invalidInput, details)
  }
  if (code === '3D000') {
    const name = url.database ?? /database "(.*)" does not exist/.exec(raw)?.[1] ?? ''
    return new WsbError('DB_NOT_FOUND', `database ${JSON.stringify(name)} does not exist on PostgreSQL at ${where}: ${url.display}`, ExitCode.notFound, {
      ...details,
      kind: 'database',
      ref: name,
    })
  }
  // 57P01-03: the server is shutting down or not yet accepting connections.
  const timedOut = /timeout|timed out/i.test(raw)
  if ((code && (UNREACHABLE.has(code) || /^57P0[123]$/.test(code))) || timedOut) {
    const why = (code && UNREACHABLE_WHY[code]) ?? (timedOut ? 'timed out' : code?.startsWith('57P') ? 'server not accepting connections' : 'unreachable')
    return new WsbError('DB_UNREACHABLE', `cannot reach PostgreSQL at ${where} (${why}): ${url.display}`, ExitCode.unexpected, details)
  }
  return new WsbError('DB_CONNECT_FAILED', `cannot connect to PostgreSQL at ${where} (${said}): ${url.display}`, ExitCode.unexpected, details)
}

/** Server-side codes that end a session: admin shutdown (pg_ctl stop, pg_terminate_backend), crash shutdown, not accepting connections. */
const SESSION_ENDED: Record<string, string> = { '57P01': 'server shut down or session terminated', '57P02': 'server crashed', '57P03': 'server not accepting connections' }

/**
 * Whether a driver error means the connection is gone (the server shut down,
 * crashed, or the network dropped it) rather than a statement failing: pg says
 * so only in words for a closed socket.
 */
export function isConnectionLost(error: unknown): boolean {
  const code = codeOf(error)
  if (code && (code in SESSION_ENDED || UNREACHABLE.has(code))) return true
  const message = error instanceof Error ? error.message : ''
  return /Connection terminated|not queryable|Client was closed|Connection closed/i.test(message)
}

/**
 * The connection to the server was lost in the middle of a command: one line,
 * DB_UNREACHABLE (exit 1), the URL redacted. What was committed stays; the open
 * transaction, if any, is rolled back by the server, and a COMMIT in flight may
 * or may not have landed, which a re-run with the same idempotency keys settles.
 */
export function postgresLostError(error: unknown, url: PostgresUrl): WsbError {
  const code = codeOf(error)
  const why = (code && (SESSION_ENDED[code] ?? UNREACHABLE_WHY[code])) ?? 'connection closed'
  const where = `${url.host}:${url.port}`
  return new WsbError(
    'DB_UNREACHABLE',
    `lost the connection to PostgreSQL at ${where} (${why}); what was committed is kept, the rest was not applied: ${url.display}`,
    ExitCode.unexpected,
    { url: url.display, host: url.host, port: url.port, lost: true, ...(code ? { cause: code } : {}) },
  )
}
