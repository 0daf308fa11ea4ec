import { Flags } from '@oclif/core'
import { WorkspaceCommand } from '../../cli/base-command.js'
import { listPrices, type PriceView } from '../../core/catalog/prices.js'
import { renderPrices } from '../../render/catalog.js'

type Result = { prices: PriceView[] }

export default class PriceList extends WorkspaceCommand<Result> {
  static override summary = 'List prices.'
  static override examples = ['<%= config.bin %> price list --currency JPY', '<%= config.bin %> price list --product users --all --json']
  static override flags = {
    product: Flags.string({ summary: 'Only this product.' }),
    currency: Flags.string({ summary: 'Only this currency.' }),
    all: Flags.boolean({ summary: 'Include replaced prices.' }),
  }

  async run(): Promise<Result> {
    const { flags } = await this.parse(PriceList)
    return listPrices(await this.context(flags), { product: flags.product, currency: flags.currency, all: flags.all })
  }

  protected render(result: Result): string {
    return renderPrices(result)
  }
}
