// The JSON shape of an organization (SPEC §2: id, name, parentId, workspaceId, limits).
import { iso } from '../clock.js'
import type { Db } from '../store/connect.js'
import type { OrganizationRow } from '../store/schema/index.js'
import { ancestry, type OrgTree, pathOf } from './tree.js'

export type OrgView = {
  id: string
  name: string
  parentId: string | null
  workspaceId: string
  path: string
  depth: number
  limits: Record<string, number>
  createdAt: string
}

export type LimitsByOrg = Map<string, Record<string, number>>

export async function loadLimits(db: Db, workspaceId: string): Promise<LimitsByOrg> {
  const byOrg: LimitsByOrg = new Map()
  const rows = (await db.all('SELECT org_id AS "orgId", product, "limit" FROM org_limits WHERE workspace_id = ?', workspaceId)) as {
    orgId: string
    product: string
    limit: number
  }[]
  for (const row of rows) {
    const limits = byOrg.get(row.orgId) ?? {}
    limits[row.product] = row.limit
    byOrg.set(row.orgId, limits)
  }
  return byOrg
}

/** `placed` gives the path and depth when a walk already has them (see tree.ts walk). */
export function orgView(tree: OrgTree, limits: LimitsByOrg, row: OrganizationRow, placed?: { path: string; depth: number }): OrgView {
  return {
    id: row.id,
    name: row.name,
    parentId: row.parentId,
    workspaceId: row.workspaceId,
    path: placed?.path ?? pathOf(tree, row.id),
    depth: placed?.depth ?? ancestry(tree, row.id).length - 1,
    limits: Object.fromEntries(Object.entries(limits.get(row.id) ?? {}).sort(([a], [b]) => a.localeCompare(b))),
    createdAt: iso(row.createdAt),
  }
}
