import { WsbCommand } from '../../cli/base-command.js'
import { listWorkspaces } from '../../core/workspaces/list.js'
import type { WorkspaceView } from '../../core/workspaces/view.js'
import { renderWorkspaces } from '../../render/workspaces.js'

type Result = { workspaces: WorkspaceView[] }

export default class WorkspaceList extends WsbCommand<Result> {
  static override fitsTerminal = true
  static override summary = 'List the workspaces in the database.'
  static override examples = ['<%= config.bin %> workspace list', '<%= config.bin %> workspace list --json']

  async run(): Promise<Result> {
    const { flags } = await this.parse(WorkspaceList)
    return await listWorkspaces(await this.openDatabase(flags.db))
  }

  protected render(result: Result): string {
    return renderWorkspaces(result)
  }
}
