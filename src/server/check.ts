// GET /v1/check (R-API-1): would this increase be accepted now, and what
// binds? Reads the counters in one snapshot on a reader; writes nothing.
import { checkUsage } from '../core/usage/check.js'
import { callerOf, parseQuery, readInWorkspace, type Route, type Services } from './route.js'
import * as schemas from './schemas.js'

export function checkRoutes(services: Services): Route[] {
  return [
    {
      method: 'GET',
      path: '/v1/check',
      scope: 'usage:read',
      doc: {
        summary: 'Would an increase of `quantity` (default 1) by `org` on `product` be accepted now, and what binds?',
        query: schemas.checkQuery,
        responses: {
          200: { description: 'accepted: true, or false with the reason and binding a report would get now.', schema: schemas.check },
          400: { description: 'A missing, unknown or malformed parameter.', schema: schemas.errorBody },
          401: { description: 'No key, or an unknown or revoked one.', schema: schemas.errorBody },
          404: { description: 'Unknown org or product.', schema: schemas.errorBody },
        },
      },
      handle: async (request) => {
        const query = parseQuery(schemas.checkQuery, request.query)
        const quantity = query.quantity === undefined ? 1 : Number(query.quantity)
        const result = await readInWorkspace(services, callerOf(request).workspaceId, (ctx) => checkUsage(ctx, { org: query.org, product: query.product, quantity }))
        return { status: 200, json: result }
      },
    },
  ]
}
