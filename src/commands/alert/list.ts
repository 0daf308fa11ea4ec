import { WorkspaceCommand } from '../../cli/base-command.js'
import { type AlertView, listAlerts } from '../../core/usage/alerts.js'
import { renderAlerts } from '../../render/history.js'

export default class AlertList extends WorkspaceCommand<{ alerts: AlertView[] }> {
  static override readOnly = true
  static override summary = 'Usage alerts with their state (armed, or fired until usage falls below).'
  static override examples = ['<%= config.bin %> alert list', '<%= config.bin %> alert list --json']

  async run(): Promise<{ alerts: AlertView[] }> {
    const { flags } = await this.parse(AlertList)
    return await listAlerts(await this.context(flags))
  }

  protected render(result: { alerts: AlertView[] }): string {
    return renderAlerts(result.alerts)
  }
}
