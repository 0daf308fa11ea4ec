import type { PriceView } from '../core/catalog/prices.js'
import type { ProductView } from '../core/catalog/products.js'
import { formatMoney } from './money.js'
import { table } from './table.js'

export function priceText(price: PriceView): string {
  if (price.unitAmount) return `${formatMoney(price.unitAmount)} per unit`
  const tiers = (price.tiers ?? [])
    .map((tier) => `${tier.upTo === null ? '∞' : `≤${tier.upTo}`}: ${formatMoney(tier.unitAmount)}${tier.flatAmount.amount ? ` + ${formatMoney(tier.flatAmount)}` : ''}`)
    .join('; ')
  return `${price.scheme}: ${tiers}`
}

export function renderPrices({ prices }: { prices: PriceView[] }): string {
  if (prices.length === 0) return 'No prices.'
  return table(
    ['product', 'currency', 'interval', 'price', 'id'],
    prices.map((p) => [p.product, p.currency, p.interval, `${priceText(p)}${p.active ? '' : ' (replaced)'}`, p.id]),
    // What price set takes (product, currency, interval) stays whole; no command takes the price's id.
    { keep: [0, 1, 2], drop: [4] },
  )
}

export function renderProducts({ products }: { products: ProductView[] }): string {
  return table(
    ['product', 'name', 'prices'],
    products.map((p) => [p.key, p.name, p.prices.map((price) => `${price.currency}/${price.interval}`).join(' ') || '—']),
    { keep: [0] },
  )
}
