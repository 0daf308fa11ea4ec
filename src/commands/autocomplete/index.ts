import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Args, Command, Flags } from '@oclif/core'
import { bashValueCompletion, type CompletableCommand, MARKER, zshValueCompletion } from '../../cli/completion-script.js'

/**
 * @oclif/plugin-autocomplete's command (same id and arguments: it runs first and
 * prints its instructions), then flag values added to the scripts it generated
 * (cli/completion-script.ts). Its own scripts cannot be extended from outside.
 */
export default class Autocomplete extends Command {
  static override summary = 'Display autocomplete installation instructions.'
  static override description = `Completes commands, flags, the fixed values of flags (statuses, modes, intervals …) and the names of
workspaces, accounts, organizations, products and coupons in the database that --db / WSB_DB names
(read when Tab is pressed). Run it again after upgrading wsb.`
  static override examples = [
    '<%= config.bin %> autocomplete bash',
    '<%= config.bin %> autocomplete zsh',
    '<%= config.bin %> autocomplete --refresh-cache',
  ]
  static override args = {
    shell: Args.string({ description: 'Shell type', options: ['zsh', 'bash', 'powershell'], required: false }),
  }
  static override flags = {
    'refresh-cache': Flags.boolean({ char: 'r', summary: 'Refresh cache (ignores displaying instructions)' }),
  }

  async run(): Promise<void> {
    await this.parse(Autocomplete)
    const plugin = this.config.plugins.get('@oclif/plugin-autocomplete')
    const original = await plugin?.findCommand('autocomplete', { must: true })
    if (!original) this.error('the autocomplete plugin is not installed')
    await original.run(this.argv, this.config)
    await addValueCompletion(this.config.cacheDir, this.config.bin, this.config.commands as CompletableCommand[])
  }
}

/** Extends the scripts the plugin wrote under <cacheDir>/autocomplete/functions/. */
async function addValueCompletion(cacheDir: string, bin: string, commands: CompletableCommand[]): Promise<void> {
  const functions = join(cacheDir, 'autocomplete', 'functions')
  const bash = join(functions, 'bash', `${bin}.bash`)
  const bashScript = await readFile(bash, 'utf8')
  if (!bashScript.includes(MARKER)) await writeFile(bash, `${bashScript}${bashValueCompletion(commands, bin)}`)
  const zsh = join(functions, 'zsh', `_${bin}`)
  await writeFile(zsh, zshValueCompletion(await readFile(zsh, 'utf8'), bin))
}
