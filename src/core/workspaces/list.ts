import { sql } from 'drizzle-orm'
import type { Db } from '../store/open.js'
import { workspaces } from '../store/schema/index.js'
import { type WorkspaceView, workspaceView } from './view.js'

export async function listWorkspaces(db: Db): Promise<{ workspaces: WorkspaceView[]} > {
  const rows = (await db.orm.select().from(workspaces).orderBy(sql.raw(db.creationOrder)))
  return { workspaces: rows.map((row) => workspaceView(row)) }
}
