import { requiredArg } from '../../cli/args.js'
import { WorkspaceCommand } from '../../cli/base-command.js'
import { resumeSubscription } from '../../core/subscriptions/cancel.js'
import type { SubscriptionView } from '../../core/subscriptions/view.js'
import { renderSubscription } from '../../render/subscriptions.js'

export default class SubResume extends WorkspaceCommand<SubscriptionView> {
  static override summary = 'Withdraw a cancellation scheduled for the period end.'
  static override examples = ['<%= config.bin %> sub resume sub_1a2b3c']
  static override args = { subscription: requiredArg('Subscription id.') }

  async run(): Promise<SubscriptionView> {
    const { args, flags } = await this.parse(SubResume)
    return await resumeSubscription(await this.context(flags), args.subscription)
  }

  protected render(sub: SubscriptionView): string {
    return `Resumed.\n${renderSubscription(sub)}`
  }
}
