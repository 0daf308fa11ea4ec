import { Flags } from '@oclif/core'
import { requiredArg } from '../../cli/args.js'
import { WsbCommand } from '../../cli/base-command.js'
import { modeFlag, timeFlag } from '../../cli/flags.js'
import { selectOrFail } from '../../cli/prompt.js'
import { name } from '../../core/schemas.js'
import type { BillingMode } from '../../core/store/schema/workspaces.js'
import { parseTime } from '../../core/time-input.js'
import { createWorkspace } from '../../core/workspaces/create.js'
import type { WorkspaceView } from '../../core/workspaces/view.js'
import { renderWorkspace } from '../../render/workspaces.js'

export default class WorkspaceCreate extends WsbCommand<WorkspaceView> {
  static override createsDatabase = true
  static override summary = 'Create a workspace with a permanent billing mode.'
  static override description = `The billing mode decides how subscriptions feed organizations and can never change:
  single    one billing account; every organization draws from its pool
  assigned  each top-level organization has its own account and pool (silos, any currency)
  pooled    many accounts, billed separately, feed one workspace-wide pool
With --test-clock the workspace's time stands still until "wsb clock advance" moves it.`
  static override examples = [
    '<%= config.bin %> workspace create "Acme Labs" --mode single',
    '<%= config.bin %> workspace create "Global Industries" --mode assigned',
    '<%= config.bin %> workspace create "Franchise CI" --mode pooled --test-clock --clock-start 2026-01-01',
  ]
  static override args = { name: requiredArg('Workspace name (unique).') }
  static override flags = {
    mode: modeFlag('Billing mode (permanent). Asked for on a terminal when omitted.'),
    'test-clock': Flags.boolean({ summary: 'Give the workspace a frozen test clock.' }),
    'clock-start': timeFlag('Start time of the test clock (implies --test-clock). Default: now.'),
  }

  async run(): Promise<WorkspaceView> {
    const { args, flags } = await this.parse(WorkspaceCreate)
    const workspaceName = this.input(name('workspace name'), args.name)
    const mode = (flags.mode as BillingMode | undefined) ?? (await this.askMode())
    return await createWorkspace(await this.openDatabase(flags.db), {
      name: workspaceName,
      mode,
      testClock: flags['test-clock'],
      clockStart: flags['clock-start'] === undefined ? undefined : parseTime(flags['clock-start'], '--clock-start'),
    })
  }

  private askMode(): Promise<BillingMode> {
    return selectOrFail<BillingMode>({
      json: this.jsonEnabled(),
      flag: 'mode',
      hint: 'the mode is permanent',
      message: 'Billing mode (permanent: it can never be changed)',
      choices: [
        { value: 'single', name: 'single', description: 'One billing account; all organizations share its pool.' },
        { value: 'assigned', name: 'assigned', description: 'Each top-level organization has its own account, pool and currency.' },
        { value: 'pooled', name: 'pooled', description: 'Many accounts, billed separately, feed one shared pool.' },
      ],
    })
  }

  protected render(workspace: WorkspaceView): string {
    return `Created workspace.\n${renderWorkspace(workspace)}`
  }
}
