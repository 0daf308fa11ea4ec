// The lifecycle queue (R-WS-4): time-based steps as rows due at a workspace
// time. Scheduling the same step twice is harmless (unique on kind, ref, time).
import type { Db } from '../store/open.js'

export type StepKind = 'period_end' | 'trial_reminder' | 'collect' | 'card_expiry'
export type DueStep = { id: number; workspace_id: string; due_at: number; kind: StepKind; ref_id: string }

/** Steps that call the payment provider: run outside any transaction. */
export const externalKinds: readonly StepKind[] = ['collect']

export function schedule(db: Db, workspaceId: string, kind: StepKind, refId: string, dueAt: number): void {
  db.sqlite
    .prepare('INSERT OR IGNORE INTO due_steps (workspace_id, due_at, kind, ref_id) VALUES (?, ?, ?, ?)')
    .run(workspaceId, dueAt, kind, refId)
}

export function unschedule(db: Db, workspaceId: string, kind: StepKind, refId: string): void {
  db.sqlite.prepare('DELETE FROM due_steps WHERE workspace_id = ? AND kind = ? AND ref_id = ?').run(workspaceId, kind, refId)
}

/** The earliest due time of the workspace, or null: the one lookup a command pays when nothing is due. */
export function earliestDue(db: Db, workspaceId: string): number | null {
  const row = db.sqlite.prepare('SELECT min(due_at) AS due FROM due_steps WHERE workspace_id = ?').get(workspaceId) as { due: number | null }
  return row.due
}

/** The next step due by `until`, earliest first (ties in scheduling order). */
export function nextDue(db: Db, workspaceId: string, until: number, skipExternal: boolean): DueStep | undefined {
  const external = skipExternal ? ` AND kind NOT IN (${externalKinds.map((k) => `'${k}'`).join(', ')})` : ''
  return db.sqlite
    .prepare(`SELECT id, workspace_id, due_at, kind, ref_id FROM due_steps WHERE workspace_id = ? AND due_at <= ?${external} ORDER BY due_at, id LIMIT 1`)
    .get(workspaceId, until) as DueStep | undefined
}

export function removeStep(db: Db, id: number): boolean {
  return db.sqlite.prepare('DELETE FROM due_steps WHERE id = ?').run(id).changes === 1
}
