// Naming a pool for usage history and alerts: by the pool's id or name (the
// workspace's in pooled and single modes, an account's in assigned mode), or by
// the id or name of an account that feeds it.
import type { Ctx } from '../context.js'
import { notFound } from '../errors.js'
import { type Pool, poolsOf } from '../pools/pools.js'

export async function resolvePool(ctx: Ctx, ref: string): Promise<Pool> {
  const wanted = ref.trim().toLowerCase()
  const pools = await poolsOf(ctx)
  const direct = pools.find((p) => p.id.toLowerCase() === wanted || p.name.toLowerCase() === wanted)
  if (direct) return direct
  const accounts = await ctx.db.all<{ id: string }>('SELECT id FROM billing_accounts WHERE workspace_id = ? AND (lower(id) = ? OR lower(name) = ?)', ctx.workspace.id, wanted, wanted)
  const pool = pools.find((p) => accounts.some((a) => p.accountIds.includes(a.id)))
  if (!pool) throw notFound('pool', ref)
  return pool
}
