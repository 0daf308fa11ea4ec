// What every workspace-scoped core function receives: the database, the
// workspace it acts in (R-WS-2) and that workspace's current time (R-WS-3).
import { workspaceNow } from './clock.js'
import type { Db } from './store/open.js'
import type { WorkspaceRow } from './store/schema/index.js'

export type Ctx = { db: Db; workspace: WorkspaceRow; now: number }

export function contextFor(db: Db, workspace: WorkspaceRow): Ctx {
  return { db, workspace, now: workspaceNow(workspace) }
}
