import { optionalArg } from '../../cli/args.js'
import { WorkspaceCommand } from '../../cli/base-command.js'
import { type WorkspaceDetail, showWorkspace } from '../../core/workspaces/show.js'
import { renderWorkspaceDetail } from '../../render/workspaces.js'

export default class WorkspaceShow extends WorkspaceCommand<WorkspaceDetail> {
  static override fitsTerminal = true
  static override readOnly = true
  static override summary = 'Show a workspace: mode, clock, organizations, accounts and pools.'
  static override examples = ['<%= config.bin %> workspace show', '<%= config.bin %> workspace show "Acme Software" --json']
  static override args = { workspace: optionalArg('Workspace id or name. Default: --workspace, or the only one.') }

  async run(): Promise<WorkspaceDetail> {
    const { args, flags } = await this.parse(WorkspaceShow)
    return await showWorkspace(await this.context({ ...flags, workspace: args.workspace ?? flags.workspace }))
  }

  protected render(workspace: WorkspaceDetail): string {
    return renderWorkspaceDetail(workspace)
  }
}
