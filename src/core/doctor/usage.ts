// Doctor: usage counters and capacity (R-USE-1, R-USE-5, R-POOL-3, R-ORG-2).
// The ledger comparison is `usage verify`'s own (verifyUsage), run once per
// workspace and shared by the level and pool checks.
import { contextFor } from '../context.js'
import { type VerifyMismatch, verifyUsage } from '../usage/verify.js'
import { type DoctorScope, defineCheck, type Finding, inScope, liveStatusList, query } from './check.js'
import { orgCycles } from './orgs.js'

/** Per workspace: verifyUsage's mismatches, or null when a cycle in the org tree makes the walk up impossible. */
const verified = new WeakMap<DoctorScope, Map<string, VerifyMismatch[] | null>>()

async function usageMismatches(scope: DoctorScope): Promise<Map<string, VerifyMismatch[] | null>> {
  let result = verified.get(scope)
  if (!result) {
    const cyclic = new Set((await orgCycles(scope)).map((cycle) => cycle.workspaceId))
    result = new Map()
    for (const workspace of scope.workspaces)
      result.set(workspace.id, cyclic.has(workspace.id) ? null : (await verifyUsage(contextFor(scope.db, workspace))).mismatches)
    verified.set(scope, result)
  }
  return result
}

export const usageLevels = defineCheck(
  'usage-levels',
  'R-USE-5',
  "usage levels equal the ledger's accepted deltas, subtree counters their subtree's levels",
  async function usageLevels(scope) {
    const findings: Finding[] = []
    for (const [workspaceId, mismatches] of await usageMismatches(scope)) {
      if (mismatches === null) {
        findings.push({ ids: { workspaceId }, message: 'usage counters cannot be checked: the organization tree has a cycle (see org-forest)' })
        continue
      }
      for (const m of mismatches) {
        if (m.counter === 'level')
          findings.push({
            ids: { workspaceId, orgId: m.id, product: m.product },
            message: `${m.product} level of ${m.id} is ${m.stored}; its accepted ledger deltas sum to ${m.expected}`,
          })
        else if (m.counter === 'subtree')
          findings.push({
            ids: { workspaceId, orgId: m.id, product: m.product },
            message: `${m.product} subtree counter of ${m.id} is ${m.stored}; the ledger gives its subtree ${m.expected}`,
          })
      }
    }
    return findings
  },
)

export const poolUsage = defineCheck('pool-usage', 'R-POOL-3', 'each pool counts the usage of exactly the organizations it serves', async function poolUsage(scope) {
  const findings: Finding[] = []
  for (const [workspaceId, mismatches] of await usageMismatches(scope))
    for (const m of mismatches ?? [])
      if (m.counter === 'pool')
        findings.push({
          ids: { workspaceId, poolId: m.id, product: m.product },
          message: `pool ${m.id} counts ${m.stored} ${m.product} in use; the organizations it serves use ${m.expected}`,
        })
  return findings
})

export const usageNonNegative = defineCheck('usage-non-negative', 'R-USE-1', 'no usage level, subtree or pool counter is below zero', async function usageNonNegative(scope) {
  const findings: Finding[] = []
  for (const row of await query<{ workspace_id: string; org_id: string; product: string; level: number; subtree: number} >(
scope,
`SELECT workspace_id, org_id, product, level, subtree FROM usage_levels
     WHERE (level < 0 OR subtree < 0) AND ${inScope('workspace_id')} ORDER BY workspace_id, org_id, product`
)) {
    const what = [row.level < 0 ? `level ${row.level}` : '', row.subtree < 0 ? `subtree counter ${row.subtree}` : ''].filter(Boolean).join(' and ')
    findings.push({ ids: { workspaceId: row.workspace_id, orgId: row.org_id, product: row.product }, message: `${row.product} ${what} of ${row.org_id} is below zero` })
  }
  for (const row of await query<{ workspace_id: string; pool_id: string; product: string; used: number} >(
scope,
`SELECT workspace_id, pool_id, product, used FROM pool_usage WHERE used < 0 AND ${inScope('workspace_id')} ORDER BY workspace_id, pool_id, product`
))
    findings.push({ ids: { workspaceId: row.workspace_id, poolId: row.pool_id, product: row.product }, message: `pool ${row.pool_id} counts ${row.used} ${row.product} in use, below zero` })
  return findings
})

export const poolCapacity = defineCheck(
  'pool-capacity',
  'R-POOL-3',
  'no pool uses more than its capacity',
  async function poolCapacity(scope) {
    return (await query<{ workspace_id: string; pool_id: string; product: string; used: number; capacity: number} >(
scope,
`WITH capacity AS (
         SELECT CASE w.mode WHEN 'assigned' THEN s.account_id ELSE s.workspace_id END AS pool_id, i.product, CAST(sum(i.quantity) AS bigint) AS capacity
         FROM subscription_items i
         JOIN subscriptions s ON s.id = i.subscription_id
         JOIN workspaces w ON w.id = s.workspace_id
         WHERE s.status IN (${liveStatusList}) AND ${inScope('s.workspace_id')}
         GROUP BY 1, 2)
       SELECT p.workspace_id, p.pool_id, p.product, p.used, coalesce(c.capacity, 0) AS capacity
       FROM pool_usage p LEFT JOIN capacity c ON c.pool_id = p.pool_id AND c.product = p.product
       WHERE p.used > coalesce(c.capacity, 0) AND ${inScope('p.workspace_id')}
       ORDER BY p.workspace_id, p.pool_id, p.product`
)).map((row) => ({
      ids: { workspaceId: row.workspace_id, poolId: row.pool_id, product: row.product },
      message: `pool ${row.pool_id} uses ${row.used} ${row.product} with a capacity of ${row.capacity} (over capacity, e.g. after a forced cancel)`,
    }))
  },
  'warning',
)

export const orgLimits = defineCheck(
  'org-limits',
  'R-ORG-2',
  "no organization's subtree uses more than its limit",
  async function orgLimits(scope) {
    return (await query<{ workspace_id: string; org_id: string; product: string; limit: number; used: number} >(
scope,
`SELECT l.workspace_id, l.org_id, l.product, l."limit" AS "limit", coalesce(u.subtree, 0) AS used
       FROM org_limits l LEFT JOIN usage_levels u ON u.org_id = l.org_id AND u.product = l.product
       WHERE coalesce(u.subtree, 0) > l."limit" AND ${inScope('l.workspace_id')}
       ORDER BY l.workspace_id, l.org_id, l.product`
)).map((row) => ({
      ids: { workspaceId: row.workspace_id, orgId: row.org_id, product: row.product },
      message: `the subtree of ${row.org_id} uses ${row.used} ${row.product}, above its limit of ${row.limit} (e.g. a limit set with --force)`,
    }))
  },
  'warning',
)
