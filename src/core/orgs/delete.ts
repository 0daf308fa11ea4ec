// Deleting an organization (R-ORG-4): refused while its subtree has usage.
import type { Ctx } from '../context.js'
import { refused } from '../errors.js'
import { recordEvent } from '../events/record.js'
import { inArray, eq } from 'drizzle-orm'
import { billingAccounts, organizations } from '../store/schema/index.js'
import { subtreeUsage } from '../usage/levels.js'
import { resolveOrg } from './resolve.js'
import { loadTree, pathOf, subtree } from './tree.js'

export type DeleteOrgInput = { ref: string; recursive?: boolean }
export type DeleteOrgResult = { deleted: { id: string; name: string; path: string }[] }

export async function deleteOrg(ctx: Ctx, input: DeleteOrgInput): Promise<DeleteOrgResult> {
  const { db, workspace, now } = ctx
  return await db.write(async () => {
    await db.excludeMetering(workspace.id)
    const tree = await loadTree(db, workspace.id)
    const org = resolveOrg(await tree, input.ref)
    const doomed = subtree(await tree, org.id)
    const path = pathOf(await tree, org.id)
    if (doomed.length > 1 && !input.recursive)
      throw refused(
        'ORG_HAS_CHILDREN',
        `organization "${path}" has ${doomed.length - 1} descendant organization(s); delete them first or pass --recursive`,
        { orgId: org.id, descendants: doomed.length - 1 },
      )
    const usage = await subtreeUsage(db, org.id)
    if (Object.keys(usage).length > 0)
      throw refused(
        'ORG_IN_USE',
        `organization "${path}" cannot be deleted while its subtree has usage (${Object.entries(usage)
          .map(([product, n]) => `${product}=${n}`)
          .join(', ')}); release the usage first`,
        { orgId: org.id, usage },
      )
    const ids = doomed.map((row) => row.id)
    const account = (await db.orm
      .select({ id: billingAccounts.id, name: billingAccounts.name, organizationId: billingAccounts.organizationId })
      .from(billingAccounts)
      .where(inArray(billingAccounts.organizationId, ids)).limit(1))[0]
    if (account)
      throw refused(
        'ORG_HAS_ACCOUNT',
        `organization "${path}" has billing account "${account.name}" (${account.id}) assigned; unassign it first with: wsb account unassign ${account.id}`,
        { orgId: account.organizationId, accountId: account.id },
      )
    // Children before parents, so no row ever points at a deleted parent.
    const deleted = doomed.map((row) => ({ id: row.id, name: row.name, path: pathOf(tree, row.id) })).reverse()
    for (const row of deleted) {
      await db.orm.delete(organizations).where(eq(organizations.id, row.id))
      await recordEvent(db, { workspaceId: workspace.id, at: now, kind: 'org.deleted', refs: { orgId: row.id }, data: { path: row.path } })
    }
    return { deleted }
  })
}
