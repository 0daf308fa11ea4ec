// Doctor: the organization forest (R-ORG-1). Every parent exists and is in the
// child's workspace, and following parents always ends at a top-level org.
import { type DoctorScope, defineCheck, type Finding, inScope, query } from './check.js'

type OrgRow = { id: string; workspace_id: string; parent_id: string | null; parent_workspace: string | null }

const loaded = new WeakMap<DoctorScope, OrgRow[]>()

async function orgRows(scope: DoctorScope): Promise<OrgRow[]> {
  let rows = loaded.get(scope)
  if (!rows) {
    rows = await query<OrgRow>(
      scope,
      `SELECT o.id, o.workspace_id, o.parent_id, p.workspace_id AS parent_workspace
       FROM organizations o LEFT JOIN organizations p ON p.id = o.parent_id
       WHERE ${inScope('o.workspace_id')} ORDER BY o.id`,
    )
    loaded.set(scope, rows)
  }
  return rows
}

export type OrgCycle = { workspaceId: string; orgIds: string[] }

/**
 * Every cycle of parent links, once each, starting at its smallest id. One
 * walk up from each org, marking what is done: linear in the number of orgs.
 */
export async function orgCycles(scope: DoctorScope): Promise<OrgCycle[]> {
  const rows = await orgRows(scope)
  const parentOf = new Map(rows.map((row) => [row.id, row.parent_id]))
  const workspaceOf = new Map(rows.map((row) => [row.id, row.workspace_id]))
  const state = new Map<string, 'walking' | 'done'>()
  const cycles: OrgCycle[] = []
  for (const row of await rows) {
    const path: string[] = []
    let id: string | null | undefined = row.id
    while (id && parentOf.has(id) && !state.has(id)) {
      state.set(id, 'walking')
      path.push(id)
      id = parentOf.get(id)
    }
    if (id && state.get(id) === 'walking') {
      const members = path.slice(path.indexOf(id))
      const start = members.indexOf([...members].sort()[0] as string)
      cycles.push({ workspaceId: workspaceOf.get(id) as string, orgIds: [...members.slice(start), ...members.slice(0, start)] })
    }
    for (const visited of path) state.set(visited, 'done')
  }
  return cycles
}

export const orgForest = defineCheck('org-forest', 'R-ORG-1', 'organizations form a forest inside each workspace', async function orgForest(scope) {
  const findings: Finding[] = []
  for (const row of await orgRows(scope)) {
    if (row.parent_id === null) continue
    if (row.parent_workspace === null)
      findings.push({ ids: { workspaceId: row.workspace_id, orgId: row.id, parentId: row.parent_id }, message: `organization ${row.id} has parent ${row.parent_id}, which does not exist` })
    else if (row.parent_workspace !== row.workspace_id)
      findings.push({
        ids: { workspaceId: row.workspace_id, orgId: row.id, parentId: row.parent_id, parentWorkspaceId: row.parent_workspace },
        message: `organization ${row.id} has parent ${row.parent_id} from another workspace (${row.parent_workspace})`,
      })
  }
  for (const cycle of await orgCycles(scope))
    findings.push({
      ids: { workspaceId: cycle.workspaceId, orgId: cycle.orgIds[0] as string, orgIds: cycle.orgIds.join(',') },
      message: `organizations form a cycle: ${[...cycle.orgIds, cycle.orgIds[0]].join(' → ')} (each is its own ancestor, so none has a top-level organization)`,
    })
  return findings
})
