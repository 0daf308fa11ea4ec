import { requiredArg } from '../../cli/args.js'
import { WorkspaceCommand } from '../../cli/base-command.js'
import { addPaymentMethod, type PaymentMethodView } from '../../core/payments/methods.js'
import { providerFromEnv } from '../../core/payments/provider.js'
import { renderPaymentMethods } from '../../render/payments.js'

export default class PmAdd extends WorkspaceCommand<PaymentMethodView> {
  static override summary = 'Add a payment method to a billing account (a Stripe PaymentMethod id or test token).'
  static override description = `Card data never touches wsb: give a Stripe PaymentMethod id (pm_…) or a Stripe test token
(pm_card_visa, pm_card_mastercard, pm_card_amex, pm_card_chargeDeclined,
pm_card_chargeDeclinedInsufficientFunds, pm_card_chargeDeclinedExpiredCard …). Anything that looks
like a card number is refused (RAW_CARD_REFUSED). At most 5 per account; the first is the default.
With STRIPE_API_KEY set the method is attached to the account's Stripe customer; otherwise the
offline sandbox applies Stripe's test-card semantics (a sandbox token may end in @MM/YYYY to set
its expiry, e.g. pm_card_visa@03/2026).`
  static override examples = ['<%= config.bin %> pm add "Acme Corp" pm_card_visa', '<%= config.bin %> pm add "Acme Corp" pm_1PxYz… --json']
  static override args = { account: requiredArg('Billing account id or name.'), paymentMethod: requiredArg('PaymentMethod id or test token.') }

  async run(): Promise<PaymentMethodView> {
    const { args, flags } = await this.parse(PmAdd)
    return await addPaymentMethod(await this.context(flags), await providerFromEnv(), { account: args.account, source: args.paymentMethod })
  }

  protected render(method: PaymentMethodView): string {
    return `Added (${method.provider}).\n${renderPaymentMethods({ paymentMethods: [method] })}`
  }
}
