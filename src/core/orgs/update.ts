// Renaming and moving an organization (R-ORG-1): a move under the org's own
// subtree would make a cycle and is refused; so is a move that would give a
// child org its own billing account (R-BA-3) or carry usage to new ancestors.
import { eq } from 'drizzle-orm'
import { one } from '../store/db.js'
import type { Ctx } from '../context.js'
import { refused } from '../errors.js'
import { recordEvent } from '../events/record.js'
import { billingAccounts, type OrganizationRow, organizations } from '../store/schema/index.js'
import { subtreeUsage } from '../usage/levels.js'
import { resolveOrg } from './resolve.js'
import { loadTree, type OrgTree, pathOf, subtree } from './tree.js'
import { loadLimits, type OrgView, orgView } from './view.js'

/** `parent: null` makes the org top-level; undefined leaves it where it is. */
export type UpdateOrgInput = { ref: string; name?: string; parent?: string | null }

async function checkMove(ctx: Ctx, tree: OrgTree, org: OrganizationRow, parent: OrganizationRow | null): Promise<void> {
  if (parent && subtree(tree, org.id).some((row) => row.id === parent.id))
    throw refused(
      'ORG_CYCLE',
      `cannot move "${pathOf(tree, org.id)}" under "${pathOf(tree, parent.id)}": that is ${parent.id === org.id ? 'the org itself' : 'one of its own descendants'}`,
      { orgId: org.id, parentId: parent.id },
    )
  const usage = await subtreeUsage(ctx.db, org.id)
  if (Object.keys(usage).length > 0)
    throw refused(
      'ORG_IN_USE',
      `cannot move "${pathOf(tree, org.id)}" while its subtree has usage (${Object.entries(usage)
        .map(([product, n]) => `${product}=${n}`)
        .join(', ')}); release the usage first`,
      { orgId: org.id, usage },
    )
  if (parent) {
    const account = (await ctx.db.orm
      .select({ id: billingAccounts.id })
      .from(billingAccounts)
      .where(eq(billingAccounts.organizationId, org.id)).limit(1))[0]
    if (account)
      throw refused(
        'NOT_TOP_LEVEL',
        `"${pathOf(tree, org.id)}" has billing account ${account.id} assigned and would stop being top-level; only top-level organizations hold an account`,
        { orgId: org.id, accountId: account.id },
      )
  }
}

export async function updateOrg(ctx: Ctx, input: UpdateOrgInput): Promise<OrgView> {
  const { db, workspace, now } = ctx
  return await db.write(async () => {
    await db.excludeMetering(workspace.id)
    const tree = await loadTree(db, workspace.id)
    const org = resolveOrg(tree, input.ref)
    const parent = input.parent === undefined ? undefined : input.parent === null ? null : resolveOrg(tree, input.parent)
    const parentId = parent === undefined ? org.parentId : (parent?.id ?? null)
    const name = input.name ?? org.name
    if (parentId === org.parentId && name === org.name) return orgView(tree, await loadLimits(db, workspace.id), org)
    if (parentId !== org.parentId) await checkMove(ctx, tree, org, parent ?? null)
    const clash = (tree.children.get(parentId) ?? []).find((row) => row.id !== org.id && row.name.toLowerCase() === name.toLowerCase())
    if (clash) throw refused('NAME_TAKEN', `an organization named "${clash.name}" already exists there (${clash.id})`, { id: clash.id })
    const from = pathOf(tree, org.id)
    const row = one(await db.orm.update(organizations).set({ name, parentId }).where(eq(organizations.id, org.id)).returning())
    const moved = await loadTree(db, workspace.id)
    await recordEvent(db, {
      workspaceId: workspace.id,
      at: now,
      kind: parentId !== org.parentId ? 'org.moved' : 'org.renamed',
      refs: { orgId: org.id, ...(parentId ? { parentId } : {}) },
      data: { from, to: pathOf(await moved, org.id) },
    })
    return orgView(await moved, await loadLimits(db, workspace.id), row)
  })
}
