// What a route is: a method and path, the scope its caller's key needs (none
// for health, metrics and the API document), a handler that gets the request
// as data — the body as the exact text sent, for routes that verify a
// signature over it — and what it documents (openapi.ts).
import type { IncomingHttpHeaders } from 'node:http'
import * as z from 'zod/mini'
import type { ApiKeyIdentity } from '../core/apikeys/verify.js'
import { type Ctx, contextFor } from '../core/context.js'
import { invalid } from '../core/errors.js'
import { earliestDue } from '../core/lifecycle/queue.js'
import type { Db } from '../core/store/db.js'
import type { ApiKeyScope } from '../core/store/schema/index.js'
import { resolveWorkspace } from '../core/workspaces/resolve.js'
import type { Connections } from './connections.js'
import type { Metrics } from './metrics.js'
import type { Writer } from './writer.js'

export type RouteRequest = {
  /** The key's identity, on routes that need one. */
  caller: ApiKeyIdentity | undefined
  query: URLSearchParams
  /** The body exactly as sent (UTF-8), empty for GET. */
  body: string
  headers: IncomingHttpHeaders
}

export type RouteAnswer = { status: number; json: unknown; headers?: Record<string, string> } | { status: number; text: string; contentType: string }

export type RouteDoc = {
  summary: string
  description?: string
  query?: z.ZodMiniObject
  body?: z.ZodMiniType
  responses: Record<number, { description: string; schema?: z.ZodMiniType; contentType?: string }>
}

export type Route = {
  method: 'GET' | 'POST'
  path: string
  scope?: ApiKeyScope
  handle: (request: RouteRequest) => Promise<RouteAnswer>
  doc: RouteDoc
}

/** What routes reach: the writer (the group commit), the readers, the counters. */
export type Services = {
  writer: Writer
  connections: Connections
  metrics: Metrics
  engine: 'sqlite' | 'postgres'
}

/** The caller's key (routes with a scope always have one). */
export const callerOf = (request: RouteRequest): ApiKeyIdentity => {
  if (!request.caller) throw new Error('internal: a route with a scope ran without a caller')
  return request.caller
}

/**
 * The query parameters as an object checked by `schema`: each at most once,
 * unknown ones refused (INVALID_INPUT naming them).
 */
export function parseQuery<S extends z.ZodMiniObject>(schema: S, query: URLSearchParams): z.output<S> {
  const values: Record<string, string> = {}
  for (const [name, value] of query) {
    if (name in values) throw invalid(`give the parameter "${name}" once`, { parameter: name })
    values[name] = value
  }
  const result = z.safeParse(schema, values)
  if (!result.success) throw invalid(result.error.issues.map((issue) => issue.message).join('; '))
  return result.data
}

/**
 * Runs `work` on a reader in the caller's workspace, after the lifecycle steps
 * due by now have run on the writer (as every CLI command catches up first).
 */
export async function readInWorkspace<T>(services: Services, workspaceId: string, work: (ctx: Ctx) => Promise<T>): Promise<T> {
  return await services.connections.read(async (db: Db) => {
    let ctx = contextFor(db, await resolveWorkspace(db, workspaceId))
    const due = await earliestDue(db, workspaceId)
    if (due !== null && due <= ctx.now) {
      await services.writer.catchUp(workspaceId)
      ctx = contextFor(db, await resolveWorkspace(db, workspaceId))
    }
    return await work(ctx)
  })
}
