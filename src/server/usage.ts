// POST /v1/usage and POST /v1/usage/batch (R-API-1, R-API-4): reports parsed
// with the CLI's own schema, handed to the group commit, answered once their
// transaction has committed. A rule's rejection is an answer (200,
// accepted: false); a bad reference or a reused key is the CLI's error.
import { invalid } from '../core/errors.js'
import { rejectionError, type UsageDecision, type UsageReportInput } from '../core/usage/decision.js'
import { parseUsageLine, parseUsageReport } from '../core/usage/line.js'
import { referenceError } from '../core/usage/references.js'
import { type ErrorBody, httpFailure } from './errors.js'
import { parseJson } from './http.js'
import { callerOf, readInWorkspace, type Route, type RouteAnswer, type Services } from './route.js'
import * as schemas from './schemas.js'

/** Rejections that are the caller's mistake, answered as errors (404, 400, 409) as `usage record` exits non-zero for them. */
const MISTAKES = new Set(['NOT_FOUND', 'AMBIGUOUS_REFERENCE', 'IDEMPOTENCY_CONFLICT'])

/**
 * The answer for one decision. A caller's mistake is the error `usage record`
 * gives for it, explained as the CLI explains it (an ambiguous name's
 * candidates, the products an unknown one may have meant): read after the
 * commit, only for such reports.
 */
async function answerOf(services: Services, workspaceId: string, report: UsageReportInput, decision: UsageDecision): Promise<{ status: number; body: UsageDecision | ErrorBody }> {
  if (decision.accepted || !MISTAKES.has(decision.reason ?? '')) return { status: 200, body: decision }
  const explained = await readInWorkspace(services, workspaceId, (ctx) => referenceError(ctx, report, decision))
  return httpFailure(rejectionError(decision, explained))
}

function count(services: Services, decisions: readonly UsageDecision[]): void {
  for (const d of decisions) services.metrics.reports.inc({ outcome: d.replayed ? 'replayed' : d.accepted ? 'accepted' : 'rejected' })
}

const errorResponses = {
  400: { description: 'Malformed body, wrong types, NaN, negative or overflowing quantities, or an ambiguous org name: nothing applied.', schema: schemas.errorBody },
  401: { description: 'No key, or an unknown or revoked one.', schema: schemas.errorBody },
  403: { description: 'A usage:read key.', schema: schemas.errorBody },
  413: { description: 'Body over 1 MiB: nothing applied.', schema: schemas.errorBody },
  429: { description: 'The write queue is full: nothing applied; retry after Retry-After seconds.', schema: schemas.errorBody },
  503: { description: 'The database is unreachable or the server is shutting down: not applied, unless a commit was in flight — retry with the same key.', schema: schemas.errorBody },
}

export function usageRoutes(services: Services): Route[] {
  return [
    {
      method: 'POST',
      path: '/v1/usage',
      scope: 'usage:write',
      doc: {
        summary: 'Report usage: one report, decided now and committed before the answer.',
        description:
          'The body is one `usage import` line: {"org", "product", "delta" | "set", "key"?}. 200 with accepted: true (applied, or replayed: true for a key already accepted) or accepted: false with reason and binding (a billing rule refused it; nothing applied, the rejection is ledgered).',
        body: schemas.usageReport,
        responses: {
          200: { description: 'Decided and committed: accepted, replayed or rejected by a rule.', schema: schemas.decision },
          404: { description: 'Unknown org or product (ledgered as a rejection, nothing applied).', schema: schemas.errorBody },
          409: { description: 'IDEMPOTENCY_CONFLICT: the key was accepted with another payload.', schema: schemas.errorBody },
          ...errorResponses,
        },
      },
      handle: async (request): Promise<RouteAnswer> => {
        const parsed = parseUsageLine(request.body)
        if ('error' in parsed) {
          services.metrics.reports.inc({ outcome: 'invalid' })
          throw invalid(parsed.error)
        }
        const { workspaceId } = callerOf(request)
        const [decision] = await services.writer.submit(workspaceId, [parsed.report])
        count(services, [decision as UsageDecision])
        const { status, body } = await answerOf(services, workspaceId, parsed.report, decision as UsageDecision)
        return { status, json: body }
      },
    },
    {
      method: 'POST',
      path: '/v1/usage/batch',
      scope: 'usage:write',
      doc: {
        summary: `Report up to ${schemas.MAX_BATCH_REPORTS} reports, decided in order as if sent one by one, committed together.`,
        description:
          'The body is a JSON array of report objects. Each result is what POST /v1/usage would have answered for that report: a decision, or an error object (an invalid report fails alone). A body that is not an array of objects, or holds more than 1,000, is a 400 and applies nothing.',
        body: schemas.usageBatch,
        responses: { 200: { description: 'One result per report, in order, all committed.', schema: schemas.batchResult }, ...errorResponses },
      },
      handle: async (request): Promise<RouteAnswer> => {
        const value = parseJson(request.body)
        if (!Array.isArray(value) || value.some((item) => item === null || typeof item !== 'object' || Array.isArray(item)))
          throw invalid('the body must be a JSON array of report objects: [{"org": "…", "product": "…", "delta": 1}, …]')
        if (value.length > schemas.MAX_BATCH_REPORTS)
          throw invalid(`at most ${schemas.MAX_BATCH_REPORTS} reports per batch; this one has ${value.length}: split it`, { reports: value.length, limit: schemas.MAX_BATCH_REPORTS })
        const parsed = value.map((item) => parseUsageReport(item))
        const reports: UsageReportInput[] = []
        for (const result of parsed) if ('report' in result) reports.push(result.report)
        const { workspaceId } = callerOf(request)
        const decisions = reports.length > 0 ? await services.writer.submit(workspaceId, reports) : []
        count(services, decisions)
        const summary = { accepted: 0, rejected: 0, replayed: 0, invalid: 0 }
        let next = 0
        const results: unknown[] = []
        for (const [index, result] of parsed.entries()) {
          if ('error' in result) {
            summary.invalid++
            services.metrics.reports.inc({ outcome: 'invalid' })
            results.push(httpFailure(invalid(result.error, { index })).body)
            continue
          }
          const report = reports[next] as UsageReportInput
          const decision = decisions[next++] as UsageDecision
          if (decision.replayed) summary.replayed++
          else if (decision.accepted) summary.accepted++
          else summary.rejected++
          results.push((await answerOf(services, workspaceId, report, decision)).body)
        }
        return { status: 200, json: { results, ...summary } }
      },
    },
  ]
}
