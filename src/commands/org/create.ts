import { Flags } from '@oclif/core'
import { requiredArg } from '../../cli/args.js'
import { WorkspaceCommand } from '../../cli/base-command.js'
import { createOrg } from '../../core/orgs/create.js'
import type { OrgView } from '../../core/orgs/view.js'
import { orgName } from '../../core/schemas.js'
import { renderOrg } from '../../render/orgs.js'

export default class OrgCreate extends WorkspaceCommand<OrgView> {
  static override summary = 'Create an organization, top-level or under a parent.'
  static override examples = [
    '<%= config.bin %> org create "Canada Operations"',
    '<%= config.bin %> org create "Support Team" --parent "USA Operations"',
    '<%= config.bin %> org create "Field Sales" --parent "USA Operations/Sales Team" --json',
  ]
  static override args = { name: requiredArg('Organization name (unique among its siblings).') }
  static override flags = {
    parent: Flags.string({ summary: 'Parent organization: id, name or path "A/B".' }),
  }

  async run(): Promise<OrgView> {
    const { args, flags } = await this.parse(OrgCreate)
    return await createOrg(await this.context(flags), { name: this.input(orgName(), args.name), parent: flags.parent })
  }

  protected render(org: OrgView): string {
    return `Created organization.\n${renderOrg(org)}`
  }
}
