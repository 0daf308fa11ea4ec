import { readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { Flags } from '@oclif/core'
import { WsbCommand } from '../cli/base-command.js'
import type { ApplyResult } from '../core/apply/apply.js'
import { readApplyFile } from '../core/apply/read.js'
import { runApply } from '../core/apply/run.js'
import { invalid, notFound } from '../core/errors.js'
import { providerFromEnv } from '../core/payments/provider.js'
import { renderApply } from '../render/apply.js'

export default class Apply extends WsbCommand<ApplyResult> {
  static override createsDatabase = true
  static override summary = 'Make a workspace match a YAML or JSON file; re-running it changes nothing.'
  static override description = `The file describes the workspace (name, mode, test clock), products and prices, coupons,
the organization tree with limits and usage, and billing accounts with their assignment, payment
methods, discount, credits and subscriptions (matched by label, whatever their status: one that ended is
left alone and said so; "replaces: SUB" subscribes again). Objects are matched by name, so a
second run reports no changes. Changes follow the normal rules (increases prorated, decreases
scheduled, BELOW_USAGE …); a mode change is MODE_IMMUTABLE. Everything but payment methods is one
transaction: a file that fails anywhere leaves the database as it was. --dry-run prints the plan
and writes nothing. See examples/ for the seed examples.`
  static override examples = [
    '<%= config.bin %> apply -f examples/franchise-pooled.yaml',
    '<%= config.bin %> apply -f examples/global-assigned.yaml --dry-run',
    '<%= config.bin %> export --workspace "Franchise Co" | <%= config.bin %> apply -f - --db other.sqlite',
  ]
  static override flags = {
    file: Flags.string({ char: 'f', summary: 'The file (YAML or JSON), or - for stdin.', required: true, helpValue: 'FILE' }),
    'dry-run': Flags.boolean({ summary: 'Print the plan without writing anything.' }),
  }

  async run(): Promise<ApplyResult> {
    const { flags } = await this.parse(Apply)
    if (flags.file.trim() === '') throw invalid('-f: must not be empty (give a YAML or JSON file, or - for stdin)')
    if (flags.file === '-' && process.stdin.isTTY) throw invalid('-f -: pipe the file to stdin')
    let text: string
    try {
      text = flags.file === '-' ? await readStdin() : await readFile(flags.file, 'utf8')
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'ENOENT' || code === 'ENOTDIR') throw notFound('file', flags.file)
      if (code === 'EISDIR') throw invalid(`${flags.file} is a directory; give a YAML or JSON file`, { file: flags.file })
      throw invalid(`cannot read ${flags.file}: ${(error as Error).message}`, { file: flags.file })
    }
    const file = await readApplyFile(text, flags.file === '-' ? 'stdin' : flags.file)
    const db = await this.openDatabase(flags.db)
    // A path in the file (a seller's logo) is relative to the file's folder, as in any config file.
    const baseDir = flags.file === '-' ? process.cwd() : dirname(resolve(flags.file))
    return await runApply(db, file, { dryRun: flags['dry-run'], provider: providerFromEnv, baseDir })
  }

  protected render(result: ApplyResult): string {
    return renderApply(result)
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}
