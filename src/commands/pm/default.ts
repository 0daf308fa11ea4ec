import { requiredArg } from '../../cli/args.js'
import { WorkspaceCommand } from '../../cli/base-command.js'
import { type PaymentMethodView, setDefaultPaymentMethod } from '../../core/payments/methods.js'
import { refuseCardNumber } from '../../core/payments/cards.js'
import { providerFromEnv } from '../../core/payments/provider.js'
import { renderPaymentMethods } from '../../render/payments.js'

export default class PmDefault extends WorkspaceCommand<PaymentMethodView> {
  static override summary = "Make a payment method the account's default (tried first)."
  static override examples = ['<%= config.bin %> pm default "Acme Software Inc." pmr_1a2b3c']
  static override args = { account: requiredArg('Billing account id or name.'), paymentMethod: requiredArg('Payment method id (pmr_…) or provider id (pm_…).') }

  async run(): Promise<PaymentMethodView> {
    const { args, flags } = await this.parse(PmDefault)
    // R-PM-2: never looked up, so never echoed in a NOT_FOUND.
    refuseCardNumber(args.paymentMethod)
    return await setDefaultPaymentMethod(await this.context(flags), await providerFromEnv(), { account: args.account, method: args.paymentMethod })
  }

  protected render(method: PaymentMethodView): string {
    return `Default set (${method.provider}).\n${renderPaymentMethods({ paymentMethods: [method] })}`
  }
}
