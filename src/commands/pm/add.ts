import { Flags } from '@oclif/core'
import { requiredArg } from '../../cli/args.js'
import { WorkspaceCommand } from '../../cli/base-command.js'
import { mandateFrom } from '../../core/payments/mandate.js'
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
its expiry, e.g. pm_card_visa@03/2026).
A bank debit (SEPA, US bank account) on Stripe needs the customer's mandate: the Mandate your
checkout made (--mandate mandate_…), or the customer's acceptance: --mandate-offline (signed outside
Stripe) or --mandate-ip with --mandate-user-agent (accepted online). wsb sends it with every debit.`
  static override examples = [
    '<%= config.bin %> pm add "Acme Software Inc." pm_card_mastercard',
    '<%= config.bin %> pm add "Acme Software Inc." pm_1PxYz… --json',
    '<%= config.bin %> pm add "Global Corp GmbH" pm_1QsEpa… --mandate mandate_1QsEpa…',
    '<%= config.bin %> pm add "Global Corp GmbH" pm_1QsEpa… --mandate-ip 203.0.113.7 --mandate-user-agent "Mozilla/5.0 …"',
  ]
  static override args = { account: requiredArg('Billing account id or name.'), paymentMethod: requiredArg('PaymentMethod id or test token.') }
  static override flags = {
    mandate: Flags.string({ summary: "A bank debit's Mandate id, from the checkout that collected the account.", helpValue: 'MANDATE' }),
    'mandate-offline': Flags.boolean({ summary: 'The customer accepted the debit mandate offline (signed outside Stripe).' }),
    'mandate-ip': Flags.string({ summary: 'The IP address the customer accepted the mandate from (online).', helpValue: 'IP' }),
    'mandate-user-agent': Flags.string({ summary: 'The browser user agent the customer accepted the mandate with (online).', helpValue: 'UA' }),
  }

  async run(): Promise<PaymentMethodView> {
    const { args, flags } = await this.parse(PmAdd)
    const mandate = mandateFrom({ mandate: flags.mandate, offline: flags['mandate-offline'], ipAddress: flags['mandate-ip'], userAgent: flags['mandate-user-agent'] })
    return await addPaymentMethod(await this.context(flags), await providerFromEnv(), { account: args.account, source: args.paymentMethod, ...(mandate ? { mandate } : {}) })
  }

  protected render(method: PaymentMethodView): string {
    return `Added (${method.provider}).\n${renderPaymentMethods({ paymentMethods: [method] })}`
  }
}
