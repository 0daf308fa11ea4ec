// Test clocks (R-WS-3): frozen until advanced, never moved backwards. Advancing
// runs every step due on the way, in time order, at its own time.
import { eq } from 'drizzle-orm'
import { iso } from '../clock.js'
import type { Ctx } from '../context.js'
import { invalid, refused } from '../errors.js'
import { recordEvent } from '../events/record.js'
import type { Db } from '../store/open.js'
import { workspaces } from '../store/schema/index.js'
import { resolveWorkspace } from '../workspaces/resolve.js'
import { type RunOptions, runDue } from './run.js'

export type ClockView = { workspaceId: string; mode: 'real' | 'test'; now: string; nextDueAt: string | null }

export async function showClock(ctx: Ctx): Promise<ClockView> {
  const due = (await ctx.db.get('SELECT min(due_at) AS due FROM due_steps WHERE workspace_id = ?', ctx.workspace.id)) as { due: number | null }
  return { workspaceId: ctx.workspace.id, mode: ctx.workspace.clockMode, now: iso(ctx.now), nextDueAt: due.due === null ? null : iso(due.due) }
}

export type AdvanceResult = ClockView & { from: string; steps: number; invoicesIssued: number }

export async function advanceClock(db: Db, workspaceId: string, to: number, options: RunOptions = {}): Promise<AdvanceResult> {
  const workspace = await resolveWorkspace(db, workspaceId)
  if (workspace.clockMode !== 'test')
    throw refused('NOT_A_TEST_CLOCK', `workspace "${workspace.name}" runs on the real clock; only test-clock workspaces can be advanced`, { workspaceId })
  const from = workspace.clockNow ?? 0
  if (to < from) throw invalid(`the clock cannot move backwards: it is at ${iso(from)}, asked for ${iso(to)}`, { now: iso(from), to: iso(to) }, 'CLOCK_BACKWARDS')
  const invoicesBefore = ((await db.get('SELECT count(*) AS n FROM invoices WHERE workspace_id = ?', workspaceId)) as { n: number }).n
  const { steps } = await runDue(db, workspaceId, to, options)
  await db.write(async () => {
    await db.orm.update(workspaces).set({ clockNow: to }).where(eq(workspaces.id, workspaceId))
    await recordEvent(db, { workspaceId, at: to, kind: 'clock.advanced', refs: { workspaceId }, data: { from: iso(from), to: iso(to), steps } })
  })
  const invoicesAfter = ((await db.get('SELECT count(*) AS n FROM invoices WHERE workspace_id = ?', workspaceId)) as { n: number }).n
  const after = await resolveWorkspace(db, workspaceId)
  const view = await showClock({ db, workspace: after, now: to })
  return { ...view, from: iso(from), steps, invoicesIssued: invoicesAfter - invoicesBefore }
}

/** `billing run`: catch up every real-clock workspace that has something due (for cron). */
export async function runBilling(db: Db, now = Date.now(), options: RunOptions = {}): Promise<{ workspaces: { id: string; name: string; steps: number }[] }> {
  const due = (await db.all(`SELECT w.id, w.name FROM workspaces w WHERE w.clock_mode = 'real'
       AND EXISTS (SELECT 1 FROM due_steps d WHERE d.workspace_id = w.id AND d.due_at <= ?) ORDER BY w.${db.creationOrder}`, now)) as { id: string; name: string }[]
  // A workspace another process is running is passed over, then waited for at the
  // end: two hosts share the workspaces, and each returns only when all is done.
  const steps = new Map<string, number>()
  const busy: typeof due = []
  for (const workspace of due) {
    const result = await runDue(db, workspace.id, now, options, false)
    if (result) steps.set(workspace.id, result.steps)
    else busy.push(workspace)
  }
  for (const workspace of busy) steps.set(workspace.id, (await runDue(db, workspace.id, now, options)).steps)
  return { workspaces: due.map((workspace) => ({ ...workspace, steps: steps.get(workspace.id) ?? 0 })) }
}
