import { WorkspaceCommand } from '../../cli/base-command.js'
import { refused } from '../../core/errors.js'
import { type VerifyResult, verifyUsage } from '../../core/usage/verify.js'
import { renderVerify } from '../../render/usage.js'

export default class UsageVerify extends WorkspaceCommand<VerifyResult> {
  static override fitsTerminal = true
  static override readOnly = true
  static override lean = true
  static override summary = 'Recompute usage from the ledger and compare it with the counters.'
  static override description = 'Exit 0 when every level, subtree and pool counter equals what the ledger says; exit 4 (USAGE_MISMATCH) listing the differences otherwise.'
  static override examples = ['<%= config.bin %> usage verify', '<%= config.bin %> usage verify --json']

  async run(): Promise<VerifyResult> {
    const { flags } = await this.parse(UsageVerify)
    const result = await verifyUsage(await this.context(flags))
    if (!result.ok)
      throw refused('USAGE_MISMATCH', `${result.mismatches.length} usage counters differ from the ledger`, {
        mismatches: result.mismatches,
        ledgerRows: result.ledgerRows,
      })
    return result
  }

  protected render(result: VerifyResult): string {
    return renderVerify(result)
  }
}
