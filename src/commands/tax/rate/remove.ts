import { Flags } from '@oclif/core'
import { WorkspaceCommand } from '../../../cli/base-command.js'
import { removeTaxRate, type TaxRateView } from '../../../core/invoices/tax-rates.js'
import { countryCode, parseInput, regionCode } from '../../../core/schemas.js'

export default class TaxRateRemove extends WorkspaceCommand<TaxRateView> {
  static override summary = 'Remove a tax rate from the workspace’s table (issued invoices keep theirs).'
  static override examples = ['<%= config.bin %> tax rate remove --country DE --workspace "Global Corp"']
  static override flags = {
    country: Flags.string({ summary: 'ISO 3166-1 alpha-2 country code.', required: true }),
    region: Flags.string({ summary: 'Region (ISO 3166-2 suffix).' }),
  }

  async run(): Promise<TaxRateView> {
    const { flags } = await this.parse(TaxRateRemove)
    return await removeTaxRate(await this.context(flags), {
      country: parseInput(countryCode, flags.country),
      region: flags.region === undefined ? undefined : parseInput(regionCode, flags.region),
    })
  }

  protected render(rate: TaxRateView): string {
    return `Removed the ${rate.jurisdiction} tax rate.`
  }
}
