import { Flags } from '@oclif/core'
import { requiredArg } from '../../cli/args.js'
import { WorkspaceCommand } from '../../cli/base-command.js'
import { type CreatedApiKey, createApiKey } from '../../core/apikeys/create.js'
import { name } from '../../core/schemas.js'
import { type ApiKeyScope, apiKeyScopes } from '../../core/store/schema/index.js'
import { renderCreatedKey } from '../../render/apikeys.js'

export default class ApiKeyCreate extends WorkspaceCommand<CreatedApiKey> {
  static override summary = 'Create an API key for the workspace API (wsb serve); it is shown once.'
  static override description = `The key is printed once, here, and never again: only its hash is stored. A usage:write key
reports usage (and reads); a usage:read key only reads (check, reports). A key acts in its own
workspace only.`
  static override examples = [
    '<%= config.bin %> apikey create checkout-service --scope usage:write',
    '<%= config.bin %> apikey create dashboard --scope usage:read --workspace "Franchise Co" --json',
  ]
  static override args = { name: requiredArg('A name for the key: who uses it.') }
  static override flags = {
    scope: Flags.string({ summary: 'What the key may do.', options: [...apiKeyScopes], required: true }),
  }

  async run(): Promise<CreatedApiKey> {
    const { args, flags } = await this.parse(ApiKeyCreate)
    return await createApiKey(await this.context(flags), { name: this.input(name('key name'), args.name), scope: flags.scope as ApiKeyScope })
  }

  protected render(key: CreatedApiKey): string {
    return renderCreatedKey(key)
  }
}
