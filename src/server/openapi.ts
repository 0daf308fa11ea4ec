// The OpenAPI 3.1 document (R-API-3), generated from the routes' own zod
// schemas — those that validate the requests — and the answer shapes, so the
// document cannot drift from what the server checks and sends.
import * as z from 'zod/mini'
import type { Route } from './route.js'

type Json = Record<string, unknown>

function jsonSchema(schema: z.ZodMiniType, io: 'input' | 'output'): Json {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Json
  return rest
}

function operation(route: Route): Json {
  const { doc } = route
  const op: Json = { summary: doc.summary, operationId: `${route.method.toLowerCase()}${route.path.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}` }
  if (doc.description) op.description = doc.description
  op.security = route.scope ? [{ apiKey: [] }] : []
  if (route.scope) op['x-wsb-scope'] = route.scope
  if (doc.query) {
    const query = jsonSchema(doc.query, 'input') as { properties?: Record<string, Json>; required?: string[] }
    op.parameters = Object.entries(query.properties ?? {}).map(([name, schema]) => ({ name, in: 'query', required: (query.required ?? []).includes(name), schema }))
  }
  if (doc.body) op.requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(doc.body, 'input') } } }
  op.responses = Object.fromEntries(
    Object.entries(doc.responses).map(([status, response]) => [
      status,
      {
        description: response.description,
        ...(response.schema ? { content: { [response.contentType ?? 'application/json']: { schema: jsonSchema(response.schema, 'output') } } } : {}),
        ...(status === '429' ? { headers: { 'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer' } } } } : {}),
      },
    ]),
  )
  return op
}

export function openApiDocument(routes: readonly Route[], version: string): Json {
  const paths: Record<string, Json> = {}
  for (const route of routes) paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operation(route) }
  return {
    openapi: '3.1.0',
    info: {
      title: 'wsb workspace API',
      version,
      description:
        'Usage reported by product services, decided in real time against the pool and every ancestor limit, committed before the answer. Same fields, outcomes and error codes as `wsb … --json`.',
    },
    components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'A workspace API key from `wsb apikey create NAME --scope usage:write|usage:read`.' } } },
    paths,
  }
}
