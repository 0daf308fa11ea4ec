// Reading the event log (R-EV-1), oldest first, filtered by kind and time.
// Usage decisions live in the usage ledger (one row per report, written on the
// hot path); they are listed here as usage.accepted / usage.rejected /
// usage.replayed events rather than written twice.
import type { Param } from '../store/db.js'
import { iso } from '../clock.js'
import type { Db } from '../store/open.js'

export type EventView = {
  id: string
  at: string
  kind: string
  refs: Record<string, string>
  data: Record<string, unknown>
}

export type ListEventsOptions = { kinds?: string[]; since?: number; limit?: number }

/** Whether a kind filter can match a usage.* event. */
const wantsUsage = (kinds: string[] | undefined) =>
  !kinds?.length || kinds.some((kind) => kind === 'usage' || kind.startsWith('usage.'))

type Row = { src: 'e' | 'u'; id: number; at: number; kind: string; refs: string; data: string }

export async function listEvents(db: Db, workspaceId: string, options: ListEventsOptions = {}): Promise<{ events: EventView[]} > {
  const params: unknown[] = []
  const since = options.since === undefined ? '' : ' AND at >= ?'
  const parts = [`SELECT 'e' AS src, id, at, kind, refs, data FROM events WHERE workspace_id = ?${since}`]
  params.push(workspaceId, ...(options.since === undefined ? [] : [options.since]))
  if (wantsUsage(options.kinds)) {
    parts.push(`SELECT 'u' AS src, id, at, 'usage.' || outcome AS kind,
        json_object('orgId', org_id, 'reportId', 'rpt_' || id) AS refs,
        json_object('product', product, 'kind', kind, 'value', value, 'delta', delta, 'reason', reason,
                    'level', level_after, 'headroom', headroom_after, 'key', key) AS data
      FROM usage_ledger WHERE workspace_id = ?${since}`)
    params.push(workspaceId, ...(options.since === undefined ? [] : [options.since]))
  }
  let where = ''
  if (options.kinds?.length) {
    // "org" matches org.created, org.deleted …; "org.created" matches itself.
    where = ` WHERE ${options.kinds.map(() => `(kind = ? OR kind LIKE ? || '.%')`).join(' OR ')}`
    for (const kind of options.kinds) params.push(kind, kind)
  }
  // With a limit: the latest N, still shown oldest first.
  const order = options.limit === undefined ? 'at, src, id' : 'at DESC, src DESC, id DESC'
  const limit = options.limit === undefined ? '' : ` LIMIT ${Math.trunc(options.limit)}`
  const rows = (await db.all(`SELECT * FROM (${parts.join(' UNION ALL ')})${where} ORDER BY ${order}${limit}`, ...(params as Param[]))) as Row[]
  if (options.limit !== undefined) rows.reverse()
  return {
    events: rows.map((row) => ({
      id: `${row.src === 'e' ? 'evt' : 'rpt'}_${row.id}`,
      at: iso(row.at),
      kind: row.kind,
      refs: JSON.parse(row.refs),
      data: Object.fromEntries(Object.entries(JSON.parse(row.data) as Record<string, unknown>).filter(([, value]) => value !== null)),
    })),
  }
}
