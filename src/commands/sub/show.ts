import { requiredArg } from '../../cli/args.js'
import { WorkspaceCommand } from '../../cli/base-command.js'
import { showSubscription } from '../../core/subscriptions/list.js'
import type { SubscriptionView } from '../../core/subscriptions/view.js'
import { renderSubscription } from '../../render/subscriptions.js'

export default class SubShow extends WorkspaceCommand<SubscriptionView> {
  static override fitsTerminal = true
  static override readOnly = true
  static override summary = 'Show a subscription: status, period, items and scheduled changes.'
  static override examples = ['<%= config.bin %> sub show sub_1a2b3c', '<%= config.bin %> sub show sub_1a2b3c --json']
  static override args = { subscription: requiredArg('Subscription id.') }

  async run(): Promise<SubscriptionView> {
    const { args, flags } = await this.parse(SubShow)
    return await showSubscription(await this.context(flags), args.subscription)
  }

  protected render(sub: SubscriptionView): string {
    return renderSubscription(sub)
  }
}
