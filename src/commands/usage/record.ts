import { Flags } from '@oclif/core'
import { WorkspaceCommand } from '../../cli/base-command.js'
import type { UsageDecision } from '../../core/usage/decision.js'
import { parseUsageLine } from '../../core/usage/line.js'
import { invalid } from '../../core/errors.js'
import { recordUsage } from '../../core/usage/record.js'
import { renderDecision } from '../../render/usage.js'

export default class UsageRecord extends WorkspaceCommand<UsageDecision> {
  static override lean = true
  static override summary = 'Report usage of one product by one organization.'
  static override description = `--delta changes the level by a signed amount; --set sets it. An increase is accepted only if it
fits the effective headroom: the pool's availability and every limit on the org and its ancestors.
Rejections exit 4 with CAPACITY_EXCEEDED (the pool is full), LIMIT_EXCEEDED (a limit binds; details
name the org), BELOW_ZERO or NO_BILLING_ACCOUNT. With --key, a retry of an accepted report is
replayed (replayed: true) instead of applied twice; the same key with another payload is
IDEMPOTENCY_CONFLICT.`
  static override examples = [
    '<%= config.bin %> usage record --org "USA Operations/Sales Team" --product users --delta 1 --key signup-4711',
    '<%= config.bin %> usage record --org "Location 1 - Downtown" --product locations --set 3 --json',
  ]
  static override flags = {
    org: Flags.string({ summary: 'Organization id, name or path.', required: true }),
    product: Flags.string({ summary: 'Product key.', required: true }),
    delta: Flags.string({ summary: 'Signed change of the level.', helpValue: 'N', allowStdin: false }),
    set: Flags.string({ summary: 'New level.', helpValue: 'N' }),
    key: Flags.string({ summary: 'Idempotency key (unique per workspace).' }),
  }

  async run(): Promise<UsageDecision> {
    const { flags } = await this.parse(UsageRecord)
    const line: Record<string, unknown> = { org: flags.org, product: flags.product }
    for (const name of ['delta', 'set'] as const) {
      const value = flags[name]
      if (value === undefined) continue
      if (!/^[+-]?\d+$/.test(value.trim())) throw invalid(`--${name}: expected an integer, got "${value}"`, { flag: name })
      line[name] = Number(value)
    }
    if (flags.key !== undefined) line.key = flags.key
    const parsed = parseUsageLine(JSON.stringify(line))
    if ('error' in parsed) throw invalid(parsed.error.replace(/"(delta|set)"/g, '--$1').replace(/(^|; )(delta|set|key):/g, '$1--$2:'))
    const ctx = await this.context(flags)
    const decision = await recordUsage(ctx, parsed.report)
    // People read the org by name (JSON keeps the id): one lookup, only for human output, and its code loads only then.
    if (!this.jsonEnabled()) this.orgName = await (await import('../../core/events/list.js')).nameCache(ctx.db, ctx.workspace.id)(decision.orgId)
    return decision
  }

  private orgName: string | undefined

  protected render(decision: UsageDecision): string {
    return renderDecision(decision, this.orgName)
  }
}
