import { sql } from 'drizzle-orm'
import type { Db } from '../store/open.js'
import { workspaces } from '../store/schema/index.js'
import { type WorkspaceView, workspaceView } from './view.js'

export function listWorkspaces(db: Db): { workspaces: WorkspaceView[] } {
  const rows = db.orm.select().from(workspaces).orderBy(sql`rowid`).all()
  return { workspaces: rows.map(workspaceView) }
}
