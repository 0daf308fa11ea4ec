// Listing and showing organizations, in tree order (R-ORG-1).
import type { Ctx } from '../context.js'
import { resolveOrg } from './resolve.js'
import { loadTree, walk } from './tree.js'
import { loadLimits, type OrgView, orgView } from './view.js'

export async function listOrgs(ctx: Ctx): Promise<{ orgs: OrgView[]} > {
  const tree = await loadTree(ctx.db, ctx.workspace.id)
  const limits = await loadLimits(ctx.db, ctx.workspace.id)
  const roots = (tree.children.get(null) ?? []).map((root) => root.id)
  return { orgs: walk(tree, roots).map((placed) => orgView(tree, limits, placed.row, placed)) }
}

export type OrgDetail = OrgView & { children: { id: string; name: string }[] }

export async function showOrg(ctx: Ctx, ref: string): Promise<OrgDetail> {
  const tree = await loadTree(ctx.db, ctx.workspace.id)
  const row = resolveOrg(tree, ref)
  const children = (tree.children.get(row.id) ?? []).map((child) => ({ id: child.id, name: child.name }))
  return { ...orgView(tree, await loadLimits(ctx.db, ctx.workspace.id), row), children }
}
