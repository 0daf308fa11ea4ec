import { requiredArg } from '../../cli/args.js'
import { WorkspaceCommand } from '../../cli/base-command.js'
import { unassignAccount } from '../../core/accounts/assign.js'
import type { AccountView } from '../../core/accounts/view.js'
import { renderAccount } from '../../render/accounts.js'

export default class AccountUnassign extends WorkspaceCommand<AccountView> {
  static override summary = 'Assigned mode: release an account from its organization (refused while usage remains).'
  static override examples = ['<%= config.bin %> account unassign "USA"']
  static override args = { account: requiredArg('Account id or name.') }

  async run(): Promise<AccountView> {
    const { args, flags } = await this.parse(AccountUnassign)
    return await unassignAccount(await this.context(flags), { account: args.account })
  }

  protected render(account: AccountView): string {
    return `Unassigned.\n${renderAccount(account)}`
  }
}
