import { Flags } from '@oclif/core'
import { WorkspaceCommand } from '../cli/base-command.js'
import { toJson } from '../cli/json.js'
import { outputPath, writeOutputFile } from '../cli/output-file.js'
import { refuseStdoutOver } from '../cli/output-guard.js'
import { exportWorkspace, orgLevels } from '../core/apply/export.js'
import type { ApplyFile } from '../core/apply/schema.js'
import { loadYaml, YAML_MAX_ORG_DEPTH } from '../core/apply/yaml.js'
import { invalid } from '../core/errors.js'

type Result = ApplyFile | { file: string; bytes: number }

export default class Export extends WorkspaceCommand<Result> {
  static override readOnly = true
  static override summary = 'Write the state of a workspace as an apply file (YAML, or JSON with --format json or --json).'
  static override description = 'export | apply round-trips: applying the output to the same database changes nothing, and to a fresh one rebuilds the workspace.'
  static override examples = [
    '<%= config.bin %> export --workspace "Franchise Co" > franchise.yaml',
    '<%= config.bin %> export -o franchise.json --format json',
  ]
  static override flags = {
    output: Flags.string({ char: 'o', summary: 'Write to this file instead of stdout (- is stdout).', helpValue: 'FILE' }),
    format: Flags.string({ summary: 'File format. Default: yaml (json with --json).', options: ['yaml', 'json'] }),
  }

  private text = ''

  async run(): Promise<Result> {
    const { flags } = await this.parse(Export)
    // Checked before any work: a folder, a FIFO or the database as -o is refused, never opened.
    const guarded = this.guardedFiles(flags.db)
    const file = flags.output === undefined || flags.output === '-' ? undefined : outputPath(flags.output, '--output', guarded)
    if (file === undefined) refuseStdoutOver(guarded)
    const document = await exportWorkspace(await this.context(flags))
    const format = flags.format ?? (this.jsonEnabled() ? 'json' : 'yaml')
    if (format === 'yaml') {
      // The yaml library recurses per level; what it could write, apply could not read back (core/apply/read.ts).
      const levels = orgLevels(document.organizations)
      if (levels > YAML_MAX_ORG_DEPTH)
        throw invalid(
          `the organization tree is ${levels} levels deep; YAML export goes to ${YAML_MAX_ORG_DEPTH} levels, as apply reads YAML only that deep: use --format json, which export writes and apply reads at any depth`,
          { levels, maxDepth: YAML_MAX_ORG_DEPTH },
        )
    }
    this.text = format === 'json' ? `${toJson(document)}\n` : (await loadYaml()).stringify(document, { lineWidth: 0 })
    if (file === undefined) return document
    writeOutputFile(file, this.text, '--output', guarded)
    const bytes = Buffer.byteLength(this.text)
    this.text = `Wrote ${file} (${bytes} bytes).`
    return { file, bytes }
  }

  protected render(): string {
    return this.text.replace(/\n$/, '')
  }
}
