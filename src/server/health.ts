// Health, readiness, metrics and the API document: no key needed.
// /healthz says the process answers; /readyz that a reader reaches the
// database and its schema is the one this wsb ships (else 503).
import { schemaState } from '../core/store/engine.js'
import { openApiDocument } from './openapi.js'
import type { Route, Services } from './route.js'
import * as schemas from './schemas.js'

export function healthRoutes(services: Services, routes: () => readonly Route[], version: string): Route[] {
  let document: unknown
  return [
    {
      method: 'GET',
      path: '/healthz',
      doc: { summary: 'The process is up.', responses: { 200: { description: 'Up.', schema: schemas.health } } },
      handle: async () => ({ status: 200, json: { ok: true } }),
    },
    {
      method: 'GET',
      path: '/readyz',
      doc: {
        summary: 'The database answers and its schema is current.',
        responses: { 200: { description: 'Ready.', schema: schemas.ready }, 503: { description: 'Not ready: the problem is named.', schema: schemas.ready } },
      },
      handle: async () => {
        try {
          const state = await services.connections.read((db) => schemaState(db, services.engine))
          if (!state.current)
            return { status: 503, json: { ok: false, engine: services.engine, problem: `the database schema is ${state.applied}, this wsb ships ${state.known}` } }
          return { status: 200, json: { ok: true, engine: services.engine, schema: new Date(state.known).toISOString() } }
        } catch (error) {
          return { status: 503, json: { ok: false, engine: services.engine, problem: (error as { code?: string }).code ?? 'UNEXPECTED' } }
        }
      },
    },
    {
      method: 'GET',
      path: '/metrics',
      doc: { summary: 'Prometheus text format: requests, reports, batches, commit latency, queue depth.', responses: { 200: { description: 'The metrics.' } } },
      handle: async () => ({ status: 200, text: services.metrics.text(), contentType: 'text/plain; version=0.0.4; charset=utf-8' }),
    },
    {
      method: 'GET',
      path: '/v1/openapi.json',
      doc: { summary: 'This API, as an OpenAPI 3.1 document.', responses: { 200: { description: 'The document.' } } },
      handle: async () => {
        document ??= openApiDocument(routes(), version)
        return { status: 200, json: document }
      },
    },
  ]
}
