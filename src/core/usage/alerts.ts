// Usage alerts (issue 17): thresholds in percent of a pool's capacity or of an
// org's limit, per product. The Meter (meter.ts) fires them in the transaction
// of the report that crosses one upward; these functions define them.
import { requireProduct } from '../catalog/products.js'
import type { Ctx } from '../context.js'
import { invalid, notFound, refused } from '../errors.js'
import { recordEvent } from '../events/record.js'
import { newId } from '../ids.js'
import { resolveOrg } from '../orgs/resolve.js'
import { loadTree, pathOf } from '../orgs/tree.js'
import { capacityOf } from '../pools/pools.js'
import { resolvePool } from './scope.js'

export type AlertView = {
  id: string
  scope: 'pool' | 'org'
  scopeId: string
  scopeName: string
  product: string
  percent: number
  /** False once fired, until usage falls back below the threshold. */
  armed: boolean
}

export type AlertScopeInput = { pool?: string; org?: string; product: string }

/** "80%,100%" or "80,100": whole percents from 1 to 1000. */
export function parsePercents(text: string): number[] {
  const parts = text.split(',').map((p) => p.trim().replace(/%$/, ''))
  const out: number[] = []
  for (const part of parts) {
    if (!/^\d+$/.test(part) || Number(part) < 1 || Number(part) > 1000)
      throw invalid(`--at: "${text}" must list whole percents from 1 to 1000, e.g. 80%,100%`, { value: text })
    if (!out.includes(Number(part))) out.push(Number(part))
  }
  return out.sort((a, b) => a - b)
}

type Scope = { kind: 'pool' | 'org'; id: string; name: string; used: number; of: number }

async function scopeFor(ctx: Ctx, input: AlertScopeInput, needLimit = true): Promise<Scope> {
  if ((input.pool === undefined) === (input.org === undefined)) throw invalid('give exactly one of --pool and --org')
  await requireProduct(ctx.db, ctx.workspace.id, input.product)
  if (input.pool !== undefined) {
    const pool = await resolvePool(ctx, input.pool)
    const used = await ctx.db.get<{ used: number }>('SELECT used FROM pool_usage WHERE pool_id = ? AND product = ?', pool.id, input.product)
    const capacity = (await capacityOf(ctx.db, ctx.workspace, pool.id)).get(input.product)?.capacity ?? 0
    return { kind: 'pool', id: pool.id, name: pool.name, used: Number(used?.used ?? 0), of: capacity }
  }
  const tree = await loadTree(ctx.db, ctx.workspace.id)
  const org = resolveOrg(tree, input.org as string)
  const limit = await ctx.db.get<{ limit: number }>('SELECT "limit" FROM org_limits WHERE org_id = ? AND product = ?', org.id, input.product)
  if (!limit && needLimit)
    throw refused('NO_LIMIT', `"${pathOf(tree, org.id)}" has no limit on ${input.product}: an org alert is a share of its limit (set one with org limit set)`, {
      orgId: org.id,
      product: input.product,
    })
  const used = await ctx.db.get<{ subtree: number }>('SELECT subtree FROM usage_levels WHERE org_id = ? AND product = ?', org.id, input.product)
  return { kind: 'org', id: org.id, name: pathOf(tree, org.id), used: Number(used?.subtree ?? 0), of: Number(limit?.limit ?? 0) }
}

type Row = { id: string; scope_kind: 'pool' | 'org'; scope_id: string; product: string; percent: number; armed: number }

async function rowsOf(ctx: Ctx, scope?: { kind: string; id: string; product: string }): Promise<Row[]> {
  const filter = scope ? ' AND scope_kind = ? AND scope_id = ? AND product = ?' : ''
  const params = scope ? [scope.kind, scope.id, scope.product] : []
  return await ctx.db.all<Row>(
    `SELECT id, scope_kind, scope_id, product, percent, armed FROM usage_alerts WHERE workspace_id = ?${filter} ORDER BY scope_kind, scope_id, product, percent`,
    ctx.workspace.id,
    ...params,
  )
}

async function views(ctx: Ctx, rows: Row[]): Promise<AlertView[]> {
  const tree = rows.some((r) => r.scope_kind === 'org') ? await loadTree(ctx.db, ctx.workspace.id) : undefined
  const pools = new Map<string, string>()
  for (const r of rows.filter((r) => r.scope_kind === 'pool')) if (!pools.has(r.scope_id)) pools.set(r.scope_id, (await resolvePool(ctx, r.scope_id).catch(() => undefined))?.name ?? r.scope_id)
  return rows.map((r) => ({
    id: r.id,
    scope: r.scope_kind,
    scopeId: r.scope_id,
    scopeName: r.scope_kind === 'pool' ? (pools.get(r.scope_id) ?? r.scope_id) : tree?.byId.has(r.scope_id) ? pathOf(tree, r.scope_id) : r.scope_id,
    product: r.product,
    percent: Number(r.percent),
    armed: Number(r.armed) === 1,
  }))
}

