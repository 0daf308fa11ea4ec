import { Flags } from '@oclif/core'
import { requiredArg } from '../../../cli/args.js'
import { WorkspaceCommand } from '../../../cli/base-command.js'
import { setLimits } from '../../../core/orgs/limits.js'
import type { OrgView } from '../../../core/orgs/view.js'
import { productQuantities } from '../../../core/schemas.js'
import { renderOrg } from '../../../render/orgs.js'

export default class OrgLimitSet extends WorkspaceCommand<OrgView> {
  static override summary = "Cap an organization subtree's usage per product."
  static override description = `A limit on an organization caps the usage of it and all its descendants together.
The most restrictive bound always wins: the pool, this limit, or any ancestor's limit.
A limit below the subtree's current usage is refused (BELOW_USAGE) unless --force.`
  static override examples = [
    '<%= config.bin %> org limit set "USA Operations" users=80 locations=30',
    '<%= config.bin %> org limit set "USA Operations/Sales Team" users=22 --json',
  ]
  static override strict = false
  static override args = {
    org: requiredArg('Organization id, name or path.'),
    limits: requiredArg('PRODUCT=N pairs, one or more.'),
  }
  static override flags = { force: Flags.boolean({ summary: 'Allow a limit below current usage.' }) }

  async run(): Promise<OrgView> {
    const { args, argv, flags } = await this.parse(OrgLimitSet)
    const pairs = (argv as string[]).slice(1)
    return await setLimits(await this.context(flags), { ref: args.org, limits: productQuantities(pairs, 'limit'), force: flags.force })
  }

  protected render(org: OrgView): string {
    return `Limits set.\n${renderOrg(org)}`
  }
}
