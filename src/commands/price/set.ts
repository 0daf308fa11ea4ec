import { Flags } from '@oclif/core'
import { requiredArg } from '../../cli/args.js'
import { WorkspaceCommand } from '../../cli/base-command.js'
import { intervalFlag } from '../../cli/flags.js'
import { type PriceView, setPrice } from '../../core/catalog/prices.js'
import { minorUnits, parseTiers, productKey } from '../../core/schemas.js'
import type { Interval } from '../../core/store/schema/index.js'
import { renderPrices } from '../../render/catalog.js'

export default class PriceSet extends WorkspaceCommand<PriceView> {
  static override summary = 'Set the price of a product in a currency and interval.'
  static override description = `Amounts are integers in the currency's minor unit (1000 = 10.00 USD; JPY has none).
A new price replaces the active one for new subscriptions and added products;
existing items keep the price they were sold at.
Tiers follow Stripe: "volume" charges every unit at the rate of the tier the total falls in,
"graduated" charges each unit at the rate of its own tier. Each tier is UPTO:UNIT[+FLAT].`
  static override examples = [
    '<%= config.bin %> price set users --currency USD --interval month --unit-amount 1000',
    '<%= config.bin %> price set users --currency JPY --interval year --unit-amount 15000',
    '<%= config.bin %> price set sso_connections --currency EUR --interval month --tiers 1:9000,5:6800,inf:4500 --tiers-mode graduated',
  ]
  static override args = { product: requiredArg('Product key.') }
  static override flags = {
    currency: Flags.string({ summary: 'ISO 4217 currency code.', required: true }),
    interval: intervalFlag('Billing interval.', true),
    'unit-amount': Flags.string({ summary: 'Flat price per unit, in minor units.', exactlyOne: ['unit-amount', 'tiers'], helpValue: 'N' }),
    tiers: Flags.string({ summary: 'Tiers UPTO:UNIT[+FLAT],…,inf:UNIT[+FLAT], in minor units.', helpValue: 'TIERS' }),
    'tiers-mode': Flags.string({ summary: 'How tiers apply. Default: graduated.', options: ['volume', 'graduated'] }),
  }

  async run(): Promise<PriceView> {
    const { args, flags } = await this.parse(PriceSet)
    const tiered = flags.tiers !== undefined
    return await setPrice(await this.context(flags), {
      product: this.input(productKey, args.product),
      currency: flags.currency,
      interval: flags.interval as Interval,
      scheme: tiered ? ((flags['tiers-mode'] as 'volume' | 'graduated' | undefined) ?? 'graduated') : 'per_unit',
      unitAmount: tiered ? undefined : this.input(minorUnits('--unit-amount'), flags['unit-amount']),
      tiers: tiered ? parseTiers(flags.tiers ?? '') : undefined,
    })
  }

  protected render(price: PriceView): string {
    return `Price set.\n${renderPrices({ prices: [price] })}`
  }
}
