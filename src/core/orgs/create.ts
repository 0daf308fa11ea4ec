// Creating an organization, top-level or under a parent at any depth (R-ORG-1).
import type { Ctx } from '../context.js'
import { one } from '../store/db.js'
import { refused } from '../errors.js'
import { recordEvent } from '../events/record.js'
import { newId } from '../ids.js'
import { type OrganizationRow, organizations } from '../store/schema/index.js'
import { resolveOrg } from './resolve.js'
import { loadTree } from './tree.js'
import { loadLimits, type OrgView, orgView } from './view.js'

export type CreateOrgInput = { name: string; parent?: string }

export async function createOrg(ctx: Ctx, input: CreateOrgInput): Promise<OrgView> {
  const { db, workspace } = ctx
  return await db.write(async () => {
    const tree = await loadTree(db, workspace.id)
    const parent = input.parent === undefined ? undefined : resolveOrg(tree, input.parent)
    const siblings = tree.children.get(parent?.id ?? null) ?? []
    const clash = siblings.find((row) => row.name.toLowerCase() === input.name.toLowerCase())
    if (clash)
      throw refused(
        'NAME_TAKEN',
        parent
          ? `organization "${parent.name}" already has a child named "${clash.name}" (${clash.id})`
          : `a top-level organization named "${clash.name}" already exists (${clash.id})`,
        { id: clash.id },
      )
    const row = await insertOrg(ctx, parent ?? null, input.name)
    tree.byId.set(row.id, row)
    tree.children.set(row.parentId, [...siblings, row])
    return orgView(tree, await loadLimits(db, workspace.id), row)
  })
}

/**
 * Inserts one org under `parent` and records it, inside the caller's
 * transaction. The caller has checked the name is free among the siblings:
 * apply does so with its own index instead of reloading the tree per org.
 */
export async function insertOrg(ctx: Ctx, parent: OrganizationRow | null, name: string): Promise<OrganizationRow> {
  const { db, workspace, now } = ctx
  const row = one(await db.orm
    .insert(organizations)
    .values({ id: newId('organization'), workspaceId: workspace.id, parentId: parent?.id ?? null, name, createdAt: now })
    .returning())
  await recordEvent(db, {
    workspaceId: workspace.id,
    at: now,
    kind: 'org.created',
    refs: { orgId: row.id, ...(parent ? { parentId: parent.id } : {}) },
    data: { name: row.name },
  })
  return row
}
