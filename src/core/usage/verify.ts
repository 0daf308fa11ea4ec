// `usage verify` (R-USE-5): recomputes every level from the ledger, every
// subtree counter from the levels and the tree, and every pool's usage from the
// orgs it serves, and lists each difference from the maintained counters.
import type { Ctx } from '../context.js'
import { ancestry, loadTree, walk } from '../orgs/tree.js'

export type VerifyMismatch = { counter: 'level' | 'subtree' | 'pool'; id: string; product: string; stored: number; expected: number }
export type VerifyResult = { ok: boolean; ledgerRows: number; counters: number; mismatches: VerifyMismatch[] }

export async function verifyUsage(ctx: Ctx): Promise<VerifyResult> {
  const { db, workspace } = ctx
  const key = (id: string, product: string) => `${id}\u0000${product}`
  const expectedLevel = new Map<string, number>()
  await db.each<{ org_id: string; product: string; total: number }>(
    `SELECT org_id, product, CAST(sum(delta) AS bigint) AS total FROM usage_ledger WHERE workspace_id = ? AND outcome = 'accepted' GROUP BY org_id, product`,
    [workspace.id],
    (row) => expectedLevel.set(key(row.org_id, row.product), row.total),
  )

  const tree = await loadTree(db, workspace.id)
  const expectedSubtree = new Map<string, number>()
  const expectedPool = new Map<string, number>()
  const accountOfTop = new Map(
    (
      await db.all<{ id: string; organization_id: string }>(
        'SELECT id, organization_id FROM billing_accounts WHERE workspace_id = ? AND organization_id IS NOT NULL',
        workspace.id,
      )
    ).map((row) => [row.organization_id, row.id]),
  )
  // Subtree totals bottom-up over one depth-first walk (children come after
  // their parent, so in reverse each org is complete before it is added to its
  // parent): linear, where walking up from each org cost its depth.
  const levelsByOrg = new Map<string, Map<string, number>>()
  for (const [levelKey, total] of expectedLevel) {
    const [orgId, product] = levelKey.split('\u0000') as [string, string]
    const levels = levelsByOrg.get(orgId) ?? new Map<string, number>()
    levels.set(product, total)
    levelsByOrg.set(orgId, levels)
  }
  const roots = [...tree.byId.values()].filter((row) => row.parentId === null || !tree.byId.has(row.parentId)).map((row) => row.id)
  const placed = walk(tree, roots)
  const topOf = new Map<string, string>()
  for (const { row } of placed) topOf.set(row.id, (row.parentId !== null && topOf.get(row.parentId)) || row.id)
  // An org with usage the walk did not reach sits on a cycle: ancestry says so.
  for (const orgId of levelsByOrg.keys()) if (tree.byId.has(orgId) && !topOf.has(orgId)) ancestry(tree, orgId)
  const below = new Map<string, Map<string, number>>()
  for (let i = placed.length - 1; i >= 0; i--) {
    const { row } = placed[i] as (typeof placed)[number]
    const sums = below.get(row.id) ?? new Map<string, number>()
    below.delete(row.id)
    for (const [product, total] of levelsByOrg.get(row.id) ?? []) sums.set(product, (sums.get(product) ?? 0) + total)
    for (const [product, total] of sums) expectedSubtree.set(key(row.id, product), total)
    if (row.parentId !== null && tree.byId.has(row.parentId) && sums.size) {
      const parent = below.get(row.parentId) ?? new Map<string, number>()
      for (const [product, total] of sums) parent.set(product, (parent.get(product) ?? 0) + total)
      below.set(row.parentId, parent)
    }
  }
  for (const [levelKey, total] of expectedLevel) {
    const [orgId, product] = levelKey.split('\u0000') as [string, string]
    const top = topOf.get(orgId)
    const poolId = workspace.mode === 'assigned' ? (top ? accountOfTop.get(top) : undefined) : workspace.id
    if (poolId) expectedPool.set(key(poolId, product), (expectedPool.get(key(poolId, product)) ?? 0) + total)
  }

  const mismatches: VerifyMismatch[] = []
  const compare = (counter: VerifyMismatch['counter'], stored: Map<string, number>, expected: Map<string, number>) => {
    for (const k of new Set([...stored.keys(), ...expected.keys()])) {
      const s = stored.get(k) ?? 0
      const e = expected.get(k) ?? 0
      if (s !== e) {
        const [id, product] = k.split('\u0000') as [string, string]
        mismatches.push({ counter, id, product, stored: s, expected: e })
      }
    }
  }
  const storedLevel = new Map<string, number>()
  const storedSubtree = new Map<string, number>()
  await db.each<{ org_id: string; product: string; level: number; subtree: number }>(
    'SELECT org_id, product, level, subtree FROM usage_levels WHERE workspace_id = ?',
    [workspace.id],
    (row) => {
      storedLevel.set(key(row.org_id, row.product), row.level)
      storedSubtree.set(key(row.org_id, row.product), row.subtree)
    },
  )
  const storedPool = new Map(
    (await db.all<{ pool_id: string; product: string; used: number }>('SELECT pool_id, product, used FROM pool_usage WHERE workspace_id = ?', workspace.id)).map((row) => [key(row.pool_id, row.product), row.used]),
  )
  compare('level', storedLevel, expectedLevel)
  compare('subtree', storedSubtree, expectedSubtree)
  compare('pool', storedPool, expectedPool)
  const rows = (await db.get<{ n: number }>('SELECT count(*) AS n FROM usage_ledger WHERE workspace_id = ?', workspace.id))?.n ?? 0
  return { ok: mismatches.length === 0, ledgerRows: rows, counters: storedLevel.size + storedSubtree.size + storedPool.size, mismatches }
}
