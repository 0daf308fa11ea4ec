// Top-level organizations' names by id, beside the accounts they are assigned
// to. Plain SQL in a module of its own: usage report (a hot path that starts
// without the query builder) names accounts' organizations through it.
import type { Ctx } from '../context.js'

export async function orgNames(ctx: Ctx): Promise<Map<string, string>> {
  const rows = (await ctx.db.all('SELECT id, name FROM organizations WHERE workspace_id = ? AND parent_id IS NULL', ctx.workspace.id)) as { id: string; name: string }[]
  return new Map(rows.map((r) => [r.id, r.name]))
}
