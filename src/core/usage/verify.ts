// `usage verify` (R-USE-5): recomputes every level from the ledger, every
// subtree counter from the levels and the tree, and every pool's usage from the
// orgs it serves, and lists each difference from the maintained counters.
import type { Ctx } from '../context.js'
import { ancestry, loadTree } from '../orgs/tree.js'

export type VerifyMismatch = { counter: 'level' | 'subtree' | 'pool'; id: string; product: string; stored: number; expected: number }
export type VerifyResult = { ok: boolean; ledgerRows: number; counters: number; mismatches: VerifyMismatch[] }

export function verifyUsage(ctx: Ctx): VerifyResult {
  const { db, workspace } = ctx
  const sqlite = db.sqlite
  const key = (id: string, product: string) => `${id}\u0000${product}`
  const expectedLevel = new Map<string, number>()
  for (const row of sqlite
    .prepare<[string], { org_id: string; product: string; total: number }>(
      `SELECT org_id, product, sum(delta) AS total FROM usage_ledger WHERE workspace_id = ? AND outcome = 'accepted' GROUP BY org_id, product`,
    )
    .iterate(workspace.id))
    expectedLevel.set(key(row.org_id, row.product), row.total)

  const tree = loadTree(db, workspace.id)
  const expectedSubtree = new Map<string, number>()
  const expectedPool = new Map<string, number>()
  const accountOfTop = new Map(
    sqlite
      .prepare<[string], { id: string; organization_id: string }>('SELECT id, organization_id FROM billing_accounts WHERE workspace_id = ? AND organization_id IS NOT NULL')
      .all(workspace.id)
      .map((row) => [row.organization_id, row.id]),
  )
  for (const [levelKey, total] of expectedLevel) {
    const [orgId, product] = levelKey.split('\u0000') as [string, string]
    const chain = ancestry(tree, orgId)
    for (const org of chain) expectedSubtree.set(key(org.id, product), (expectedSubtree.get(key(org.id, product)) ?? 0) + total)
    const top = chain[chain.length - 1]
    const poolId = workspace.mode === 'assigned' ? (top ? accountOfTop.get(top.id) : undefined) : workspace.id
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
  for (const row of sqlite
    .prepare<[string], { org_id: string; product: string; level: number; subtree: number }>('SELECT org_id, product, level, subtree FROM usage_levels WHERE workspace_id = ?')
    .iterate(workspace.id)) {
    storedLevel.set(key(row.org_id, row.product), row.level)
    storedSubtree.set(key(row.org_id, row.product), row.subtree)
  }
  const storedPool = new Map(
    sqlite
      .prepare<[string], { pool_id: string; product: string; used: number }>('SELECT pool_id, product, used FROM pool_usage WHERE workspace_id = ?')
      .all(workspace.id)
      .map((row) => [key(row.pool_id, row.product), row.used]),
  )
  compare('level', storedLevel, expectedLevel)
  compare('subtree', storedSubtree, expectedSubtree)
  compare('pool', storedPool, expectedPool)
  const rows = sqlite.prepare<[string], { n: number }>('SELECT count(*) AS n FROM usage_ledger WHERE workspace_id = ?').get(workspace.id)?.n ?? 0
  return { ok: mismatches.length === 0, ledgerRows: rows, counters: storedLevel.size + storedSubtree.size + storedPool.size, mismatches }
}
