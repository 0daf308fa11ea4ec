// What a usage report decides (R-USE-1..4), and how a rejection becomes the
// spec's error: code = reason; details name org, product, requested, level,
// headroom and the binding constraint.
import { ExitCode, type ExitCodeValue, WsbError } from '../errors.js'

export type Binding = { kind: 'pool'; poolId: string } | { kind: 'limit'; orgId: string; limit: number }

export type UsageReportInput = {
  org: string
  product: string
  /** Exactly one of delta and set. */
  delta?: number
  set?: number
  key?: string
}

export type UsageDecision = {
  accepted: boolean
  replayed: boolean
  reportId: string
  orgId: string
  product: string
  kind: 'delta' | 'set'
  requested: number
  /** The change to the level: applied when accepted, asked for otherwise. */
  delta: number
  level: number
  /** Effective headroom after the decision (R-ORG-3); null when the org has no pool. */
  headroom: number | null
  reason: string | null
  message: string | null
  binding: Binding | null
  key: string | null
  at: string
}

const exitFor: Record<string, ExitCodeValue> = {
  NOT_FOUND: ExitCode.notFound,
  AMBIGUOUS_REFERENCE: ExitCode.invalidInput,
}

/**
 * What a NOT_FOUND rejection could not find, as every other NOT_FOUND says it
 * (details.kind and details.ref). The meter names the product first in its
 * message when the product is the missing one; otherwise it is the org.
 */
function missing(decision: UsageDecision): { kind: string; ref: string } | undefined {
  if (decision.reason !== 'NOT_FOUND') return undefined
  return decision.message?.startsWith('product ') ? { kind: 'product', ref: decision.product } : { kind: 'organization', ref: decision.orgId }
}

/**
 * The error a rejected decision is reported as (exit 4, or 3 / 2 for a bad reference);
 * `explained`: a bad reference said as other commands say it (candidates, suggestions).
 */
export function rejectionError(decision: UsageDecision, explained?: WsbError): WsbError {
  return new WsbError(decision.reason ?? 'REJECTED', explained?.message ?? decision.message ?? 'usage report rejected', exitFor[decision.reason ?? ''] ?? ExitCode.refused, {
    ...explained?.details,
    ...missing(decision),
    ...(decision.reason === 'AMBIGUOUS_REFERENCE' ? { ref: decision.orgId } : {}),
    // An org that could not be resolved has no id: its text is details.ref.
    orgId: decision.reason === 'AMBIGUOUS_REFERENCE' || missing(decision)?.kind === 'organization' ? null : decision.orgId,
    product: decision.product,
    requested: decision.requested,
    delta: decision.delta,
    level: decision.level,
    headroom: decision.headroom,
    binding: decision.binding,
    reportId: decision.reportId,
  })
}
