// Finding the workspace a command works in: --workspace ID|NAME, or the only one.
// Plain SQL: every command runs this first, so it stays off the query builder.
import { ExitCode, invalid, notFound, WsbError } from '../errors.js'
import type { Db } from '../store/connect.js'
import type { WorkspaceRow } from '../store/schema/index.js'
import { asciiOnly, sameName } from '../names.js'

// With the workspace's earliest due step (R-WS-4): the catch-up check every command makes next
// costs no statement of its own (one round trip less on PostgreSQL, twice per command).
const COLUMNS = 'id, name, mode, clock_mode AS "clockMode", clock_now AS "clockNow", created_at AS "createdAt", trial_used_at AS "trialUsedAt", (SELECT min(due_at) FROM due_steps WHERE due_steps.workspace_id = workspaces.id) AS "earliestDue"'

type Resolved = WorkspaceRow & { earliestDue?: number | null }
const dueAtResolve = new WeakMap<WorkspaceRow, number | null>()

/** The row without the due time, which is kept beside it (rows are printed and spread; they keep their shape). */
function row(found: Resolved): WorkspaceRow {
  const { earliestDue, ...workspace } = found
  dueAtResolve.set(workspace, earliestDue ?? null)
  return workspace
}

/** The workspace's earliest due time as read with this row by resolveWorkspace, or undefined for a row read elsewhere. */
export const earliestDueAtResolve = (workspace: WorkspaceRow): number | null | undefined => dueAtResolve.get(workspace)

export async function resolveWorkspace(db: Db, ref: string | undefined): Promise<WorkspaceRow> {
  if (ref === '') throw invalid('--workspace is empty; give a workspace id or name, or leave the flag out', { flag: 'workspace' })
  if (ref !== undefined) {
    let found = (await db.get(`SELECT ${COLUMNS} FROM workspaces WHERE id = ? OR lower(name) = lower(?) LIMIT 1`, ref, ref)) as Resolved | undefined
    if (!found && !asciiOnly(ref)) found = ((await db.all(`SELECT ${COLUMNS} FROM workspaces`)) as Resolved[]).find((w) => sameName(w.name, ref))
    if (!found) throw notFound('workspace', ref)
    return row(found)
  }
  const rows = (await db.all(`SELECT ${COLUMNS} FROM workspaces LIMIT 2`)) as Resolved[]
  if (rows.length === 1) return row(rows[0] as Resolved)
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
