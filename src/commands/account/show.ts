import { requiredArg } from '../../cli/args.js'
import { WorkspaceCommand } from '../../cli/base-command.js'
import { showAccount } from '../../core/accounts/list.js'
import type { AccountDetail } from '../../core/accounts/list.js'
import { renderAccount } from '../../render/accounts.js'

export default class AccountShow extends WorkspaceCommand<AccountDetail> {
  static override fitsTerminal = true
  static override readOnly = true
  static override summary = 'Show one billing account.'
  static override examples = ['<%= config.bin %> account show "Acme Software Inc."', '<%= config.bin %> account show acct_1a2b3c --json']
  static override args = { account: requiredArg('Account id or name.') }

  async run(): Promise<AccountDetail> {
    const { args, flags } = await this.parse(AccountShow)
    return await showAccount(await this.context(flags), args.account)
  }

  protected render(account: AccountDetail): string {
    return renderAccount(account)
  }
}
