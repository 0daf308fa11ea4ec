// Per-product limits on an organization's subtree (R-ORG-2). A limit below the
// subtree's current usage is refused (BELOW_USAGE) unless forced, as for pools.
import { and, eq, inArray } from 'drizzle-orm'
import { requireProduct } from '../catalog/products.js'
import type { Ctx } from '../context.js'
import { refused } from '../errors.js'
import { recordEvent } from '../events/record.js'
import { orgLimits } from '../store/schema/index.js'
import { immediate } from '../store/transaction.js'
import { subtreeUsage } from '../usage/levels.js'
import { resolveOrg } from './resolve.js'
import { loadTree, pathOf } from './tree.js'
import { loadLimits, type OrgView, orgView } from './view.js'

export type SetLimitsInput = { ref: string; limits: Record<string, number>; force?: boolean }

export function setLimits(ctx: Ctx, input: SetLimitsInput): OrgView {
  const { db, workspace, now } = ctx
  return immediate(db.sqlite, () => {
    const tree = loadTree(db, workspace.id)
    const org = resolveOrg(tree, input.ref)
    const usage = subtreeUsage(db, org.id)
    for (const [product, limit] of Object.entries(input.limits)) {
      requireProduct(db, workspace.id, product)
      const used = usage[product] ?? 0
      if (limit < used && !input.force)
        throw refused(
          'BELOW_USAGE',
          `a ${product} limit of ${limit} on "${pathOf(tree, org.id)}" is below its subtree's current usage of ${used}; release usage first or pass --force`,
          { orgId: org.id, product, usage: used, limit },
        )
    }
    for (const [product, limit] of Object.entries(input.limits)) {
      db.orm
        .insert(orgLimits)
        .values({ orgId: org.id, workspaceId: workspace.id, product, limit })
        .onConflictDoUpdate({ target: [orgLimits.orgId, orgLimits.product], set: { limit } })
        .run()
    }
    recordEvent(db, { workspaceId: workspace.id, at: now, kind: 'org.limit_set', refs: { orgId: org.id }, data: { limits: input.limits } })
    return orgView(tree, loadLimits(db, workspace.id), org)
  })
}

export type ClearLimitsInput = { ref: string; products: string[] }

export function clearLimits(ctx: Ctx, input: ClearLimitsInput): OrgView {
  const { db, workspace, now } = ctx
  return immediate(db.sqlite, () => {
    const tree = loadTree(db, workspace.id)
    const org = resolveOrg(tree, input.ref)
    for (const product of input.products) requireProduct(db, workspace.id, product)
    db.orm
      .delete(orgLimits)
      .where(and(eq(orgLimits.orgId, org.id), inArray(orgLimits.product, input.products)))
      .run()
    recordEvent(db, { workspaceId: workspace.id, at: now, kind: 'org.limit_cleared', refs: { orgId: org.id }, data: { products: input.products } })
    return orgView(tree, loadLimits(db, workspace.id), org)
  })
}
