// A workspace with its counts; later capabilities add pools to it.
import { count, eq } from 'drizzle-orm'
import type { Ctx } from '../context.js'
import { type PoolView, poolReport } from '../pools/report.js'
import { billingAccounts, organizations } from '../store/schema/index.js'
import { getSeller } from './seller.js'
import { type WorkspaceView, workspaceView } from './view.js'

export type WorkspaceDetail = WorkspaceView & { organizations: number; accounts: number; pools: PoolView[] }

export async function showWorkspace(ctx: Ctx): Promise<WorkspaceDetail> {
  const { db, workspace } = ctx
  const orgs = (await db.orm.select({ n: count() }).from(organizations).where(eq(organizations.workspaceId, workspace.id)).limit(1))[0]
  const accounts = (await db.orm.select({ n: count() }).from(billingAccounts).where(eq(billingAccounts.workspaceId, workspace.id)).limit(1))[0]
  return { ...workspaceView(workspace, await getSeller(ctx)), organizations: orgs?.n ?? 0, accounts: accounts?.n ?? 0, pools: (await poolReport(ctx)).pools }
}
