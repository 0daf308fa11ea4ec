import { Flags } from '@oclif/core'
import { requiredArg } from '../../cli/args.js'
import { WorkspaceCommand } from '../../cli/base-command.js'
import { adjustCredit, type CreditView, creditView } from '../../core/accounts/credit.js'
import { invalid } from '../../core/errors.js'
import { name } from '../../core/schemas.js'
import { renderCredit } from '../../render/invoices.js'

export default class AccountCredit extends WorkspaceCommand<CreditView> {
  static override summary = "Add to (or with a negative amount, remove from) an account's credit balance; without --amount, show it."
  static override description = 'Invoices draw the credit balance down before anything is charged. Amounts are minor units of the account currency.'
  static override examples = ['<%= config.bin %> account credit "Acme Software Inc." --amount 5000 --note "service outage"', '<%= config.bin %> account credit "Acme Software Inc." --json']
  static override args = { account: requiredArg('Billing account id or name.') }
  static override flags = {
    amount: Flags.string({ summary: 'Signed amount in minor units.', helpValue: 'N' }),
    note: Flags.string({ summary: 'Why.' }),
  }

  async run(): Promise<CreditView> {
    const { args, flags } = await this.parse(AccountCredit)
    const ctx = await this.context(flags)
    if (flags.amount === undefined) return await creditView(ctx, args.account)
    if (!/^[+-]?\d{1,15}$/.test(flags.amount.trim())) throw invalid(`--amount: expected a signed integer in minor units, got "${flags.amount}"`)
    const note = flags.note === undefined ? undefined : this.input(name('--note'), flags.note)
    return await adjustCredit(ctx, { account: args.account, amount: Number(flags.amount), note })
  }

  protected render(credit: CreditView): string {
    return renderCredit(credit)
  }
}
