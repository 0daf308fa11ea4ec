import { Flags } from '@oclif/core'
import { requiredArg } from '../../cli/args.js'
import { WorkspaceCommand } from '../../cli/base-command.js'
import { type DeleteOrgResult, deleteOrg } from '../../core/orgs/delete.js'

export default class OrgDelete extends WorkspaceCommand<DeleteOrgResult> {
  static override summary = 'Delete an organization (refused while its subtree has usage).'
  static override examples = ['<%= config.bin %> org delete "Brazil Operations/São Paulo"', '<%= config.bin %> org delete "Brazil Operations/São Paulo" --recursive']
  static override args = { org: requiredArg('Organization id, name or path.') }
  static override flags = { recursive: Flags.boolean({ summary: 'Also delete every descendant organization.' }) }

  async run(): Promise<DeleteOrgResult> {
    const { args, flags } = await this.parse(OrgDelete)
    return await deleteOrg(await this.context(flags), { ref: args.org, recursive: flags.recursive })
  }

  protected render(result: DeleteOrgResult): string {
    return result.deleted.map((org) => `Deleted organization ${org.path} (${org.id})`).join('\n')
  }
}
