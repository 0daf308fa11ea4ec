import { Flags } from '@oclif/core'
import { WorkspaceCommand } from '../../cli/base-command.js'
import { listPrices, type PriceView } from '../../core/catalog/prices.js'
import { requireProduct } from '../../core/catalog/products.js'
import { currency } from '../../core/currency.js'
import { renderPrices } from '../../render/catalog.js'

type Result = { prices: PriceView[] }

export default class PriceList extends WorkspaceCommand<Result> {
  static override fitsTerminal = true
  static override summary = 'List prices.'
  static override examples = ['<%= config.bin %> price list --currency JPY', '<%= config.bin %> price list --product users --all --json']
  static override flags = {
    product: Flags.string({ summary: 'Only this product.' }),
    currency: Flags.string({ summary: 'Only this currency.' }),
    all: Flags.boolean({ summary: 'Include replaced prices.' }),
  }

  async run(): Promise<Result> {
    const { flags } = await this.parse(PriceList)
    const ctx = await this.context(flags)
    // A filter naming nothing that exists is a mistake to report, not an empty list.
    if (flags.product !== undefined) await requireProduct(ctx.db, ctx.workspace.id, flags.product)
    if (flags.currency !== undefined) currency(flags.currency)
    return await listPrices(ctx, { product: flags.product, currency: flags.currency, all: flags.all })
  }

  protected render(result: Result): string {
    return renderPrices(result)
  }
}
