import { Flags } from '@oclif/core'
import { accountDetails, accountFlags } from '../../cli/account-flags.js'
import { requiredArg } from '../../cli/args.js'
import { accountDetail } from '../../core/accounts/list.js'
import { WorkspaceCommand } from '../../cli/base-command.js'
import { updateAccount } from '../../core/accounts/update.js'
import type { AccountDetail } from '../../core/accounts/list.js'
import { name } from '../../core/schemas.js'
import { renderAccount } from '../../render/accounts.js'

export default class AccountUpdate extends WorkspaceCommand<AccountDetail> {
  static override summary = "Change a billing account's details."
  static override description = 'The currency is fixed once the account has had a subscription.'
  static override examples = ['<%= config.bin %> account update "Acme Software Inc." --tax-rate 8.875 --email ap@acme.test']
  static override args = { account: requiredArg('Account id or name.') }
  static override flags = {
    name: Flags.string({ summary: 'New name.' }),
    currency: Flags.string({ summary: 'ISO 4217 currency code.' }),
    ...accountFlags,
  }

  async run(): Promise<AccountDetail> {
    const { args, flags } = await this.parse(AccountUpdate)
    const ctx = await this.context(flags)
    return await accountDetail(ctx, await updateAccount(ctx, {
      ref: args.account,
      name: flags.name === undefined ? undefined : this.input(name('account name'), flags.name),
      currency: flags.currency,
      ...accountDetails(flags),
    }))
  }

  protected render(account: AccountDetail): string {
    return `Updated billing account.\n${renderAccount(account)}`
  }
}
