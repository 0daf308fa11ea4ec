import { requiredArg } from '../../cli/args.js'
import { WorkspaceCommand } from '../../cli/base-command.js'
import type { ApiKeyView } from '../../core/apikeys/key.js'
import { revokeApiKey } from '../../core/apikeys/revoke.js'
import { renderRevokedKey } from '../../render/apikeys.js'

export default class ApiKeyRevoke extends WorkspaceCommand<ApiKeyView> {
  static override summary = 'Revoke an API key: requests with it are refused (401) within a second.'
  static override examples = ['<%= config.bin %> apikey revoke pos-terminals', '<%= config.bin %> apikey revoke key_0h3kq2v8x1mz --json']
  static override args = { key: requiredArg('The key: its id, name or prefix.') }

  async run(): Promise<ApiKeyView> {
    const { args, flags } = await this.parse(ApiKeyRevoke)
    return await revokeApiKey(await this.context(flags), args.key)
  }

  protected render(key: ApiKeyView): string {
    return renderRevokedKey(key)
  }
}
