import { WorkspaceCommand } from '../../cli/base-command.js'
import { listAccounts } from '../../core/accounts/list.js'
import type { AccountDetail } from '../../core/accounts/list.js'
import { renderAccounts } from '../../render/accounts.js'

type Result = { accounts: AccountDetail[] }

export default class AccountList extends WorkspaceCommand<Result> {
  static override fitsTerminal = true
  static override readOnly = true
  static override summary = 'List billing accounts.'
  static override examples = ['<%= config.bin %> account list', '<%= config.bin %> account list --json']

  async run(): Promise<Result> {
    const { flags } = await this.parse(AccountList)
    return await listAccounts(await this.context(flags))
  }

  protected render(result: Result): string {
    return renderAccounts(result)
  }
}
