import { Flags } from '@oclif/core'
import { WorkspaceCommand } from '../../../cli/base-command.js'
import { setTaxRate, type TaxRateView } from '../../../core/invoices/tax-rates.js'
import { countryCode, name, parseInput, regionCode, taxRate } from '../../../core/schemas.js'
import { renderTaxRates } from '../../../render/invoices.js'

export default class TaxRateSet extends WorkspaceCommand<TaxRateView> {
  static override summary = 'Set the tax rate of a country, or of a region of it, in the workspace’s table.'
  static override description = 'Chosen at issue by the account’s billing country and region (a region’s rate before its country’s). An account’s own --tax-rate overrides it; --tax-exempt accounts pay none; EU business buyers in another EU country with a tax id are reverse-charged.'
  static override examples = ['<%= config.bin %> tax rate set --country DE --rate 19 --name VAT', '<%= config.bin %> tax rate set --country US --region NY --rate 8.875 --name "Sales tax"']
  static override flags = {
    country: Flags.string({ summary: 'ISO 3166-1 alpha-2 country code.', required: true }),
    region: Flags.string({ summary: 'Region (ISO 3166-2 suffix: NY for US-NY).' }),
    rate: Flags.string({ summary: 'Percent, up to 3 decimals.', required: true, helpValue: 'PCT' }),
    name: Flags.string({ summary: 'The tax’s name on invoices (VAT, GST, Sales tax).', default: 'Tax' }),
  }

  async run(): Promise<TaxRateView> {
    const { flags } = await this.parse(TaxRateSet)
    return await setTaxRate(await this.context(flags), {
      country: parseInput(countryCode, flags.country),
      region: flags.region === undefined ? undefined : parseInput(regionCode, flags.region),
      rateMilli: parseInput(taxRate, flags.rate),
      name: parseInput(name('--name'), flags.name),
    })
  }

  protected render(rate: TaxRateView): string {
    return `Set tax rate.\n${renderTaxRates({ taxRates: [rate] })}`
  }
}
