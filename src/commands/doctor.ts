import { existsSync } from 'node:fs'
import { isPostgresUrl } from '../core/store/postgres-url.js'
import { Flags } from '@oclif/core'
import { WsbCommand } from '../cli/base-command.js'
import { notFound, refused, type WsbError } from '../core/errors.js'
import { type DoctorResult, runDoctor } from '../core/doctor/run.js'
import { renderDoctor } from '../render/doctor.js'

export default class Doctor extends WsbCommand<DoctorResult> {
  static override summary = "Check every invariant of the spec on a database, read-only, before trusting it."
  static override description = `Checks the file first (SQLite's integrity_check; quick_check above 256 MiB), then workspace isolation, the org forest, accounts per mode, subscription and payment method limits, invoice numbering and totals, credit balances, queued renewals, and usage counters against the ledger (as usage verify does). Exit 0 when nothing is violated; exit 4 (INVARIANT_VIOLATED) listing each violation with the ids involved otherwise. Pools over capacity and subtrees over their limit (possible after a forced cancel or limit), and a database file other users can read, are warnings and do not fail the run.

Doctor changes nothing: it runs no due lifecycle steps and writes no row. It reads every workspace unless --workspace narrows it (WSB_WORKSPACE is not read, so a shell's default cannot hide problems).`
  static override examples = [
    '<%= config.bin %> doctor',
    '<%= config.bin %> doctor --workspace "Global Corp" --json',
    '<%= config.bin %> doctor --json | jq \'.error.details.violations[]? | {rule, ids}\'',
  ]
  static override flags = {
    workspace: Flags.string({
      char: 'w',
      summary: 'Check only this workspace (id or name). Default: every workspace in the database.',
      helpGroup: 'GLOBAL',
    }),
  }

  private result: DoctorResult | undefined

  async run(): Promise<DoctorResult> {
    const { flags } = await this.parse(Doctor)
    // Opening a missing file would create an empty database and call it healthy: a typo must not pass.
    const path = this.databasePath(flags.db)
    if (!isPostgresUrl(path) && !existsSync(path)) throw notFound('database', path)
    // No this.context(): that would run due lifecycle steps, and doctor must not write.
    // Doctor runs the full integrity_check itself and reports damage as a violation.
    const result = await runDoctor(await this.openDatabase(path, { quickCheck: false }), { workspace: flags.workspace })
    this.result = result
    if (!result.ok) {
      const failed = result.checks.filter((c) => !c.passed).map((c) => c.check)
      throw refused('INVARIANT_VIOLATED', `${result.violations.length} invariant violation${result.violations.length === 1 ? '' : 's'} (${failed.join(', ')})`, {
        workspaces: result.workspaces,
        checks: result.checks,
        violations: result.violations,
        warnings: result.warnings,
      })
    }
    return result
  }

  protected render(result: DoctorResult): string {
    return renderDoctor(result)
  }

  protected override renderFailure(error: WsbError): string | undefined {
    return error.code === 'INVARIANT_VIOLATED' && this.result ? renderDoctor(this.result) : undefined
  }
}
