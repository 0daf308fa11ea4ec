// The apply file (YAML or JSON), validated once at the edge. Every error names
// its path in the file, e.g. organizations[2].limits.users.
import * as z from 'zod/mini'
import { couponDurations, intervals } from '../store/schema/index.js'
import { billingModes } from '../store/schema/workspaces.js'
import { invalid } from '../errors.js'
import { countryCode, email, name, orgName, productKey, regionCode } from '../schemas.js'
import { MAX_LOGO_BYTES } from '../workspaces/logo.js'
import { refuseDuplicates } from './duplicates.js'

const count = z.int({ error: 'expected a non-negative integer' }).check(z.minimum(0, { error: 'expected a non-negative integer' }), z.maximum(Number.MAX_SAFE_INTEGER, { error: 'too large' }))
const positive = z.int({ error: 'expected a positive integer' }).check(z.minimum(1, { error: 'expected a positive integer' }), z.maximum(Number.MAX_SAFE_INTEGER, { error: 'too large' }))
const percent = z.union([z.number(), z.string()], { error: 'expected a percentage such as 19 or 8.875' }).check(
  z.refine((value) => /^\d{1,3}(\.\d{1,3})?$/.test(String(value).trim()) && Number(value) <= 100, { error: 'expected a percentage between 0 and 100 with at most 3 decimals' }),
)
const text = (what: string) => name(what)
const productMap = (values: typeof count) => z.record(productKey, values)

const tier = z.strictObject({
  upTo: z.union([positive, z.literal('inf'), z.null()], { error: 'expected a positive integer or "inf"' }),
  unitAmount: count,
  flatAmount: z.optional(count),
})

const price = z
  .strictObject({
    currency: z.string({ error: 'expected an ISO 4217 currency code' }),
    interval: z.enum(intervals, { error: 'expected month or year' }),
    unitAmount: z.optional(count),
    tiers: z.optional(z.array(tier).check(z.minLength(1, { error: 'give at least one tier' }))),
    tiersMode: z.optional(z.enum(['volume', 'graduated'], { error: 'expected volume or graduated' })),
  })
  .check(z.refine((p) => (p.unitAmount === undefined) !== (p.tiers === undefined), { error: 'give exactly one of unitAmount and tiers' }))

const product = z.strictObject({ key: productKey, name: z.optional(text('name')), prices: z.optional(z.array(price)) })

const coupon = z
  .strictObject({
    code: text('code'),
    name: z.optional(text('name')),
    percentOff: z.optional(percent),
    amountOff: z.optional(positive),
    currency: z.optional(z.string()),
    duration: z.enum(couponDurations, { error: 'expected once, repeating or forever' }),
    invoices: z.optional(positive),
  })
  .check(z.refine((c) => (c.percentOff === undefined) !== (c.amountOff === undefined), { error: 'give exactly one of percentOff and amountOff' }))

export type OrgInput = {
  name: string
  limits?: Record<string, number>
  usage?: Record<string, number>
  children?: OrgInput[]
}

// One organization without its children's contents: a recursive schema would
// recurse once per level and overflow on a deep tree, so readApplyFile walks
// the children with an explicit stack and validates each node with this.
export const organizationNode = z.strictObject({
  name: orgName('name'),
  limits: z.optional(productMap(count)),
  usage: z.optional(productMap(count)),
  children: z.optional(z.array(z.unknown())),
})

const subscription = z.strictObject({
  label: text('label'),
  /** Subscribe again: a new subscription under this label, replacing this ended (canceled or unpaid) one; see docs/apply.md. */
  replaces: z.optional(text('replaces')),
  interval: z.optional(z.enum(intervals, { error: 'expected month or year' })),
  trial: z.optional(z.boolean({ error: 'expected true or false' })),
  items: productMap(count).check(z.refine((items) => Object.values(items).some((q) => q > 0), { error: 'give at least one product with a quantity above 0' })),
})

