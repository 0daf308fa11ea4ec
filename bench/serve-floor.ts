// The HTTP floors of the serve benchmark: a bare node:http server, Fastify and
// Hono (on @hono/node-server), each reading a JSON body and answering a fixed
// JSON as large as a usage decision. Prints its port; runs until killed.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

const kind = process.argv[2] ?? 'bare'
export const FIXED = JSON.stringify({
  accepted: true,
  replayed: false,
  reportId: 'rpt_1234567',
  orgId: 'org_0123456789ab',
  product: 'users',
  kind: 'delta',
  requested: 1,
  delta: 1,
  level: 1234,
  headroom: 998765,
  reason: null,
  message: null,
  binding: { kind: 'pool', poolId: 'ws_0123456789ab' },
  key: 'bench-123456',
  at: '2026-01-01T00:00:00.000Z',
})

if (kind === 'bare') {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      JSON.parse(Buffer.concat(chunks).toString('utf8'))
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(FIXED) })
      res.end(FIXED)
    })
  })
  server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`))
} else if (kind === 'fastify') {
  const { default: Fastify } = await import('fastify')
  const app = Fastify()
  app.post('/v1/usage', async (request, reply) => {
    void request.body
    reply.header('content-type', 'application/json; charset=utf-8')
    return FIXED
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  process.stdout.write(`${(app.server.address() as AddressInfo).port}\n`)
} else if (kind === 'hono') {
  const { Hono } = await import('hono')
  const { serve } = await import('@hono/node-server')
  const app = new Hono()
  app.post('/v1/usage', async (c) => {
    await c.req.json()
    return c.body(FIXED, 200, { 'content-type': 'application/json; charset=utf-8' })
  })
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => process.stdout.write(`${info.port}\n`))
  void server
} else throw new Error(`unknown floor ${kind}`)
