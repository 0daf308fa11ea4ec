// Listing and showing organizations, in tree order (R-ORG-1).
import type { Ctx } from '../context.js'
import { resolveOrg } from './resolve.js'
import { depthFirst, loadTree } from './tree.js'
import { loadLimits, type OrgView, orgView } from './view.js'

export function listOrgs(ctx: Ctx): { orgs: OrgView[] } {
  const tree = loadTree(ctx.db, ctx.workspace.id)
  const limits = loadLimits(ctx.db, ctx.workspace.id)
  return { orgs: depthFirst(tree).map((row) => orgView(tree, limits, row)) }
}

export type OrgDetail = OrgView & { children: { id: string; name: string }[] }

export function showOrg(ctx: Ctx, ref: string): OrgDetail {
  const tree = loadTree(ctx.db, ctx.workspace.id)
  const row = resolveOrg(tree, ref)
  const children = (tree.children.get(row.id) ?? []).map((child) => ({ id: child.id, name: child.name }))
  return { ...orgView(tree, loadLimits(ctx.db, ctx.workspace.id), row), children }
}
