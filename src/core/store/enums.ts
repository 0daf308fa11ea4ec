// The value sets of the schema, apart from the table definitions, so code that
// only needs them does not load drizzle and every table at start-up.
export const billingModes = ['single', 'assigned', 'pooled'] as const
export type BillingMode = (typeof billingModes)[number]

export const intervals = ['month', 'year'] as const
export type Interval = (typeof intervals)[number]

export const pricingSchemes = ['per_unit', 'volume', 'graduated'] as const
export type PricingScheme = (typeof pricingSchemes)[number]

export const subscriptionStatuses = ['trialing', 'active', 'past_due', 'unpaid', 'canceled'] as const
export type SubscriptionStatus = (typeof subscriptionStatuses)[number]
/** Statuses whose quantities feed a pool (R-SUB-2) and count toward R-BA-5. */
export const contributingStatuses: readonly SubscriptionStatus[] = ['trialing', 'active', 'past_due']

export const invoiceStatuses = ['open', 'paid', 'uncollectible', 'void'] as const
export type InvoiceStatus = (typeof invoiceStatuses)[number]

export const couponDurations = ['once', 'repeating', 'forever'] as const
export type CouponDuration = (typeof couponDurations)[number]

export const usageOutcomes = ['accepted', 'rejected', 'replayed'] as const
export type UsageOutcome = (typeof usageOutcomes)[number]
