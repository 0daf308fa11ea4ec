// Effective headroom (R-ORG-3): the least of what the pool has available and
// what every limit on the org or an ancestor leaves of its subtree. Ties go to
// the pool, then to the nearest org. Never negative.
import type { Binding } from './decision.js'

export type ChainLink = { orgId: string; limit: number | undefined; subtree: number }

export function effectiveHeadroom(poolId: string, poolAvailable: number, chain: readonly ChainLink[]): { headroom: number; binding: Binding } {
  let headroom = poolAvailable
  let binding: Binding = { kind: 'pool', poolId }
  for (const link of chain) {
    if (link.limit === undefined) continue
    const left = link.limit - link.subtree
    if (left < headroom) {
      headroom = left
      binding = { kind: 'limit', orgId: link.orgId, limit: link.limit }
    }
  }
  return { headroom: Math.max(0, headroom), binding }
}
