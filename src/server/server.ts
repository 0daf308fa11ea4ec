// `wsb serve` (R-API-1..4): the workspace API over node:http. This file wires
// the faces together — routes, keys, the group commit, the connections — and
// owns the server's life: listen, answer, drain on SIGTERM, stop. Domain work
// is in the core; each route file only parses, calls and answers.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { ExitCode, WsbError } from '../core/errors.js'
import type { Db } from '../core/store/db.js'
import { type Engine, openEngine } from '../core/store/engine.js'
import { Auth } from './auth.js'
import { checkRoutes } from './check.js'
import { Connections } from './connections.js'
import { healthRoutes } from './health.js'
import { readBody, sendError, sendJson, sendText } from './http.js'
import type { Log } from './log.js'
import { Metrics } from './metrics.js'
import { reportRoutes } from './reports.js'
import { stripeRoutes } from './stripe.js'
import type { Route, Services } from './route.js'
import { usageRoutes } from './usage.js'
import { type BatchInfo, inProcessWriter, type Writer, workerScript, workerWriter } from './writer.js'

export type ServeOptions = {
  host: string
  port: number
  /** --db as given (a file, or a postgres:// URL with its password): to open more connections. */
  target: string
  engine: Engine
  /** The database as it may be shown: the path, or the URL with its password masked. */
  display: string
  /** The writer's connection, already open (the command opened and checked it). */
  writer: Db
  log: Log
  version: string
  /** A request not read whole within this is answered 408 and closed. */
  requestTimeoutMs?: number
  /** Reports waiting for a transaction before 429. */
  maxQueue?: number
  /** Reports per transaction. */
  maxBatch?: number
  /** How long a stop waits for requests in flight before closing their connections. */
  drainMs?: number
}

export type RunningServer = {
  /** http://host:port as bound (port 0 picks a free one). */
  url: string
  /** Stops accepting, answers and commits what is queued, closes; settles when done. */
  stop: (reason: string) => Promise<void>
}