/**
 * Sets thresholds on a pool or an org's limit (existing ones stay). A threshold
 * already reached when set starts disarmed: it fires on the next crossing up.
 */
export async function setAlerts(ctx: Ctx, input: AlertScopeInput & { at: number[] }): Promise<{ alerts: AlertView[] }> {
  if (input.at.length === 0) throw invalid('--at: give at least one threshold, e.g. 80%')
  return await ctx.db.write(async () => {
    const scope = await scopeFor(ctx, input)
    const existing = new Set((await rowsOf(ctx, { kind: scope.kind, id: scope.id, product: input.product })).map((r) => Number(r.percent)))
    for (const percent of input.at) {
      if (existing.has(percent)) continue
      const above = scope.used > 0 && scope.used * 100 >= percent * scope.of
      const id = newId('alert')
      await ctx.db.run(
        'INSERT INTO usage_alerts (id, workspace_id, scope_kind, scope_id, product, percent, armed, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        id, ctx.workspace.id, scope.kind, scope.id, input.product, percent, above ? 0 : 1, ctx.now,
      )
      await recordEvent(ctx.db, { workspaceId: ctx.workspace.id, at: ctx.now, kind: 'alert.set', refs: { alertId: id, [`${scope.kind}Id`]: scope.id }, data: { product: input.product, percent } })
    }
    return { alerts: await views(ctx, await rowsOf(ctx, { kind: scope.kind, id: scope.id, product: input.product })) }
  })
}

/**
 * The thresholds of one pool's or org's product, checked as `alert set` checks them
 * (the product and the pool or org exist; an org has a limit unless `forRemoval`).
 */
export async function alertsOf(ctx: Ctx, input: AlertScopeInput, options: { forRemoval?: boolean } = {}): Promise<AlertView[]> {
  const scope = await scopeFor(ctx, input, !options.forRemoval)
  return await views(ctx, await rowsOf(ctx, { kind: scope.kind, id: scope.id, product: input.product }))
}

export async function listAlerts(ctx: Ctx): Promise<{ alerts: AlertView[] }> {
  return { alerts: await views(ctx, await rowsOf(ctx)) }
}

/** Removes alerts by id, or every threshold (or those in `at`) of a pool's or org's product. */
export async function removeAlerts(ctx: Ctx, input: { id?: string } | (AlertScopeInput & { at?: number[] })): Promise<{ removed: AlertView[] }> {
  return await ctx.db.write(async () => {
    let rows: Row[]
    if ('id' in input && input.id !== undefined) {
      rows = (await rowsOf(ctx)).filter((r) => r.id === input.id)
      if (rows.length === 0) throw notFound('alert', input.id)
    } else {
      const scoped = input as AlertScopeInput & { at?: number[] }
      // The product, then the pool or org, are checked first so a wrong one is named as such.
      const scope = await scopeFor(ctx, scoped, false)
      const all = await rowsOf(ctx, { kind: scope.kind, id: scope.id, product: scoped.product })
      const has = all.map((r) => Number(r.percent))
      const where = `${scope.kind} ${scope.name} ${scoped.product}`
      if (all.length === 0) throw notFound('alert', where, {}, `no alert on ${where}`)
      // All or nothing: a threshold that is not there refuses the whole call, so a typo removes nothing.
      const missing = (scoped.at ?? []).filter((p) => !has.includes(p))
      if (missing.length > 0)
        throw notFound('alert', where, { missing, has }, `no ${missing.map((p) => `${p}%`).join(', ')} alert on ${where}; it has ${has.map((p) => `${p}%`).join(', ')}`)
      rows = all.filter((r) => !scoped.at || scoped.at.includes(Number(r.percent)))
    }
    const removed = await views(ctx, rows)
    for (const r of rows) {
      await ctx.db.run('DELETE FROM usage_alerts WHERE id = ?', r.id)
      await recordEvent(ctx.db, { workspaceId: ctx.workspace.id, at: ctx.now, kind: 'alert.removed', refs: { alertId: r.id }, data: { product: r.product, percent: Number(r.percent) } })
    }
    return { removed }
  })
}
