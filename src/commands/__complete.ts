import { Args } from '@oclif/core'
import { WorkspaceCommand } from '../cli/base-command.js'
import { type CompletionKind, completionCandidates, completionKinds } from '../core/completion.js'

type Result = { candidates: string[] }

/**
 * Called by the shell completion scripts (wsb autocomplete) on Tab: the names
 * of one kind in the current database, one a line. Quiet by design: a missing
 * database, a bad argument or any failure prints nothing and exits 0, since
 * whatever it printed would land in the user's command line.
 */
export default class Complete extends WorkspaceCommand<Result> {
  static override hidden = true
  static override lean = true
  static override summary = 'Names for shell completion, one a line (used by the completion scripts).'
  static override examples = ['<%= config.bin %> __complete accounts --workspace "Global Corp"']
  static override args = {
    kind: Args.string({ description: 'What to list.', options: [...completionKinds], required: true, ignoreStdin: true }),
  }

  async run(): Promise<Result> {
    const { args, flags } = await this.parse(Complete)
    const db = await this.openDatabase(flags.db)
    return { candidates: await completionCandidates(db, args.kind as CompletionKind, flags.workspace) }
  }

  protected render(result: Result): string {
    return result.candidates.join('\n')
  }

  protected override async catch(): Promise<void> {
    process.exitCode = 0
  }
}
