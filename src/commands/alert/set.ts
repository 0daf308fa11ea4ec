import { Flags } from '@oclif/core'
import { WorkspaceCommand } from '../../cli/base-command.js'
import { type AlertView, parsePercents, setAlerts } from '../../core/usage/alerts.js'
import { renderAlerts } from '../../render/history.js'

export default class AlertSet extends WorkspaceCommand<{ alerts: AlertView[] }> {
  static override summary = "Alert when usage reaches a share of a pool's capacity or of an org's limit."
  static override description = `Each threshold fires once when an accepted report brings usage to it or above: one notification
(kind usage_alert, see notifications) and one event (alert.crossed, see events --kind alert), in the
same transaction as the report. It re-arms when usage falls back below. On an org, the share is of the
org's limit on the product (its subtree's usage); the org must have one. Existing thresholds stay; one
already reached when set fires at the next crossing.`
  static override examples = [
    '<%= config.bin %> alert set --pool "Acme Software" --product users --at 80%,100%',
    '<%= config.bin %> alert set --org "USA Operations" --product users --at 90%',
  ]
  static override flags = {
    pool: Flags.string({ summary: 'Pool: the workspace, or an account (id or name).' }),
    org: Flags.string({ summary: 'Organization id, name or path (must have a limit on the product).' }),
    product: Flags.string({ summary: 'Product key.', required: true }),
    at: Flags.string({ summary: 'Thresholds in percent, comma-separated: 80%,100%.', required: true }),
  }

  async run(): Promise<{ alerts: AlertView[] }> {
    const { flags } = await this.parse(AlertSet)
    const at = parsePercents(flags.at)
    return await setAlerts(await this.context(flags), { pool: flags.pool, org: flags.org, product: flags.product, at })
  }

  protected render(result: { alerts: AlertView[] }): string {
    return `Alerts set.\n${renderAlerts(result.alerts)}`
  }
}
