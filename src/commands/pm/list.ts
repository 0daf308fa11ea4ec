import { requiredArg } from '../../cli/args.js'
import { WorkspaceCommand } from '../../cli/base-command.js'
import { listPaymentMethods, type PaymentMethodView } from '../../core/payments/methods.js'
import { renderPaymentMethods } from '../../render/payments.js'

type Result = { paymentMethods: PaymentMethodView[] }

export default class PmList extends WorkspaceCommand<Result> {
  static override fitsTerminal = true
  static override readOnly = true
  static override summary = "List an account's payment methods: the default first, then backups in the order they are tried."
  static override description = 'Cards expiring within 30 days of workspace time are flagged (expiresSoon).'
  static override examples = ['<%= config.bin %> pm list "Acme Software Inc."', '<%= config.bin %> pm list "Acme Software Inc." --json']
  static override args = { account: requiredArg('Billing account id or name.') }

  async run(): Promise<Result> {
    const { args, flags } = await this.parse(PmList)
    return await listPaymentMethods(await this.context(flags), args.account)
  }

  protected render(result: Result): string {
    return renderPaymentMethods(result)
  }
}
