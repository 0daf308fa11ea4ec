import { Flags } from '@oclif/core'
import { requiredArg } from '../../cli/args.js'
import { WorkspaceCommand } from '../../cli/base-command.js'
import { createProduct, type ProductView } from '../../core/catalog/products.js'
import { name, productKey } from '../../core/schemas.js'
import { renderProducts } from '../../render/catalog.js'

export default class ProductCreate extends WorkspaceCommand<ProductView> {
  static override summary = 'Add a meterable product to the catalog.'
  static override description = 'Give it prices with "wsb price set" before subscribing to it.'
  static override examples = ['<%= config.bin %> product create api_keys --name "API keys"']
  static override args = { key: requiredArg('Product key: lower-case letters, digits and _.') }
  static override flags = { name: Flags.string({ summary: 'Display name. Default: the key.' }) }

  async run(): Promise<ProductView> {
    const { args, flags } = await this.parse(ProductCreate)
    return await createProduct(await this.context(flags), {
      key: this.input(productKey, args.key),
      name: flags.name === undefined ? undefined : this.input(name('product name'), flags.name),
    })
  }

  protected render(product: ProductView): string {
    return `Created product.\n${renderProducts({ products: [product] })}`
  }
}