const credit = z.strictObject({
  amount: z.int({ error: 'expected an integer amount in minor units' }).check(z.refine((n) => n !== 0, { error: 'expected a non-zero amount' })),
  note: text('note'),
})

/**
 * Postal address lines: a list (as `export` writes them), or one string with a
 * line per newline (as older exports wrote them). Each line is one printed line.
 */
const addressLines = (least: number) =>
  z.pipe(
    z.pipe(
      z.union([z.string(), z.array(z.unknown())], { error: 'expected a list of address lines' }),
      z.transform((value) => (typeof value === 'string' ? value.split(/\r?\n/).filter((line) => line.trim() !== '') : value)),
    ),
    z.array(text('address')).check(
      z.minLength(least, { error: 'give at least one address line, or leave address out' }),
      z.maxLength(8, { error: 'at most 8 address lines' }),
    ),
  )

/** A logo: a PNG or JPEG file (relative to the apply file's folder), or the image inline as export writes it (data:image/png;base64,…). */
const logo = z.string({ error: 'expected a file path or a data: URI' }).check(
  z.trim(),
  z.minLength(1, { error: 'logo: must not be empty' }),
  // The largest logo (logo.ts) in base64, with room for the data: prefix.
  z.maxLength(Math.ceil((MAX_LOGO_BYTES * 4) / 3) + 64, { error: 'logo: too long for a logo of at most 512 KiB' }),
)

const account = z.strictObject({
  name: text('name'),
  currency: z.string({ error: 'expected an ISO 4217 currency code' }),
  email: z.optional(email),
  country: z.optional(countryCode),
  region: z.optional(regionCode),
  address: z.optional(addressLines(1)),
  taxId: z.optional(text('tax id')),
  taxRate: z.optional(percent),
  taxExempt: z.optional(z.boolean({ error: 'expected true or false' })),
  organization: z.optional(text('organization')),
  coupon: z.optional(z.nullable(text('coupon'))),
  credits: z.optional(z.array(credit)),
  paymentMethods: z.optional(z.array(z.string({ error: 'expected a PaymentMethod id or test token' })).check(z.maxLength(5, { error: 'at most 5 payment methods' }))),
  subscriptions: z.optional(z.array(subscription).check(z.maxLength(3, { error: 'at most 3 subscriptions per account' }))),
})

/** Who issues the workspace's invoices (`workspace seller set`): the file states it whole. */
const seller = z.strictObject({
  legalName: text('legalName'),
  address: z.optional(addressLines(0)),
  country: z.optional(countryCode),
  taxId: z.optional(text('taxId')),
  email: z.optional(email),
  logo: z.optional(logo),
  footer: z.optional(text('footer')),
  termsDays: z.optional(count.check(z.maximum(365, { error: 'at most 365 days' }))),
})

/** A row of the workspace's tax-rate table (`tax rate set`). */
const taxRateRow = z.strictObject({ country: countryCode, region: z.optional(regionCode), rate: percent, name: z.optional(text('name')) })

/** A threshold as `alert set --at` takes it: a whole percent from 1 to 1000, 80 or "80%". */
const threshold = z.union([z.number(), z.string()], { error: 'expected a whole percent from 1 to 1000, e.g. 80%' }).check(
  z.refine((value) => /^\d{1,4}%?$/.test(String(value).trim()) && Number(String(value).trim().replace(/%$/, '')) >= 1 && Number(String(value).trim().replace(/%$/, '')) <= 1000, {
    error: 'expected a whole percent from 1 to 1000, e.g. 80%',
  }),
)

/** Usage alerts of one pool's or org's product, stated whole (`alert set`): thresholds left out are removed. */
const alert = z
  .strictObject({
    pool: z.optional(text('pool')),
    org: z.optional(text('org')),
    product: productKey,
    at: z.array(threshold, { error: 'expected a list of thresholds, e.g. [80%, 100%]' }),
  })
  .check(z.refine((a) => (a.pool === undefined) !== (a.org === undefined), { error: 'give exactly one of pool and org' }))

