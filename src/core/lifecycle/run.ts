// The lifecycle engine (R-WS-3, R-WS-4): runs every step due by a time, in
// time order, each in its own transaction, at the step's own workspace time.
// A step is removed in the transaction that runs it, so running twice for the
// same time does nothing the second time, and a crash loses or repeats nothing.
import { setTimeout as sleep } from 'node:timers/promises'
import { type Ctx, contextFor } from '../context.js'
import type { Db } from '../store/open.js'
import { endPeriod, remindTrialEnd } from '../subscriptions/renew.js'
import { resolveWorkspace } from '../workspaces/resolve.js'
import { collectStep } from '../payments/collect.js'
import { warnCardExpiry } from '../payments/expiry.js'
import { type ProviderFactory, providerFromEnv } from '../payments/provider.js'
import { CLAIM_MS, claimStep, type DueStep, earliestDue, externalKinds, nextDue, removeSeenStep, removeStep, type StepKind } from './queue.js'

type InternalHandler = (ctx: Ctx, step: DueStep) => Promise<void>

const internal: Partial<Record<StepKind, InternalHandler>> = {
  period_end: async (ctx, step) => await endPeriod(ctx, step.ref_id, step.due_at),
  trial_reminder: async (ctx, step) => await remindTrialEnd(ctx, step.ref_id),
  card_expiry: async (ctx, step) => await warnCardExpiry(ctx, step.ref_id),
}

export type RunOptions = {
  /** The payment provider, made only when a collect step actually runs. */
  providers?: ProviderFactory
}

/** Workspace time for a step: a test clock moves up to the step, never back. */
async function contextAt(db: Db, workspaceId: string, at: number): Promise<Ctx> {
  // Kept for the transaction (a preview runs many steps in one): a copy, as the clock is moved below.
  const key = `workspace:${workspaceId}`
  const tables = [`workspaces#id=${workspaceId}`]
  const workspace = { ...(await db.memo(key, tables, async () => await resolveWorkspace(db, workspaceId))) }
  if (workspace.clockMode === 'test' && (workspace.clockNow ?? 0) < at) {
    await db.runLater('UPDATE workspaces SET clock_now = ? WHERE id = ?', at, workspaceId)
    workspace.clockNow = at
    db.remember(key, tables, { ...workspace })
  }
  return { ...contextFor(db, workspace), now: Math.max(at, workspace.createdAt) }
}

/** Runs the internal steps due by `until`; returns the first external step met, if any. */
export async function runInternalSteps(db: Db, workspaceId: string, until: number, options: { skipExternal?: boolean } = {}): Promise<{ steps: number; external?: DueStep} > {
  let steps = 0
  for (;;) {
    // Inside a caller's transaction (a preview), the step is read in the transaction that runs it.
    const seenInRun = db.inTransaction
    const step = await nextDue(db, workspaceId, until, options.skipExternal ?? false)
    if (!step) return { steps }
    const handler = internal[step.kind]
    if (!handler) {
      if (externalKinds.includes(step.kind)) return { steps, external: step }
      await db.write(async () => await removeStep(db, step.id)) // a kind this wsb does not know: drop it
      continue
    }
    const ran = await db.write(async () => {
      // Renewals, scheduled decreases and trial ends change capacity: no report of the workspace is metered meanwhile.
      await db.excludeMetering(workspaceId)
      if (seenInRun) await removeSeenStep(db, step.id)
      else if (!(await removeStep(db, step.id))) return false // another process ran it (and counts it)
      await handler(await contextAt(db, workspaceId, step.due_at), step)
      return true
    })
    if (ran) steps++
  }
}

/**
 * Runs every step due by `until`, internal and external (payment collection), in
 * time order, holding the workspace's lifecycle lane (store: one process at a time
 * on PostgreSQL; on SQLite its one writer). `wait: false` returns null at once
 * when another process holds the lane (`billing run` moves on to the next workspace).
 */
export async function runDue(db: Db, workspaceId: string, until: number, options?: RunOptions): Promise<{ steps: number }>
export async function runDue(db: Db, workspaceId: string, until: number, options: RunOptions, wait: false): Promise<{ steps: number } | null>
export async function runDue(db: Db, workspaceId: string, until: number, options: RunOptions = {}, wait = true): Promise<{ steps: number } | null> {
  const lane = await db.lifecycleLane(workspaceId, wait)
  if (!lane) return null
  try {
    return await runDueInLane(db, workspaceId, until, options, lane.exclusive)
  } finally {
    await lane.release()
  }
}

async function runDueInLane(db: Db, workspaceId: string, until: number, options: RunOptions, laneExclusive: boolean): Promise<{ steps: number }> {
  let steps = 0
  let last: { id: number; due: number } | undefined
  for (;;) {
    const result = await runInternalSteps(db, workspaceId, until)
    steps += result.steps
    const step = result.external
    if (!step) return { steps }
    // Another process is collecting this step: later steps wait for it (time order), and so does this process.
    if (!(await claimStep(db, step.id, laneExclusive))) {
      await sleep(20 + Math.random() * 40)
      continue
    }
    // A collect step always leaves the queue or moves later; meeting it unchanged would loop forever.
    if (last?.id === step.id && last.due === step.due_at) throw new Error(`lifecycle step ${step.id} (${step.kind}) did not complete`)
    last = { id: step.id, due: step.due_at }
    // The claim is renewed before a charge once half its lease has gone (a slow provider, many backups).
    let claimedAt = Date.now()
    await collectStep(db, workspaceId, step, await (options.providers ?? providerFromEnv)(), async () => {
      if (Date.now() - claimedAt < CLAIM_MS / 2) return
      if (!(await claimStep(db, step.id, laneExclusive))) throw new Error(`lifecycle step ${step.id} (${step.kind}) was taken over by another process`)
      claimedAt = Date.now()
    })
    steps++
  }
}

/** R-WS-4: what every workspace command does first. One indexed lookup when nothing is due. */
export async function catchUp(ctx: Ctx, options: RunOptions = {}): Promise<{ steps: number; ctx: Ctx }> {
  const due = await earliestDue(ctx.db, ctx.workspace.id)
  if (due === null || due > ctx.now) return { steps: 0, ctx }
  const { steps } = await runDue(ctx.db, ctx.workspace.id, ctx.now, options)
  return { steps, ctx: contextFor(ctx.db, await resolveWorkspace(ctx.db, ctx.workspace.id)) }
}
