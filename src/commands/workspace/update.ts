import { Flags } from '@oclif/core'
import { requiredArg } from '../../cli/args.js'
import { WorkspaceCommand } from '../../cli/base-command.js'
import { name } from '../../core/schemas.js'
import { updateWorkspace } from '../../core/workspaces/update.js'
import type { WorkspaceView } from '../../core/workspaces/view.js'
import { renderWorkspace } from '../../render/workspaces.js'

export default class WorkspaceUpdate extends WorkspaceCommand<WorkspaceView> {
  static override summary = 'Rename a workspace. Its billing mode is permanent.'
  static override description = 'Any --mode is refused with MODE_IMMUTABLE (exit 4): the billing mode is chosen once, at creation.'
  static override examples = ['<%= config.bin %> workspace update ws_1a2b3c --name "Acme Software GmbH"']
  static override args = { workspace: requiredArg('Workspace id or name.') }
  static override flags = {
    name: Flags.string({ summary: 'New name.' }),
    mode: Flags.string({ summary: 'Refused: the billing mode can never change.' }),
  }

  async run(): Promise<WorkspaceView> {
    const { args, flags } = await this.parse(WorkspaceUpdate)
    const ctx = await this.context({ ...flags, workspace: args.workspace })
    return await updateWorkspace(ctx.db, ctx.workspace, {
      mode: flags.mode,
      name: flags.name === undefined ? undefined : this.input(name('workspace name'), flags.name),
    })
  }

  protected render(workspace: WorkspaceView): string {
    return `Updated workspace.\n${renderWorkspace(workspace)}`
  }
}
