import { requiredArg } from '../../cli/args.js'
import { WorkspaceCommand } from '../../cli/base-command.js'
import { type OrgDetail, showOrg } from '../../core/orgs/list.js'
import { renderOrg } from '../../render/orgs.js'

export default class OrgShow extends WorkspaceCommand<OrgDetail> {
  static override fitsTerminal = true
  static override readOnly = true
  static override summary = 'Show one organization.'
  static override examples = ['<%= config.bin %> org show "USA Operations/Sales Team"', '<%= config.bin %> org show org_1a2b3c --json']
  static override args = { org: requiredArg('Organization id, name or path.') }

  async run(): Promise<OrgDetail> {
    const { args, flags } = await this.parse(OrgShow)
    return await showOrg(await this.context(flags), args.org)
  }

  protected render(org: OrgDetail): string {
    return renderOrg(org)
  }
}
