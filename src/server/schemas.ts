// The API's contract (R-API-3): the schemas that validate requests — a usage
// report is the very schema `usage record` and `usage import` parse with — and
// the shapes of the answers, from which the OpenAPI document is generated
// (openapi.ts) and against which the route tests check every response.
import * as z from 'zod/mini'
import { BUCKETS } from '../core/usage/history.js'
import { usageLine } from '../core/usage/line.js'

/** Most reports in one POST /v1/usage/batch. */
export const MAX_BATCH_REPORTS = 1_000

export const usageReport = usageLine
export const usageBatch = z.array(usageLine).check(z.maxLength(MAX_BATCH_REPORTS))

const text = (what: string) => z.string({ error: `${what}: expected text` }).check(z.minLength(1, { error: `${what}: must not be empty` }))
/** 1 to 999,999,999,999,999: a whole number above 0 that a double holds exactly. */
const whole = /^0*[1-9]\d{0,14}$/

/** Query parameters arrive as text; numbers and flags are checked here and read by the route. Unknown ones are refused. */
const query = <S extends z.core.$ZodLooseShape>(shape: S) =>
  z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown parameter ${issue.keys.map((k) => `"${k}"`).join(', ')}` : undefined),
  })

export const noQuery = query({})
export const checkQuery = query({
  org: text('org'),
  product: text('product'),
  quantity: z.optional(z.string().check(z.regex(whole, { error: 'quantity: expected a positive whole number' }))),
})
export const orgsQuery = query({ org: z.optional(text('org')) })
export const historyQuery = query({
  product: text('product'),
  pool: z.optional(text('pool')),
  org: z.optional(text('org')),
  subtree: z.optional(z.enum(['true', 'false'], { error: 'subtree: expected true or false' })),
  from: z.optional(text('from')),
  to: z.optional(text('to')),
  bucket: z.optional(z.enum(BUCKETS, { error: `bucket: expected one of ${BUCKETS.join(', ')}` })),
})

// Answers.
const int = z.int()
const nullableInt = z.nullable(z.int())
export const binding = z.union([
  z.strictObject({ kind: z.literal('pool'), poolId: z.string() }),
  z.strictObject({ kind: z.literal('limit'), orgId: z.string(), limit: int }),
])
export const decision = z.strictObject({
  accepted: z.boolean(),
  replayed: z.boolean(),
  reportId: z.string(),
  orgId: z.string(),
  product: z.string(),
  kind: z.enum(['delta', 'set']),
  requested: int,
  delta: int,
  level: int,
  headroom: nullableInt,
  reason: z.nullable(z.string()),
  message: z.nullable(z.string()),
  binding: z.nullable(binding),
  key: z.nullable(z.string()),
  at: z.string(),
})
export const errorBody = z.strictObject({
  error: z.strictObject({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()) }),
})
export const batchResult = z.strictObject({
  results: z.array(z.union([decision, errorBody])),
  accepted: int,
  rejected: int,
  replayed: int,
  invalid: int,
})
export const check = z.strictObject({
  accepted: z.boolean(),
  orgId: z.string(),
  product: z.string(),
  quantity: int,
  level: int,
  headroom: nullableInt,
  reason: z.nullable(z.string()),
  message: z.nullable(z.string()),
  binding: z.nullable(binding),
})
// The report views are `usage report` / `usage history --json` as they are; fields may be added.
export const pools = z.looseObject({
  pools: z.array(
    z.looseObject({
      id: z.string(),
      name: z.string(),
      kind: z.enum(['workspace', 'account']),
      accountIds: z.array(z.string()),
      products: z.array(z.looseObject({ product: z.string(), capacity: int, used: int, available: int })),
      idleAccounts: z.array(z.object({ accountId: z.string(), accountName: z.string() })),
    }),
  ),
})
export const orgs = z.looseObject({
  orgs: z.array(
    z.looseObject({
      id: z.string(),
      name: z.string(),
      parentId: z.nullable(z.string()),
      path: z.string(),
      products: z.array(z.looseObject({ product: z.string(), used: int, subtreeUsed: int, limit: nullableInt, headroom: nullableInt, binding: z.looseObject({ kind: z.string() }) })),
    }),
  ),
})
export const history = z.looseObject({
  scope: z.looseObject({ kind: z.enum(['pool', 'org']), id: z.string(), name: z.string(), subtree: z.boolean() }),
  product: z.string(),
  bucket: z.enum(BUCKETS),
  from: z.string(),
  to: z.string(),
  buckets: z.array(z.looseObject({ start: z.string(), end: z.string(), level: int, peak: int, accepted: int })),
})
export const health = z.strictObject({ ok: z.boolean() })
export const ready = z.strictObject({ ok: z.boolean(), engine: z.enum(['sqlite', 'postgres']), schema: z.optional(z.string()), problem: z.optional(z.string()) })
export const webhookResult = z.strictObject({ received: z.literal(true), eventId: z.string(), type: z.string(), applied: z.boolean() })
