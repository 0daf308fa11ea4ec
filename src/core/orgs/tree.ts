// The organization forest of one workspace, loaded once and walked in memory
// (R-ORG-1). Small enough for any real tree (10,000 orgs load in a few ms).
import type { Db } from '../store/connect.js'
import type { OrganizationRow } from '../store/schema/index.js'

export type OrgTree = {
  byId: Map<string, OrganizationRow>
  children: Map<string | null, OrganizationRow[]>
}

export function loadTree(db: Pick<Db, 'sqlite'>, workspaceId: string): OrgTree {
  const rows = db.sqlite
    .prepare(
      'SELECT id, workspace_id AS workspaceId, parent_id AS parentId, name, created_at AS createdAt FROM organizations WHERE workspace_id = ? ORDER BY name',
    )
    .all(workspaceId) as OrganizationRow[]
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

/** Every org of the subtree rooted at `orgId`, depth-first, the root first. */
export function subtree(tree: OrgTree, orgId: string): OrganizationRow[] {
  const out: OrganizationRow[] = []
  const visit = (id: string) => {
    const row = tree.byId.get(id)
    if (!row) return
    out.push(row)
    for (const child of tree.children.get(id) ?? []) visit(child.id)
  }
  visit(orgId)
  return out
}

/** All orgs depth-first from the roots, siblings by name: the order a tree is drawn in. */
export function depthFirst(tree: OrgTree): OrganizationRow[] {
  return (tree.children.get(null) ?? []).flatMap((root) => subtree(tree, root.id))
}

export function pathOf(tree: OrgTree, orgId: string): string {
  return ancestry(tree, orgId)
    .map((row) => row.name)
    .reverse()
    .join('/')
}
