import { WorkspaceCommand } from '../../cli/base-command.js'
import { listOrgs } from '../../core/orgs/list.js'
import type { OrgView } from '../../core/orgs/view.js'
import { renderOrgTree } from '../../render/orgs.js'

type Result = { orgs: OrgView[] }

export default class OrgList extends WorkspaceCommand<Result> {
  static override fitsTerminal = true
  static override readOnly = true
  static override summary = 'Show the organization tree with its limits.'
  static override description = 'JSON lists organizations depth-first; parentId rebuilds the tree.'
  static override examples = ['<%= config.bin %> org list', '<%= config.bin %> org list --json | jq ".orgs[].name"']

  async run(): Promise<Result> {
    const { flags } = await this.parse(OrgList)
    return await listOrgs(await this.context(flags))
  }

  protected render(result: Result): string {
    return renderOrgTree(result)
  }
}
