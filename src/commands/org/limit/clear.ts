import { requiredArg } from '../../../cli/args.js'
import { WorkspaceCommand } from '../../../cli/base-command.js'
import { clearLimits } from '../../../core/orgs/limits.js'
import type { OrgView } from '../../../core/orgs/view.js'
import { productKey } from '../../../core/schemas.js'
import { renderOrg } from '../../../render/orgs.js'

export default class OrgLimitClear extends WorkspaceCommand<OrgView> {
  static override summary = "Remove an organization's limit on one or more products."
  static override examples = ['<%= config.bin %> org limit clear "USA Operations" users locations']
  static override strict = false
  static override args = {
    org: requiredArg('Organization id, name or path.'),
    products: requiredArg('Product keys, one or more.'),
  }

  async run(): Promise<OrgView> {
    const { args, argv, flags } = await this.parse(OrgLimitClear)
    const products = (argv as string[]).slice(1).map((key) => this.input(productKey, key))
    return await clearLimits(await this.context(flags), { ref: args.org, products })
  }

  protected render(org: OrgView): string {
    return `Limits cleared.\n${renderOrg(org)}`
  }
}
