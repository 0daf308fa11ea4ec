// Finding the workspace a command works in: --workspace ID|NAME, or the only one.
// Plain SQL: every command runs this first, so it stays off the query builder.
import { ExitCode, invalid, notFound, WsbError } from '../errors.js'
import type { Db } from '../store/connect.js'
import type { WorkspaceRow } from '../store/schema/index.js'
import { asciiOnly, sameName } from '../names.js'

const COLUMNS = 'id, name, mode, clock_mode AS "clockMode", clock_now AS "clockNow", created_at AS "createdAt", trial_used_at AS "trialUsedAt"'

export async function resolveWorkspace(db: Db, ref: string | undefined): Promise<WorkspaceRow> {
  if (ref === '') throw invalid('--workspace is empty; give a workspace id or name, or leave the flag out', { flag: 'workspace' })
  if (ref !== undefined) {
    let row = (await db.get(`SELECT ${COLUMNS} FROM workspaces WHERE id = ? OR lower(name) = lower(?) LIMIT 1`, ref, ref)) as WorkspaceRow | undefined
    if (!row && !asciiOnly(ref)) row = ((await db.all(`SELECT ${COLUMNS} FROM workspaces`)) as WorkspaceRow[]).find((w) => sameName(w.name, ref))
    if (!row) throw notFound('workspace', ref)
    return row
  }
  const rows = (await db.all(`SELECT ${COLUMNS} FROM workspaces LIMIT 2`)) as WorkspaceRow[]
  if (rows.length === 1) return rows[0] as WorkspaceRow
  if (rows.length === 0)
    throw new WsbError(
      'NOT_FOUND',
      'this database has no workspace yet; create one with: wsb workspace create NAME --mode single|assigned|pooled',
      ExitCode.notFound,
      { kind: 'workspace' },
    )
  const names = ((await db.all(`SELECT name FROM workspaces ORDER BY ${db.creationOrder}`)) as { name: string }[]).map((w) => w.name)
  throw invalid(`this database holds ${names.length} workspaces; choose one with --workspace or WSB_WORKSPACE`, { workspaces: names }, 'WORKSPACE_REQUIRED')
}