export const applyFile = z.strictObject({
  version: z.optional(z.literal(1, { error: 'expected version 1' })),
  workspace: z.strictObject({
    name: text('name'),
    mode: z.enum(billingModes, { error: 'expected single, assigned or pooled' }),
    testClock: z.optional(z.boolean({ error: 'expected true or false' })),
    clockStart: z.optional(z.string({ error: 'expected an ISO 8601 time' })),
    seller: z.optional(seller),
  }),
  taxRates: z.optional(z.array(taxRateRow)),
  products: z.optional(z.array(product)),
  coupons: z.optional(z.array(coupon)),
  // Validated node by node by parseApplyFile, below.
  organizations: z.optional(z.array(z.unknown())),
  accounts: z.optional(z.array(account)),
  alerts: z.optional(z.array(alert)),
})

export type ApplyFile = Omit<z.output<typeof applyFile>, 'organizations'> & { organizations?: OrgInput[] }
export type AccountInput = NonNullable<ApplyFile['accounts']>[number]
export type AlertInput = NonNullable<ApplyFile['alerts']>[number]
export type SubscriptionInput = NonNullable<AccountInput['subscriptions']>[number]

/** At most this many problems are listed; a broken generated file could have one per org. */
const MAX_PROBLEMS = 20

type Problems = string[]

function check<T extends z.ZodMiniType>(schema: T, value: unknown, where: () => string, problems: Problems): z.output<T> | undefined {
  const result = z.safeParse(schema, value)
  if (result.success) return result.data
  const at = where()
  for (const issue of result.error.issues) {
    const path = (at + issue.path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)).join('')).replace(/^\./, '')
    problems.push(path && !issue.message.startsWith(path) ? `${path}: ${issue.message}` : issue.message)
  }
  return undefined
}

/** Where an org sits in the file: its index among its siblings, and its parent's place. */
export type Place = { parent: Place | undefined; index: number }

/** organizations[0].children[3]…: built only when a node has a problem, as it grows with depth. */
export function placeName(place: Place): string {
  const parts: string[] = []
  for (let at: Place | undefined = place; at; at = at.parent) parts.push(at.parent ? `children[${at.index}]` : `organizations[${at.index}]`)
  return parts.reverse().join('.')
}

/**
 * Validates an apply file, the organization tree node by node with an explicit
 * stack (any depth), and throws INVALID_INPUT naming every problem's place.
 */
export function parseApplyFile(value: unknown): ApplyFile {
  const problems: Problems = []
  const top = check(applyFile, value, () => '', problems)
  const organizations: OrgInput[] = []
  const stack: { value: unknown; place: Place; into: OrgInput[] }[] = []
  // Children are pushed in reverse and placed by index, so the output keeps the file's order.
  const raw = (value as { organizations?: unknown } | null)?.organizations
  const roots = Array.isArray(raw) ? raw : []
  for (let i = roots.length - 1; i >= 0; i--) stack.push({ value: roots[i], place: { parent: undefined, index: i }, into: organizations })
  for (let next = stack.pop(); next && problems.length < MAX_PROBLEMS; next = stack.pop()) {
    const node = check(organizationNode, next.value, () => placeName(next.place), problems)
    if (!node) continue
    const { children, ...fields } = node
    const org: OrgInput = fields
    next.into[next.place.index] = org
    if (!children?.length) continue
    org.children = []
    for (let i = children.length - 1; i >= 0; i--) stack.push({ value: children[i], place: { parent: next.place, index: i }, into: org.children })
  }
  if (top) refuseDuplicates({ ...top, organizations }, problems)
  if (problems.length) {
    const shown = problems.slice(0, MAX_PROBLEMS)
    const more = stack.length || problems.length > MAX_PROBLEMS ? ['… and possibly more; fix these first'] : []
    throw invalid([...shown, ...more].join('; '), { problems: shown })
  }
  return { ...(top as ApplyFile), ...(top?.organizations ? { organizations } : {}) }
}
