// A workspace with its counts; later capabilities add pools to it.
import { count, eq } from 'drizzle-orm'
import type { Ctx } from '../context.js'
import { type PoolView, poolReport } from '../pools/report.js'
import { billingAccounts, organizations } from '../store/schema/index.js'
import { type WorkspaceView, workspaceView } from './view.js'

export type WorkspaceDetail = WorkspaceView & { organizations: number; accounts: number; pools: PoolView[] }

export function showWorkspace(ctx: Ctx): WorkspaceDetail {
  const { db, workspace } = ctx
  const orgs = db.orm.select({ n: count() }).from(organizations).where(eq(organizations.workspaceId, workspace.id)).get()
  const accounts = db.orm.select({ n: count() }).from(billingAccounts).where(eq(billingAccounts.workspaceId, workspace.id)).get()
  return { ...workspaceView(workspace), organizations: orgs?.n ?? 0, accounts: accounts?.n ?? 0, pools: poolReport(ctx).pools }
}
