// Renaming a workspace. Its mode never changes (R-WS-1): any attempt is MODE_IMMUTABLE.
import { eq, ne } from 'drizzle-orm'
import { one } from '../store/db.js'
import { workspaceNow } from '../clock.js'
import { refused } from '../errors.js'
import { recordEvent } from '../events/record.js'
import type { Db } from '../store/open.js'
import { type BillingMode, type WorkspaceRow, workspaces } from '../store/schema/index.js'
import { sellerOf } from './seller.js'
import { type WorkspaceView, workspaceView } from './view.js'
import { sameName } from '../names.js'

export type UpdateWorkspaceInput = { name?: string; mode?: BillingMode | string }

export async function updateWorkspace(db: Db, workspace: WorkspaceRow, input: UpdateWorkspaceInput): Promise<WorkspaceView> {
  if (input.mode !== undefined)
    throw refused(
      'MODE_IMMUTABLE',
      `the billing mode of workspace "${workspace.name}" is ${workspace.mode} and is permanent; create a new workspace for another mode`,
      { workspaceId: workspace.id, mode: workspace.mode, requested: input.mode },
    )
  return await db.write(async () => {
    const name = input.name
    if (name === undefined || name === workspace.name) return workspaceView(workspace, await sellerOf(db, workspace.id))
    const taken = (await db.orm
      .select({ id: workspaces.id, name: workspaces.name })
      .from(workspaces)
      .where(ne(workspaces.id, workspace.id)))
      .find((row) => sameName(row.name, name))
    if (taken) throw refused('NAME_TAKEN', `a workspace named "${name}" already exists (${taken.id})`, { id: taken.id })
    const row = one(await db.orm.update(workspaces).set({ name }).where(eq(workspaces.id, workspace.id)).returning())
    await recordEvent(db, {
      workspaceId: workspace.id,
      at: workspaceNow(workspace),
      kind: 'workspace.renamed',
      refs: { workspaceId: workspace.id },
      data: { from: workspace.name, to: name },
    })
    return workspaceView(row)
  })
}
