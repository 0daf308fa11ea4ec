import { Flags } from '@oclif/core'
import { requiredArg } from '../../cli/args.js'
import { accountDetail } from '../../core/accounts/list.js'
import { WorkspaceCommand } from '../../cli/base-command.js'
import { assignAccount } from '../../core/accounts/assign.js'
import type { AccountDetail } from '../../core/accounts/list.js'
import { renderAccount } from '../../render/accounts.js'

export default class AccountAssign extends WorkspaceCommand<AccountDetail> {
  static override summary = 'Assigned mode: dedicate an account to a top-level organization.'
  static override description = `The organization and all its descendants then draw from this account's pool.
Child organizations inherit their top-level ancestor's account (NOT_TOP_LEVEL otherwise);
an account serves one organization and an organization has one account (ALREADY_ASSIGNED).`
  static override examples = ['<%= config.bin %> account assign "Global Corp Brasil" --org "Brazil Operations"']
  static override args = { account: requiredArg('Account id or name.') }
  static override flags = { org: Flags.string({ summary: 'Top-level organization id, name or path.', required: true }) }

  async run(): Promise<AccountDetail> {
    const { args, flags } = await this.parse(AccountAssign)
    const ctx = await this.context(flags)
    return await accountDetail(ctx, await assignAccount(ctx, { account: args.account, org: flags.org }))
  }

  protected render(account: AccountDetail): string {
    return `Assigned.\n${renderAccount(account)}`
  }
}
