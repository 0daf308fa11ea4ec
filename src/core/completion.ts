// Names a shell completes (issue 15): the values people type for --workspace,
// --account, --org … read from the database, one a line. Reads only, with plain
// SQL both engines share (completion runs on every Tab: no query builder).
import type { Db } from './store/db.js'
import { resolveWorkspace } from './workspaces/resolve.js'

export const completionKinds = ['workspaces', 'accounts', 'orgs', 'products', 'coupons'] as const
export type CompletionKind = (typeof completionKinds)[number]

type OrgRow = { id: string; parent_id: string | null; name: string; workspace_id: string }

/** The workspaces to read: the one named (if it exists), else every one (one database usually holds one). */
async function scope(db: Db, workspace: string | undefined): Promise<string[]> {
  if (workspace !== undefined && workspace !== '') {
    try {
      return [(await resolveWorkspace(db, workspace)).id]
    } catch {
      // A workspace still being typed or mistyped: offer every workspace's names.
    }
  }
  return (await db.all<{ id: string }>('SELECT id FROM workspaces')).map((row) => row.id)
}

/** Each org by its name, or by its path "A/B" where another org of that workspace has the same name. */
function orgNames(rows: OrgRow[]): string[] {
  const byId = new Map(rows.map((row) => [row.id, row]))
  const path = (row: OrgRow): string => {
    const parts = [row.name]
    const seen = new Set([row.id])
    for (let up = row.parent_id; up !== null && !seen.has(up); ) {
      const parent = byId.get(up)
      if (!parent) break
      parts.unshift(parent.name)
      seen.add(up)
      up = parent.parent_id
    }
    return parts.join('/')
  }
  const key = (row: OrgRow) => `${row.workspace_id}\u0000${row.name.toLowerCase()}`
  const count = new Map<string, number>()
  for (const row of rows) count.set(key(row), (count.get(key(row)) ?? 0) + 1)
  return rows.map((row) => ((count.get(key(row)) ?? 0) > 1 ? path(row) : row.name))
}

export async function completionCandidates(db: Db, kind: CompletionKind, workspace?: string): Promise<string[]> {
  if (kind === 'workspaces') return unique((await db.all<{ name: string }>('SELECT name FROM workspaces')).map((row) => row.name))
  const ids = await scope(db, workspace)
  if (ids.length === 0) return []
  const inScope = `workspace_id IN (${ids.map(() => '?').join(', ')})`
  switch (kind) {
    case 'accounts':
      return unique((await db.all<{ name: string }>(`SELECT name FROM billing_accounts WHERE ${inScope}`, ...ids)).map((row) => row.name))
    case 'orgs':
      return unique(orgNames(await db.all<OrgRow>(`SELECT id, parent_id, name, workspace_id FROM organizations WHERE ${inScope}`, ...ids)))
    case 'products':
      return unique((await db.all<{ key: string }>(`SELECT key FROM products WHERE ${inScope}`, ...ids)).map((row) => row.key))
    case 'coupons':
      return unique((await db.all<{ code: string }>(`SELECT code FROM coupons WHERE ${inScope}`, ...ids)).map((row) => row.code))
  }
}

/** Sorted, each once, and only what fits on one line of the shell's list. */
function unique(names: string[]): string[] {
  return [...new Set(names.filter((name) => !/[\n\r]/.test(name)))].sort((a, b) => a.localeCompare(b))
}
