// The apply file (YAML or JSON), validated once at the edge. Every error names
// its path in the file, e.g. organizations[2].limits.users.
import * as z from 'zod/mini'
import { couponDurations, intervals } from '../store/schema/index.js'
import { billingModes } from '../store/schema/workspaces.js'
import { countryCode, email, name, orgName, productKey } from '../schemas.js'

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

const organization: z.ZodMiniType<OrgInput> = z.strictObject({
  name: orgName('name'),
  limits: z.optional(productMap(count)),
  usage: z.optional(productMap(count)),
  get children() {
    return z.optional(z.array(organization))
  },
})

const subscription = z.strictObject({
  label: text('label'),
  interval: z.optional(z.enum(intervals, { error: 'expected month or year' })),
  trial: z.optional(z.boolean({ error: 'expected true or false' })),
  items: productMap(count).check(z.refine((items) => Object.values(items).some((q) => q > 0), { error: 'give at least one product with a quantity above 0' })),
})

const credit = z.strictObject({
  amount: z.int({ error: 'expected an integer amount in minor units' }).check(z.refine((n) => n !== 0, { error: 'expected a non-zero amount' })),
  note: text('note'),
})

const account = z.strictObject({
  name: text('name'),
  currency: z.string({ error: 'expected an ISO 4217 currency code' }),
  email: z.optional(email),
  country: z.optional(countryCode),
  address: z.optional(text('address')),
  taxId: z.optional(text('tax id')),
  taxRate: z.optional(percent),
  organization: z.optional(text('organization')),
  coupon: z.optional(z.nullable(text('coupon'))),
  credits: z.optional(z.array(credit)),
  paymentMethods: z.optional(z.array(z.string({ error: 'expected a PaymentMethod id or test token' })).check(z.maxLength(5, { error: 'at most 5 payment methods' }))),
  subscriptions: z.optional(z.array(subscription).check(z.maxLength(3, { error: 'at most 3 subscriptions per account' }))),
})

export const applyFile = z.strictObject({
  version: z.optional(z.literal(1, { error: 'expected version 1' })),
  workspace: z.strictObject({
    name: text('name'),
    mode: z.enum(billingModes, { error: 'expected single, assigned or pooled' }),
    testClock: z.optional(z.boolean({ error: 'expected true or false' })),
    clockStart: z.optional(z.string({ error: 'expected an ISO 8601 time' })),
  }),
  products: z.optional(z.array(product)),
  coupons: z.optional(z.array(coupon)),
  organizations: z.optional(z.array(organization)),
  accounts: z.optional(z.array(account)),
})

export type ApplyFile = z.output<typeof applyFile>
export type AccountInput = NonNullable<ApplyFile['accounts']>[number]
export type SubscriptionInput = NonNullable<AccountInput['subscriptions']>[number]
