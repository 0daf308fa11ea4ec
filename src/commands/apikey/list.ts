import { WorkspaceCommand } from '../../cli/base-command.js'
import type { ApiKeyView } from '../../core/apikeys/key.js'
import { listApiKeys } from '../../core/apikeys/list.js'
import { renderApiKeys } from '../../render/apikeys.js'

type Result = { apiKeys: ApiKeyView[] }

export default class ApiKeyList extends WorkspaceCommand<Result> {
  static override fitsTerminal = true
  static override readOnly = true
  static override summary = "List the workspace's API keys: name, prefix, scope, created, last used (to the minute), revoked."
  static override examples = ['<%= config.bin %> apikey list', '<%= config.bin %> apikey list --json']

  async run(): Promise<Result> {
    const { flags } = await this.parse(ApiKeyList)
    return await listApiKeys(await this.context(flags))
  }

  protected render(result: Result): string {
    return renderApiKeys(result)
  }
}
