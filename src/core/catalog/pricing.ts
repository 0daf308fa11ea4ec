// What a quantity costs for one period under a price (R-PR-1): flat per unit,
// or tiered with Stripe's meanings. volume: every unit at the rate of the tier
// the total falls in (plus that tier's flat fee); graduated: each unit at the
// rate of the tier it falls in (plus the flat fee of every tier reached).
import { checkedAmount } from '../money.js'
import type { PriceRow, Tier } from '../store/schema/index.js'

type Pricing = Pick<PriceRow, 'scheme' | 'unitAmount' | 'tiers'>

export function periodAmount(price: Pricing, quantity: number): number {
  return checkedAmount(uncheckedPeriodAmount(price, quantity), `${quantity} units at this price`)
}

function uncheckedPeriodAmount(price: Pricing, quantity: number): number {
  if (quantity <= 0) return 0
  if (price.scheme === 'per_unit') return (price.unitAmount ?? 0) * quantity
  const tiers = price.tiers ?? []
  if (price.scheme === 'volume') {
    const tier = tiers.find((t) => t.upTo === null || quantity <= t.upTo) as Tier
    return tier.unitAmount * quantity + tier.flatAmount
  }
  let total = 0
  let below = 0
  for (const tier of tiers) {
    const top = tier.upTo === null ? quantity : Math.min(quantity, tier.upTo)
    if (top <= below) break
    total += (top - below) * tier.unitAmount + tier.flatAmount
    below = top
  }
  return total
}

/** The per-unit rate shown on an invoice line: the unit amount, or null when tiered. */
export const displayUnitAmount = (price: Pricing): number | null => (price.scheme === 'per_unit' ? price.unitAmount : null)
