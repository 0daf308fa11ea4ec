import { requiredArg } from '../../cli/args.js'
import { WorkspaceCommand } from '../../cli/base-command.js'
import { intervalFlag, itemFlag } from '../../cli/flags.js'
import { itemsFrom } from '../../cli/items.js'
import type { Interval } from '../../core/store/schema/index.js'
import { updateSubscription } from '../../core/subscriptions/update.js'
import type { SubscriptionView } from '../../core/subscriptions/view.js'
import { renderSubscription } from '../../render/subscriptions.js'

export default class SubUpdate extends WorkspaceCommand<SubscriptionView> {
  static override summary = 'Change quantities, products or the interval of a subscription.'
  static override description = `Increases and new products apply now and are prorated onto the next invoice.
Decreases, removals (PRODUCT=0) and interval changes apply at the next period start.
A decrease that would leave the pool below its usage is refused (BELOW_USAGE).
During a trial every change applies at once, free.
See the cost first with: wsb invoice preview ACC --change SUB:PRODUCT=QTY`
  static override examples = [
    '<%= config.bin %> sub update sub_1a2b3c --item users=120',
    '<%= config.bin %> sub update sub_1a2b3c --item users=120 --item locations=60',
    '<%= config.bin %> sub update sub_1a2b3c --interval year',
  ]
  static override args = { subscription: requiredArg('Subscription id.') }
  static override flags = {
    item: itemFlag('A product and its new quantity (repeatable; 0 removes it).'),
    interval: intervalFlag('New billing interval, from the next period.'),
  }

  async run(): Promise<SubscriptionView> {
    const { args, flags } = await this.parse(SubUpdate)
    return await updateSubscription(await this.context(flags), {
      ref: args.subscription,
      items: itemsFrom(flags.item),
      interval: flags.interval as Interval | undefined,
    })
  }

  protected render(sub: SubscriptionView): string {
    return `Updated.\n${renderSubscription(sub)}`
  }
}
