// Connection failures against the real test server (issue 13): a wrong password,
// a missing database, a closed port and a server that never answers are each one
// documented code and exit code, one line, the password never in it. Checked
// with both drivers the bench measures, as both report errors the same way.
import { createServer, type Server, type Socket } from 'node:net'
import pg from 'pg'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { WsbError } from '../../src/core/errors.js'
import { postgresConnectError, parsePostgresUrl, type PostgresUrl } from '../../src/core/store/postgres-url.js'
import { redact } from '../../src/core/redact.js'
import { postgresServerUrl } from '../helpers/postgres.js'

type Connect = (url: PostgresUrl) => Promise<void>

const drivers: [string, Connect][] = [
  [
    'pg',
    async (url) => {
      const client = new pg.Client({ host: url.host, port: url.port, user: url.user, password: url.password, database: url.database, connectionTimeoutMillis: 1500 })
      try {
        await client.connect()
        await client.query('SELECT 1')
      } finally {
        await client.end().catch(() => {})
      }
    },
  ],
  [
    'postgres',
    async (url) => {
      const sql = postgres({ host: url.host, port: url.port, user: url.user, pass: url.password, database: url.database, connect_timeout: 1.5, max: 1, onnotice: () => {} })
      try {
        await sql`SELECT 1`
      } finally {
        await sql.end({ timeout: 0 }).catch(() => {})
      }
    },
  ],
]

/** The server's URL with parts replaced (the password stays percent-encoded as typed). */
function variant(change: { password?: string; database?: string; port?: number }): string {
  const u = new URL(postgresServerUrl())
  // A closed or silent port is always one of ours, on this machine.
  if (change.port !== undefined) u.hostname = '127.0.0.1'
  if (change.password !== undefined) u.password = encodeURIComponent(change.password)
  if (change.database !== undefined) u.pathname = `/${change.database}`
  if (change.port !== undefined) u.port = String(change.port)
  return u.toString()
}

const realPassword = () => decodeURIComponent(new URL(postgresServerUrl()).password)
// The test server's (or WSB_TEST_POSTGRES_URL's) user and host, as the messages show them.
const server = () => new URL(postgresServerUrl())

async function failure(connect: Connect, text: string): Promise<WsbError> {
  const url = parsePostgresUrl(text)
  try {
    await connect(url)
  } catch (error) {
    return postgresConnectError(error, url)
  }
  throw new Error('connected')
}

/** A port on 127.0.0.1 that nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  await new Promise((resolve) => server.close(resolve))
  return port
}

// Accepts connections and never answers: a server that hangs.
let silent: Server
let silentPort: number
const held: Socket[] = []
beforeAll(async () => {
  silent = createServer((socket) => held.push(socket))
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
  silentPort = (silent.address() as { port: number }).port
})
afterAll(async () => {
  for (const socket of held) socket.destroy()
  await new Promise((resolve) => silent.close(resolve))
})

const expectSafe = (error: WsbError, secrets: string[]) => {
  expect(error.message).not.toMatch(/\n/)
  for (const secret of secrets) {
    expect(error.message).not.toContain(secret)
    expect(JSON.stringify(error.details)).not.toContain(secret)
  }
  expect(error.message).toMatch(/^[^@]*:\*\*\*@[^@]*$/)
}

describe.each(drivers)('PostgreSQL connection errors with %s', (_driver, connect) => {
  it('a wrong password is DB_AUTH_FAILED, exit 2, the URL shown redacted', async () => {
    const wrong = 'Wr0ng-pa$$word/ü'
    const error = await failure(connect, variant({ password: wrong }))
    expect(error.code).toBe('DB_AUTH_FAILED')
    expect(error.exitCode).toBe(2)
    const { username, host, pathname } = server()
    expect(error.message).toBe(`PostgreSQL at ${host} refused user "${decodeURIComponent(username)}" (wrong password): postgresql://${username}:***@${host}${pathname}`)
    expectSafe(error, [wrong, encodeURIComponent(wrong), realPassword()])
    expect(redact(`x ${wrong} ${encodeURIComponent(wrong)}`)).toBe('x [redacted] [redacted]')
  })

  it('a missing database is DB_NOT_FOUND, exit 3, naming the database', async () => {
    const error = await failure(connect, variant({ database: 'wsb_no_such_db' }))
    expect(error.code).toBe('DB_NOT_FOUND')
    expect(error.exitCode).toBe(3)
    const { username, host } = server()
    expect(error.message).toBe(`database "wsb_no_such_db" does not exist on PostgreSQL at ${host}: postgresql://${username}:***@${host}/wsb_no_such_db`)
    expect(error.details).toMatchObject({ kind: 'database', ref: 'wsb_no_such_db' })
    expectSafe(error, [realPassword()])
  })

  it('a port where nothing listens is DB_UNREACHABLE, exit 1 (environment)', async () => {
    const port = await closedPort()
    const error = await failure(connect, variant({ port }))
    expect(error.code).toBe('DB_UNREACHABLE')
    expect(error.exitCode).toBe(1)
    const { username, pathname } = server()
    expect(error.message).toBe(`cannot reach PostgreSQL at 127.0.0.1:${port} (connection refused): postgresql://${username}:***@127.0.0.1:${port}${pathname}`)
    expectSafe(error, [realPassword()])
  })

  it('a server that accepts and never answers is DB_UNREACHABLE (timed out), exit 1', async () => {
    const error = await failure(connect, variant({ port: silentPort }))
    expect(error.code).toBe('DB_UNREACHABLE')
    expect(error.exitCode).toBe(1)
    const { username, pathname } = server()
    expect(error.message).toBe(`cannot reach PostgreSQL at 127.0.0.1:${silentPort} (timed out): postgresql://${username}:***@127.0.0.1:${silentPort}${pathname}`)
    expectSafe(error, [realPassword()])
  })
})
