import { requiredArg } from '../../cli/args.js'
import { accountDetail } from '../../core/accounts/list.js'
import { WorkspaceCommand } from '../../cli/base-command.js'
import { unassignAccount } from '../../core/accounts/assign.js'
import type { AccountDetail } from '../../core/accounts/list.js'
import { renderAccount } from '../../render/accounts.js'

export default class AccountUnassign extends WorkspaceCommand<AccountDetail> {
  static override summary = 'Assigned mode: release an account from its organization (refused while usage remains).'
  static override examples = ['<%= config.bin %> account unassign "Global Corp Brasil"']
  static override args = { account: requiredArg('Account id or name.') }

  async run(): Promise<AccountDetail> {
    const { args, flags } = await this.parse(AccountUnassign)
    const ctx = await this.context(flags)
    return await accountDetail(ctx, await unassignAccount(ctx, { account: args.account }))
  }

  protected render(account: AccountDetail): string {
    return `Unassigned.\n${renderAccount(account)}`
  }
}
