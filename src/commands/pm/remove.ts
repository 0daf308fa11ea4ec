import { requiredArg } from '../../cli/args.js'
import { WorkspaceCommand } from '../../cli/base-command.js'
import { type PaymentMethodView, removePaymentMethod } from '../../core/payments/methods.js'
import { refuseCardNumber } from '../../core/payments/cards.js'
import { providerFromEnv } from '../../core/payments/provider.js'
import { renderPaymentMethods } from '../../render/payments.js'

type Result = { removed: string; paymentMethods: PaymentMethodView[] }

export default class PmRemove extends WorkspaceCommand<Result> {
  static override summary = 'Remove a payment method; removing the default promotes the oldest remaining one.'
  static override description = 'The last payment method of an account with a paid subscription cannot be removed (LAST_PAYMENT_METHOD).'
  static override examples = ['<%= config.bin %> pm remove "Acme Software Inc." pmr_1a2b3c']
  static override args = { account: requiredArg('Billing account id or name.'), paymentMethod: requiredArg('Payment method id (pmr_…) or provider id (pm_…).') }

  async run(): Promise<Result> {
    const { args, flags } = await this.parse(PmRemove)
    // R-PM-2: never looked up, so never echoed in a NOT_FOUND.
    refuseCardNumber(args.paymentMethod)
    return await removePaymentMethod(await this.context(flags), await providerFromEnv(), { account: args.account, method: args.paymentMethod })
  }

  protected render(result: Result): string {
    return `Removed ${result.removed}.\n${renderPaymentMethods(result)}`
  }
}
