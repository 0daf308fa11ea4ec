import { Flags } from '@oclif/core'
import { WorkspaceCommand } from '../../cli/base-command.js'
import { type SubscriptionStatus, subscriptionStatuses } from '../../core/store/schema/index.js'
import { listSubscriptions } from '../../core/subscriptions/list.js'
import type { SubscriptionView } from '../../core/subscriptions/view.js'
import { renderSubscriptions } from '../../render/subscriptions.js'

type Result = { subscriptions: SubscriptionView[] }

export default class SubList extends WorkspaceCommand<Result> {
  static override fitsTerminal = true
  static override readOnly = true
  static override summary = 'List subscriptions.'
  static override examples = ['<%= config.bin %> sub list', '<%= config.bin %> sub list --account "Franchisee A" --status active --json']
  static override flags = {
    account: Flags.string({ summary: 'Only this billing account (id or name).' }),
    status: Flags.string({ summary: 'Only this status.', options: [...subscriptionStatuses] }),
  }

  async run(): Promise<Result> {
    const { flags } = await this.parse(SubList)
    return await listSubscriptions(await this.context(flags), { account: flags.account, status: flags.status as SubscriptionStatus | undefined })
  }

  protected render(result: Result): string {
    return renderSubscriptions(result)
  }
}
