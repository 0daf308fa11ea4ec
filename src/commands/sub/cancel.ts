import { Flags } from '@oclif/core'
import { requiredArg } from '../../cli/args.js'
import { WorkspaceCommand } from '../../cli/base-command.js'
import { cancelSubscription } from '../../core/subscriptions/cancel.js'
import type { SubscriptionView } from '../../core/subscriptions/view.js'
import { renderSubscription } from '../../render/subscriptions.js'

export default class SubCancel extends WorkspaceCommand<SubscriptionView> {
  static override summary = 'Cancel a subscription at period end, or now.'
  static override description = `By default capacity lasts until the period ends. --now ends it at once, without refund;
that is refused (BELOW_USAGE) when usage would exceed the remaining capacity, unless --force.`
  static override examples = ['<%= config.bin %> sub cancel sub_1a2b3c', '<%= config.bin %> sub cancel sub_1a2b3c --now --force']
  static override args = { subscription: requiredArg('Subscription id.') }
  static override flags = {
    now: Flags.boolean({ summary: 'End the subscription and its capacity now.' }),
    force: Flags.boolean({ summary: 'With --now: cancel even if usage then exceeds capacity.', dependsOn: ['now'] }),
  }

  async run(): Promise<SubscriptionView> {
    const { args, flags } = await this.parse(SubCancel)
    return await cancelSubscription(await this.context(flags), { ref: args.subscription, now: flags.now, force: flags.force })
  }

  protected render(sub: SubscriptionView): string {
    return `${sub.status === 'canceled' ? 'Canceled.' : 'Cancellation scheduled.'}\n${renderSubscription(sub)}`
  }
}
