import { Args, Flags } from '@oclif/core'
import { WorkspaceCommand } from '../../cli/base-command.js'
import { invalid } from '../../core/errors.js'
import { type AlertView, parsePercents, removeAlerts } from '../../core/usage/alerts.js'
import { renderAlerts } from '../../render/history.js'

export default class AlertRemove extends WorkspaceCommand<{ removed: AlertView[] }> {
  static override summary = 'Remove usage alerts: one by id, or the thresholds of a pool or org on a product.'
  static override examples = [
    '<%= config.bin %> alert remove alrt_0123456789ab',
    '<%= config.bin %> alert remove --pool "Franchise Co" --product users --at 80%',
  ]
  static override args = { id: Args.string({ description: 'Alert id (from alert list).' }) }
  static override flags = {
    pool: Flags.string({ summary: 'Pool: the workspace, or an account (id or name).' }),
    org: Flags.string({ summary: 'Organization id, name or path.' }),
    product: Flags.string({ summary: 'Product key (with --pool or --org).' }),
    at: Flags.string({ summary: 'Only these thresholds (default: all of that pool or org on the product).' }),
  }

  async run(): Promise<{ removed: AlertView[] }> {
    const { args, flags } = await this.parse(AlertRemove)
    const ctx = await this.context(flags)
    if (args.id !== undefined) {
      if (flags.pool !== undefined || flags.org !== undefined || flags.product !== undefined || flags.at !== undefined)
        throw invalid('give an alert id, or --pool/--org with --product, not both')
      return await removeAlerts(ctx, { id: args.id })
    }
    if ((flags.pool === undefined) === (flags.org === undefined)) throw invalid('give an alert id, or exactly one of --pool and --org')
    if (flags.product === undefined) throw invalid('--product is required with --pool or --org')
    return await removeAlerts(ctx, { pool: flags.pool, org: flags.org, product: flags.product, at: flags.at === undefined ? undefined : parsePercents(flags.at) })
  }

  protected render(result: { removed: AlertView[] }): string {
    return `Removed ${result.removed.length} alert${result.removed.length === 1 ? '' : 's'}.\n${renderAlerts(result.removed)}`
  }
}
