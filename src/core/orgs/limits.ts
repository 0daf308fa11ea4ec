// Per-product limits on an organization's subtree (R-ORG-2). A limit below the
// subtree's current usage is refused (BELOW_USAGE) unless forced, as for pools.
import { and, eq, inArray } from 'drizzle-orm'
import { requireProduct } from '../catalog/products.js'
import type { Ctx } from '../context.js'
import { refused } from '../errors.js'
import { recordEvent } from '../events/record.js'
import { type OrganizationRow, orgLimits } from '../store/schema/index.js'
import { subtreeUsage } from '../usage/levels.js'
import { resolveOrg } from './resolve.js'
import { loadTree, pathOf } from './tree.js'
import { loadLimits, type OrgView, orgView } from './view.js'

export type SetLimitsInput = { ref: string; limits: Record<string, number>; force?: boolean }

export async function setLimits(ctx: Ctx, input: SetLimitsInput): Promise<OrgView> {
  const { db, workspace } = ctx
  return await db.write(async () => {
    await db.excludeMetering(workspace.id)
    const tree = await loadTree(db, workspace.id)
    const org = resolveOrg(tree, input.ref)
    await writeLimits(ctx, org, () => pathOf(tree, org.id), input.limits, input.force)
    return orgView(tree, await loadLimits(db, workspace.id), org)
  })
}

export type ClearLimitsInput = { ref: string; products: string[] }

export async function clearLimits(ctx: Ctx, input: ClearLimitsInput): Promise<OrgView> {
  const { db, workspace } = ctx
  return await db.write(async () => {
    await db.excludeMetering(workspace.id)
    const tree = await loadTree(db, workspace.id)
    const org = resolveOrg(await tree, input.ref)
    await removeLimits(ctx, org, input.products)
    return orgView(await tree, await loadLimits(db, workspace.id), org)
  })
}

/**
 * Sets limits on one org inside the caller's transaction, refusing one below
 * its subtree's usage unless forced. `path` names the org in the refusal.
 */
export async function writeLimits(ctx: Ctx, org: OrganizationRow, path: () => string, limits: Record<string, number>, force = false): Promise<void> {
  const { db, workspace, now } = ctx
  await db.excludeMetering(workspace.id)
  const usage = await subtreeUsage(db, org.id)
  for (const [product, limit] of Object.entries(limits)) {
    await requireProduct(db, workspace.id, product)
    const used = usage[product] ?? 0
    if (limit < used && !force)
      throw refused(
        'BELOW_USAGE',
        `a ${product} limit of ${limit} on "${path()}" is below its subtree's current usage of ${used}; release usage first or pass --force`,
        { orgId: org.id, product, usage: used, limit },
      )
  }
  for (const [product, limit] of Object.entries(limits)) {
    await db.orm
      .insert(orgLimits)
      .values({ orgId: org.id, workspaceId: workspace.id, product, limit })
      .onConflictDoUpdate({ target: [orgLimits.orgId, orgLimits.product], set: { limit } })
  }
  await recordEvent(db, { workspaceId: workspace.id, at: now, kind: 'org.limit_set', refs: { orgId: org.id }, data: { limits } })
}

/** Clears limits on one org inside the caller's transaction. */
export async function removeLimits(ctx: Ctx, org: OrganizationRow, products: string[]): Promise<void> {
  const { db, workspace, now } = ctx
  await db.excludeMetering(workspace.id)
  for (const product of products) await requireProduct(db, workspace.id, product)
  await db.orm
    .delete(orgLimits)
    .where(and(eq(orgLimits.orgId, org.id), inArray(orgLimits.product, products)))
  await recordEvent(db, { workspaceId: workspace.id, at: now, kind: 'org.limit_cleared', refs: { orgId: org.id }, data: { products } })
}
