// Reads for dashboards (R-API-3): `usage report --by pool`, `--by org
// [--org]` and `usage history`, the same core functions and the same JSON,
// on a reader in the caller's workspace.
import { invalid } from '../core/errors.js'
import { poolReport } from '../core/pools/report.js'
import { timeOrAgo } from '../core/time-input.js'
import type { Bucket } from '../core/usage/history.js'
import { usageHistory } from '../core/usage/history.js'
import { usageByOrg } from '../core/usage/org-report.js'
import { callerOf, parseQuery, readInWorkspace, type Route, type Services } from './route.js'
import * as schemas from './schemas.js'

const common = {
  400: { description: 'A missing, unknown or malformed parameter.', schema: schemas.errorBody },
  401: { description: 'No key, or an unknown or revoked one.', schema: schemas.errorBody },
  404: { description: 'Unknown org, pool or product.', schema: schemas.errorBody },
}

export function reportRoutes(services: Services): Route[] {
  return [
    {
      method: 'GET',
      path: '/v1/usage/pools',
      scope: 'usage:read',
      doc: { summary: 'Every pool: capacity, used and available per product (`usage report --by pool --json`).', responses: { 200: { description: 'The pools.', schema: schemas.pools }, ...common } },
      handle: async (request) => {
        parseQuery(schemas.noQuery, request.query)
        return { status: 200, json: await readInWorkspace(services, callerOf(request).workspaceId, (ctx) => poolReport(ctx)) }
      },
    },
    {
      method: 'GET',
      path: '/v1/usage/orgs',
      scope: 'usage:read',
      doc: {
        summary: "Each org's own and subtree usage, limit, headroom and what binds it (`usage report --by org [--org ORG] --json`).",
        query: schemas.orgsQuery,
        responses: { 200: { description: 'The orgs, in tree order (the subtree of `org` when given).', schema: schemas.orgs }, ...common },
      },
      handle: async (request) => {
        const query = parseQuery(schemas.orgsQuery, request.query)
        return { status: 200, json: await readInWorkspace(services, callerOf(request).workspaceId, (ctx) => usageByOrg(ctx, { org: query.org })) }
      },
    },
    {
      method: 'GET',
      path: '/v1/usage/history',
      scope: 'usage:read',
      doc: {
        summary: 'Usage over time of a pool or an org, in buckets (`usage history --json`).',
        description: 'from and to take ISO 8601 times or spans back from now (7d, 12h, 2w); give pool or org (with subtree=true for its descendants too).',
        query: schemas.historyQuery,
        responses: { 200: { description: 'One row per bucket.', schema: schemas.history }, ...common },
      },
      handle: async (request) => {
        const query = parseQuery(schemas.historyQuery, request.query)
        if (query.subtree === 'true' && query.org === undefined) throw invalid('subtree goes with org')
        const view = await readInWorkspace(services, callerOf(request).workspaceId, (ctx) =>
          usageHistory(ctx, {
            pool: query.pool,
            org: query.org,
            subtree: query.subtree === 'true',
            product: query.product,
            from: query.from === undefined ? undefined : timeOrAgo(query.from, ctx.now, 'from'),
            to: query.to === undefined ? undefined : timeOrAgo(query.to, ctx.now, 'to'),
            bucket: (query.bucket ?? 'day') as Bucket,
          }),
        )
        return { status: 200, json: view }
      },
    },
  ]
}
