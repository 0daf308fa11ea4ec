// The lifecycle queue (R-WS-4): time-based steps as rows due at a workspace
// time. Scheduling the same step twice is harmless (unique on kind, ref, time).
import { hostname } from 'node:os'
import type { Db } from '../store/open.js'

export type StepKind = 'period_end' | 'trial_reminder' | 'collect' | 'card_expiry'
export type DueStep = { id: number; workspace_id: string; due_at: number; kind: StepKind; ref_id: string; claimed_by?: string | null; claimed_until?: number | null }

/** Steps that call the payment provider: run outside any transaction. */
export const externalKinds: readonly StepKind[] = ['collect']

export async function schedule(db: Db, workspaceId: string, kind: StepKind, refId: string, dueAt: number): Promise<void> {
  await db.runLater('INSERT INTO due_steps (workspace_id, due_at, kind, ref_id) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING', workspaceId, dueAt, kind, refId)
}

export async function unschedule(db: Db, workspaceId: string, kind: StepKind, refId: string): Promise<void> {
  await db.run('DELETE FROM due_steps WHERE workspace_id = ? AND kind = ? AND ref_id = ?', workspaceId, kind, refId)
}

/** The earliest due time of the workspace, or null: the one lookup a command pays when nothing is due. */
export async function earliestDue(db: Db, workspaceId: string): Promise<number|null> {
  const row = (await db.get('SELECT min(due_at) AS due FROM due_steps WHERE workspace_id = ?', workspaceId)) as { due: number | null }
  return row.due
}

/**
 * Order of steps due at the same instant (docs/rules.md "The lifecycle and previews"): period ends
 * first, so every invoice of an instant is issued before any payment at that
 * instant is tried (what is issued never depends on a payment's outcome, and
 * a preview, which collects nothing, sees it all); then trial reminders,
 * card-expiry checks, collections. Period ends in subscription creation order
 * (created_at, then creation order: two made at the same clock time in the order they
 * were made, as wsb lists them elsewhere); anything else in scheduling order.
 * The step's own id alone would depend on when it happened to be scheduled.
 */
const kindOrder = `CASE d.kind WHEN 'period_end' THEN 0 WHEN 'trial_reminder' THEN 1 WHEN 'card_expiry' THEN 2 WHEN 'collect' THEN 3 ELSE 4 END`

/** The next step due by `until`: the earliest instant, then the order above. */
export async function nextDue(db: Db, workspaceId: string, until: number, skipExternal: boolean): Promise<DueStep|undefined> {
  const external = (column: string) => (skipExternal ? ` AND ${column} NOT IN (${externalKinds.map((k) => `'${k}'`).join(', ')})` : '')
  // The instant first (an index range, in a subquery: one round trip on PostgreSQL), then the order among its few steps.
  return (await db.get(`SELECT d.id, d.workspace_id, d.due_at, d.kind, d.ref_id, d.claimed_by, d.claimed_until FROM due_steps d
       LEFT JOIN subscriptions s ON s.id = d.ref_id AND d.kind IN ('period_end', 'trial_reminder')
       WHERE d.workspace_id = ? AND d.due_at = (SELECT min(due_at) FROM due_steps WHERE workspace_id = ? AND due_at <= ?${external('kind')})${external('d.kind')}
       ORDER BY ${kindOrder}, s.created_at, s.${db.creationOrder}, d.id LIMIT 1`, workspaceId, workspaceId, until)) as DueStep | undefined
}

export async function removeStep(db: Db, id: number): Promise<boolean> {
  return (await db.run('DELETE FROM due_steps WHERE id = ?', id)).changes === 1
}

/**
 * Removes a step this transaction read: it is there (a concurrent removal fails the transaction
 * on PostgreSQL, SERIALIZABLE; SQLite has one writer), so nobody waits for the delete (Db.runLater).
 */
export async function removeSeenStep(db: Db, id: number): Promise<void> {
  await db.runLater('DELETE FROM due_steps WHERE id = ?', id)
}

/**
 * How long a claim on a provider step lasts without renewal: above a whole
 * charge (Stripe: a 5 s timeout, no SDK retries), renewed
 * before each charge. Only a process that dies on another host leaves a claim
 * that must run out; one on this host is seen dead at once.
 */
export const CLAIM_MS = 5 * 60 * 1000

/** This process, as a claim names it. */
export const claimOwner = `${hostname()}:${process.pid}`

/** A claim still held by a living process other than this one. */
function heldByAnother(step: Pick<DueStep, 'claimed_by' | 'claimed_until'>, now: number, laneExclusive: boolean): boolean {
  if (!step.claimed_by || step.claimed_by === claimOwner) return false
  // Holding an exclusive lane, no other process can be running the step.
  if (laneExclusive || (step.claimed_until ?? 0) < now) return false
  const at = step.claimed_by.lastIndexOf(':')
  if (step.claimed_by.slice(0, at) !== hostname()) return true
  try {
    process.kill(Number(step.claimed_by.slice(at + 1)), 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM' // alive, another user's
  }
}

/**
 * Claims a provider step for this process before the provider is called: one
 * committed write, so a second process meeting the step sees the claim and
 * waits rather than charging again (R-PAY-1: each charge attempted once).
 * False when a living process holds it; also renews this process's own claim.
 */
export async function claimStep(db: Db, stepId: number, laneExclusive: boolean): Promise<boolean> {
  // Looked at first without the write lock: a process waiting on another's claim polls without taking it.
  const seen = await db.get<Pick<DueStep, 'claimed_by' | 'claimed_until'>>('SELECT claimed_by, claimed_until FROM due_steps WHERE id = ?', stepId)
  if (!seen || heldByAnother(seen, Date.now(), laneExclusive)) return false
  return await db.write(async () => {
    const now = Date.now()
    const row = await db.get<Pick<DueStep, 'claimed_by' | 'claimed_until'>>('SELECT claimed_by, claimed_until FROM due_steps WHERE id = ?', stepId)
    if (!row || heldByAnother(row, now, laneExclusive)) return false
    await db.run('UPDATE due_steps SET claimed_by = ?, claimed_until = ? WHERE id = ?', claimOwner, now + CLAIM_MS, stepId)
    return true
  })
}
