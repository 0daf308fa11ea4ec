import { WorkspaceCommand } from '../../cli/base-command.js'
import { listProducts, type ProductView } from '../../core/catalog/products.js'
import { renderProducts } from '../../render/catalog.js'

type Result = { products: ProductView[] }

export default class ProductList extends WorkspaceCommand<Result> {
  static override fitsTerminal = true
  static override summary = 'List the products of the catalog with their active prices.'
  static override examples = ['<%= config.bin %> product list', '<%= config.bin %> product list --json']

  async run(): Promise<Result> {
    const { flags } = await this.parse(ProductList)
    return await listProducts(await this.context(flags))
  }

  protected render(result: Result): string {
    return renderProducts(result)
  }
}
