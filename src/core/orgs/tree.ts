// The organization forest of one workspace, loaded once and walked in memory
// (R-ORG-1). Small enough for any real tree (10,000 orgs load in a few ms).
import type { Db } from '../store/connect.js'
import type { OrganizationRow } from '../store/schema/index.js'

export type OrgTree = {
  byId: Map<string, OrganizationRow>
  children: Map<string | null, OrganizationRow[]>
}

export async function loadTree(db: Db, workspaceId: string): Promise<OrgTree> {
  const rows = (await db.all(`SELECT id, workspace_id AS "workspaceId", parent_id AS "parentId", name, created_at AS "createdAt" FROM organizations WHERE workspace_id = ? ORDER BY ${db.creationOrder}`, workspaceId)) as OrganizationRow[]
  // Siblings by name in byte order (SQLite's BINARY), whatever the server's collation: a
  // PostgreSQL database in en_US would sort "b" before "C". Stable: same names keep creation order.
  // Names without surrogates (nearly all) compare by UTF-16 code units, which orders them as their UTF-8 bytes.
  const bytes = new Map(rows.filter((row) => /[\ud800-\uffff]/.test(row.name)).map((row) => [row, Buffer.from(row.name)]))
  rows.sort((a, b) => {
    const x = bytes.get(a)
    const y = bytes.get(b)
    if (x === undefined && y === undefined) return a.name < b.name ? -1 : a.name > b.name ? 1 : 0
    return Buffer.compare(x ?? Buffer.from(a.name), y ?? Buffer.from(b.name))
  })
  const byId = new Map(rows.map((row) => [row.id, row]))
  const children = new Map<string | null, OrganizationRow[]>()
  for (const row of rows) {
    const siblings = children.get(row.parentId) ?? []
    siblings.push(row)
    children.set(row.parentId, siblings)
  }
  return { byId, children }
}

/** The org and its ancestors, the org first and the top-level org last. */
export function ancestry(tree: OrgTree, orgId: string): OrganizationRow[] {
  const chain: OrganizationRow[] = []
  const seen = new Set<string>()
  for (let row = tree.byId.get(orgId); row; row = row.parentId ? tree.byId.get(row.parentId) : undefined) {
    // wsb never makes a cycle (R-ORG-1); a damaged database must not hang every command.
    if (seen.has(row.id)) throw new Error(`the organization tree has a cycle through ${row.id}; run wsb doctor`)
    seen.add(row.id)
    chain.push(row)
  }
  return chain
}

export function topLevelOf(tree: OrgTree, orgId: string): OrganizationRow {
  const chain = ancestry(tree, orgId)
  const top = chain[chain.length - 1]
  if (!top) throw new Error(`organization ${orgId} is not in the tree`)
  return top
}

/**
 * Every org of the subtree rooted at `orgId`, depth-first, the root first.
 * An explicit stack, not recursion: a chain 10,000 deep must not overflow.
 */
export function subtree(tree: OrgTree, orgId: string): OrganizationRow[] {
  return walk(tree, [orgId]).map((entry) => entry.row)
}

/** All orgs depth-first from the roots, siblings by name: the order a tree is drawn in. */
export function depthFirst(tree: OrgTree): OrganizationRow[] {
  return walk(tree, (tree.children.get(null) ?? []).map((root) => root.id)).map((entry) => entry.row)
}

export type Placed = { row: OrganizationRow; path: string; depth: number }

/**
 * The subtrees rooted at `rootIds`, depth-first, each org with its path and
 * depth built from its parent's on the way down (linear, where a pathOf per
 * org costs the depth each time). Paths of roots that are not top-level are
 * their full paths. Each org is visited once even in a damaged database.
 */
export function walk(tree: OrgTree, rootIds: readonly string[]): Placed[] {
  const out: Placed[] = []
  const seen = new Set<string>()
  const stack: { id: string; parent: Placed | undefined }[] = []
  for (let i = rootIds.length - 1; i >= 0; i--) stack.push({ id: rootIds[i] as string, parent: undefined })
  for (let next = stack.pop(); next; next = stack.pop()) {
    const row = tree.byId.get(next.id)
    if (!row || seen.has(row.id)) continue
    seen.add(row.id)
    const placed: Placed = next.parent
      ? { row, path: `${next.parent.path}/${row.name}`, depth: next.parent.depth + 1 }
      : { row, path: pathOf(tree, row.id), depth: ancestry(tree, row.id).length - 1 }
    out.push(placed)
    const kids = tree.children.get(row.id) ?? []
    for (let i = kids.length - 1; i >= 0; i--) stack.push({ id: (kids[i] as OrganizationRow).id, parent: placed })
  }
  return out
}

/** How deep the forest goes: 0 for only top-level orgs, -1 for none. */
export function maxDepth(tree: OrgTree): number {
  let deepest = -1
  for (const placed of walk(tree, (tree.children.get(null) ?? []).map((root) => root.id))) deepest = Math.max(deepest, placed.depth)
  return deepest
}

export function pathOf(tree: OrgTree, orgId: string): string {
  return ancestry(tree, orgId)
    .map((row) => row.name)
    .reverse()
    .join('/')
}
