import { Flags } from '@oclif/core'
import { requiredArg } from '../../cli/args.js'
import { invalid } from '../../core/errors.js'
import { WorkspaceCommand } from '../../cli/base-command.js'
import { intervalFlag, itemFlag } from '../../cli/flags.js'
import { itemsFrom } from '../../cli/items.js'
import { name } from '../../core/schemas.js'
import type { Interval } from '../../core/store/schema/index.js'
import { addSubscription } from '../../core/subscriptions/add.js'
import type { SubscriptionView } from '../../core/subscriptions/view.js'
import { renderSubscription } from '../../render/subscriptions.js'

export default class SubAdd extends WorkspaceCommand<SubscriptionView> {
  static override summary = 'Subscribe a billing account to quantities of products.'
  static override description = `Prices come from the catalog in the account's currency (NO_PRICE if missing).
At most 3 active subscriptions per account (SUBSCRIPTION_LIMIT).
The first subscription of a workspace with exactly one account starts a 14-day trial
unless --no-trial; --trial insists and fails with TRIAL_INELIGIBLE, naming why.`
  static override examples = [
    '<%= config.bin %> sub add "Acme Software Inc." --item users=100 --item locations=50',
    '<%= config.bin %> sub add "Franchisee A" --item users=80 --item locations=40 --interval year --no-trial',
  ]
  static override args = { account: requiredArg('Billing account id or name.') }
  static override flags = {
    item: itemFlag('A product and its quantity (repeatable).'),
    interval: intervalFlag('Billing interval. Default: month.'),
    trial: Flags.boolean({ summary: 'Start with the 14-day trial (--no-trial: never).', allowNo: true }),
    label: Flags.string({ summary: 'A stable name for the subscription, unique within the account (apply files use it).' }),
  }

  async run(): Promise<SubscriptionView> {
    const { args, flags } = await this.parse(SubAdd)
    if (this.argv.includes('--trial') && this.argv.includes('--no-trial')) throw invalid('--trial and --no-trial contradict each other; give one')
    return await addSubscription(await this.context(flags), {
      account: args.account,
      items: itemsFrom(flags.item) ?? {},
      interval: flags.interval as Interval | undefined,
      trial: flags.trial,
      label: flags.label === undefined ? undefined : this.input(name('label'), flags.label),
    })
  }

  protected render(sub: SubscriptionView): string {
    return `Subscribed.\n${renderSubscription(sub)}`
  }
}
