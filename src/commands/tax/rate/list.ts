import { WorkspaceCommand } from '../../../cli/base-command.js'
import { listTaxRates, type TaxRateView } from '../../../core/invoices/tax-rates.js'
import { renderTaxRates } from '../../../render/invoices.js'

type Result = { taxRates: TaxRateView[] }

export default class TaxRateList extends WorkspaceCommand<Result> {
  static override readOnly = true
  static override summary = 'List the workspace’s tax rates by jurisdiction.'
  static override examples = ['<%= config.bin %> tax rate list --json']

  async run(): Promise<Result> {
    const { flags } = await this.parse(TaxRateList)
    return await listTaxRates(await this.context(flags))
  }

  protected render(result: Result): string {
    return renderTaxRates(result)
  }
}
