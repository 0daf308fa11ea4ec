import { Flags } from '@oclif/core'
import { accountDetails, accountFlags } from '../../cli/account-flags.js'
import { requiredArg } from '../../cli/args.js'
import { accountDetail } from '../../core/accounts/list.js'
import { WorkspaceCommand } from '../../cli/base-command.js'
import { createAccount } from '../../core/accounts/create.js'
import type { AccountDetail } from '../../core/accounts/list.js'
import { name } from '../../core/schemas.js'
import { renderAccount } from '../../render/accounts.js'

export default class AccountCreate extends WorkspaceCommand<AccountDetail> {
  static override summary = 'Create a billing account.'
  static override description = `single mode: exactly one account (a second is refused with ACCOUNT_LIMIT).
assigned mode: each top-level organization gets its own account (--org assigns it at once).
pooled mode: any number of accounts, each billed separately, all feeding one pool.`
  static override examples = [
    '<%= config.bin %> account create "Franchisee D" --currency USD --email billing@franchisee-d.test --country US --workspace "Franchise Co"',
    '<%= config.bin %> account create "Global Corp UK" --currency GBP --country GB --tax-rate 20',
  ]
  static override args = { name: requiredArg('Company name (unique in the workspace).') }
  static override flags = {
    currency: Flags.string({ summary: 'ISO 4217 currency code (USD, EUR, JPY …).', required: true }),
    org: Flags.string({ summary: 'Assigned mode: the top-level organization this account serves.' }),
    ...accountFlags,
  }

  async run(): Promise<AccountDetail> {
    const { args, flags } = await this.parse(AccountCreate)
    const ctx = await this.context(flags)
    return await accountDetail(ctx, await createAccount(ctx, {
      name: this.input(name('account name'), args.name),
      currency: flags.currency,
      org: flags.org,
      ...accountDetails(flags),
    }))
  }

  protected render(account: AccountDetail): string {
    return `Created billing account.\n${renderAccount(account)}`
  }
}