const KEY_STAMP_EVERY_MS = 60_000

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const { log } = options
  const workerFile = options.engine === 'postgres' ? undefined : workerScript()
  const connections = new Connections(() => openEngine(options.target), options.engine === 'postgres' ? 4 : 2, workerFile === undefined ? options.writer : undefined)
  let databaseDown = false
  const metrics = new Metrics(() => writer.depth)
  const onBatch = ({ reports, commitMs, committed }: BatchInfo) => {
    metrics.batchSize.observe(reports)
    metrics.commitSeconds.observe(commitMs / 1000)
    if (!committed) metrics.failedCommits.inc()
    else if (databaseDown) {
      databaseDown = false
      log('info', 'database reachable again', { database: options.display })
    }
  }
  const onLost = () => {
    if (databaseDown) return
    databaseDown = true
    log('warn', 'database unreachable; answering 503 until it is back', { database: options.display })
  }
  const limits = { maxBatch: options.maxBatch, maxQueue: options.maxQueue, onBatch }
  // SQLite: the writer in a thread of its own (its fsyncs would block this one); PostgreSQL: here.
  const writer: Writer = workerFile
    ? await workerWriter(workerFile, options.target, limits, () => openEngine(options.target))
    : inProcessWriter(connections, { ...limits, onLost })
  const services: Services = { writer, connections, metrics, engine: options.engine }
  const routes: Route[] = []
  routes.push(...usageRoutes(services), ...checkRoutes(services), ...reportRoutes(services), ...stripeRoutes(services), ...healthRoutes(services, () => routes, options.version))
  const table = new Map<string, Map<string, Route>>()
  for (const route of routes) table.set(route.path, (table.get(route.path) ?? new Map()).set(route.method, route))
  const auth = new Auth(connections)

  let draining = false
  let inFlight = 0
  let answered = 0
  let drained: (() => void) | undefined

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    inFlight++
    let name = 'unmatched'
    let status = 500
    try {
      if (draining) throw new WsbError('SHUTTING_DOWN', 'the server is shutting down; retry against another instance', ExitCode.unexpected)
      const url = request.url ?? '/'
      const at = url.indexOf('?')
      const path = at < 0 ? url : url.slice(0, at)
      const byMethod = table.get(path)
      if (!byMethod) throw new WsbError('ROUTE_NOT_FOUND', `no route ${path}; see GET /v1/openapi.json`, ExitCode.notFound, { path })
      const route = byMethod.get(request.method ?? '')
      if (!route)
        throw new WsbError('METHOD_NOT_ALLOWED', `${path} takes ${[...byMethod.keys()].join(', ')}, not ${request.method}`, ExitCode.invalidInput, { allow: [...byMethod.keys()] })
      name = route.path
      const caller = route.scope ? await auth.authenticate(request, route.scope) : undefined
      const body = request.method === 'POST' ? await readBody(request) : ''
      const answer = await route.handle({ caller, query: new URLSearchParams(at < 0 ? '' : url.slice(at + 1)), body, headers: request.headers })
      status = answer.status
      if ('json' in answer) sendJson(response, answer.status, answer.json, answer.headers)
      else sendText(response, answer.status, answer.text, answer.contentType)
    } catch (error) {
      const code = (error as { code?: string } | null)?.code
      const headers: Record<string, string> = {}
      if (code === 'QUEUE_FULL') headers['retry-after'] = '1'
      if (code === 'UNAUTHORIZED') headers['www-authenticate'] = 'Bearer realm="wsb"'
      if (code === 'METHOD_NOT_ALLOWED') headers.allow = ((error as WsbError).details.allow as string[]).join(', ')
      if (draining) headers.connection = 'close'
      status = sendError(response, error, headers)
      if (status >= 500 && code !== 'SHUTTING_DOWN' && code !== 'DB_UNREACHABLE')
        log('error', 'request failed', { method: request.method, route: name, status, code: code ?? 'UNEXPECTED', message: (error as Error)?.message ?? String(error) })
    } finally {
      metrics.requests.inc({ route: name, status: String(status) })
      answered++
      inFlight--
      if (draining && inFlight === 0) drained?.()
    }
  }

  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000
  const server = createServer(
    {
      requestTimeout: requestTimeoutMs,
      headersTimeout: requestTimeoutMs,
      // How often Node checks those timeouts (its default, 30 s, would let a short timeout run long).
      connectionsCheckingInterval: Math.max(100, Math.min(1_000, requestTimeoutMs / 4)),
      // Idle keep-alive connections stay open a minute (past the 60 s of common proxies and load
      // balancers): a client that pauses a few seconds and reuses its connection must not find it
      // closed under it (Node's default is 5 s).
      keepAliveTimeout: 65_000,
    },
    (request, response) => void handle(request, response),
  )
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE' || error.code === 'EACCES' || error.code === 'EADDRNOTAVAIL'
          ? new WsbError('LISTEN_FAILED', `cannot listen on ${options.host}:${options.port}: ${error.message}`, ExitCode.invalidInput, { host: options.host, port: options.port })
          : error,
      ),
    )
    server.listen(options.port, options.host, () => resolve())
  }).catch(async (error: unknown) => {
    // Nothing may keep the process alive after a failed start (the SQLite writer thread would).
    await writer.close().catch(() => undefined)
    connections.close()
    throw error
  })
  const address = server.address() as AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  const url = `http://${host}:${address.port}`

  // Last use of keys, to the minute, written between batches (never a write per request).
  const stampKeys = async () => {
    const uses = auth.takeUses()
    if (uses.size === 0) return
    await writer.touchKeys(uses).catch((error: unknown) =>
      log('warn', 'could not record when API keys were last used', { code: (error as { code?: string }).code ?? 'UNEXPECTED' }),
    )
  }
  const stamper = setInterval(() => void stampKeys(), KEY_STAMP_EVERY_MS)
  stamper.unref()

  log('info', 'listening', { address: url, engine: options.engine, database: options.display, version: options.version })

  let stopping: Promise<void> | undefined
  const stop = (reason: string) =>
    (stopping ??= (async () => {
      draining = true
      log('info', 'stopping', { reason, inFlight, queued: writer.depth })
      server.close()
      server.closeIdleConnections()
      if (inFlight > 0) {
        const bound = new Promise<void>((resolve) => setTimeout(resolve, options.drainMs ?? 10_000).unref())
        await Promise.race([new Promise<void>((resolve) => (drained = resolve)), bound])
      }
      // Whatever was queued is written and answered before the connections close.
      await stampKeys()
      await writer.close()
      server.closeAllConnections()
      clearInterval(stamper)
      connections.close()
      log('info', 'stopped', { reason, requests: answered })
    })())
  return { url, stop }
}
