// Finding the workspace a command works in: --workspace ID|NAME, or the only one.
import { eq, or, sql } from 'drizzle-orm'
import { ExitCode, WsbError, invalid, notFound } from '../errors.js'
import type { Db } from '../store/open.js'
import { type WorkspaceRow, workspaces } from '../store/schema/index.js'

export function resolveWorkspace(db: Db, ref: string | undefined): WorkspaceRow {
  if (ref !== undefined && ref !== '') {
    const row = db.orm
      .select()
      .from(workspaces)
      .where(or(eq(workspaces.id, ref), eq(sql`lower(${workspaces.name})`, ref.toLowerCase())))
      .get()
    if (!row) throw notFound('workspace', ref)
    return row
  }
  const rows = db.orm.select().from(workspaces).limit(2).all()
  if (rows.length === 1) return rows[0] as WorkspaceRow
  if (rows.length === 0)
    throw new WsbError(
      'NOT_FOUND',
      'this database has no workspace yet; create one with: wsb workspace create NAME --mode single|assigned|pooled',
      ExitCode.notFound,
      { kind: 'workspace' },
    )
  const names = db.orm.select({ name: workspaces.name }).from(workspaces).all().map((w) => w.name)
  throw invalid(`this database holds ${names.length} workspaces; choose one with --workspace or WSB_WORKSPACE`, {
    workspaces: names,
  }, 'WORKSPACE_REQUIRED')
}
