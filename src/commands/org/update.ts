import { Flags } from '@oclif/core'
import { requiredArg } from '../../cli/args.js'
import { WorkspaceCommand } from '../../cli/base-command.js'
import { updateOrg } from '../../core/orgs/update.js'
import type { OrgView } from '../../core/orgs/view.js'
import { orgName } from '../../core/schemas.js'
import { renderOrg } from '../../render/orgs.js'

export default class OrgUpdate extends WorkspaceCommand<OrgView> {
  static override summary = 'Rename an organization or move it under another parent.'
  static override description = 'Moving an organization under itself or one of its descendants is refused (ORG_CYCLE).'
  static override examples = [
    '<%= config.bin %> org update "Marketing" --name "Growth"',
    '<%= config.bin %> org update "Brazil Operations/São Paulo" --parent "USA Operations"',
    '<%= config.bin %> org update "Brazil Operations/São Paulo" --top-level',
  ]
  static override args = { org: requiredArg('Organization id, name or path.') }
  static override flags = {
    name: Flags.string({ summary: 'New name.' }),
    parent: Flags.string({ summary: 'New parent: id, name or path.', exclusive: ['top-level'] }),
    'top-level': Flags.boolean({ summary: 'Make it a top-level organization.' }),
  }

  async run(): Promise<OrgView> {
    const { args, flags } = await this.parse(OrgUpdate)
    return await updateOrg(await this.context(flags), {
      ref: args.org,
      name: flags.name === undefined ? undefined : this.input(orgName(), flags.name),
      parent: flags['top-level'] ? null : flags.parent,
    })
  }

  protected render(org: OrgView): string {
    return `Updated organization.\n${renderOrg(org)}`
  }
}
