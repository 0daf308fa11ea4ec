// The org tree of a workspace kept between reads by one process (wsb serve's
// GET /v1/usage/orgs, in-process callers), while the workspace's tree version
// stays the same: a 10,000-org tree then costs one small read instead of
// 10,000 rows parsed, sorted and walked each time. Only for readers that never
// change the tree they get (orgs/create.ts adds to its own copy). Inside a
// write (no version then: Db.treeVersion) every call loads afresh.
import type { Db } from '../store/connect.js'
import { loadTree, walk, type OrgTree, type Placed } from './tree.js'

type Kept = { version: number; tree: OrgTree; placed?: Placed[] }

const kept = new WeakMap<Db, Map<string, Kept>>()

/** The workspace's tree, from this process's copy when its version has not moved. Read-only. */
export async function readTree(db: Db, workspaceId: string): Promise<OrgTree> {
  return (await keptTree(db, workspaceId)).tree
}

/** The whole tree walked from its roots (tree.ts walk), kept with the tree. Read-only. */
export async function readPlacedTree(db: Db, workspaceId: string): Promise<{ tree: OrgTree; placed: Placed[] }> {
  const entry = await keptTree(db, workspaceId)
  entry.placed ??= walk(entry.tree, (entry.tree.children.get(null) ?? []).map((root) => root.id))
  return { tree: entry.tree, placed: entry.placed }
}

async function keptTree(db: Db, workspaceId: string): Promise<Kept> {
  // The version is read before the tree: a change between the two leaves a newer tree under an
  // older version, which the next call reloads; never an older tree under a newer version.
  const version = await db.treeVersion(workspaceId)
  if (version === undefined) return { version: -1, tree: await loadTree(db, workspaceId) }
  let byWorkspace = kept.get(db)
  if (!byWorkspace) kept.set(db, (byWorkspace = new Map()))
  const known = byWorkspace.get(workspaceId)
  if (known?.version === version) return known
  const entry: Kept = { version, tree: await loadTree(db, workspaceId) }
  byWorkspace.set(workspaceId, entry)
  return entry
}
