// events --follow (issue 15): what other processes commit, as it is committed.
// The listing's order is (time, source, id), but commits do not arrive in that
// order: an event stamped at the same instant as a report already shown (a frozen
// test clock makes that common), or a PostgreSQL transaction that took its id
// before another and committed after it, would sort behind the follower's
// position and never be shown. So the follower watches ids instead: each poll
// reads every row above a floor a little below the highest id seen, per source,
// and shows those it has not shown yet.
import type { Param } from '../store/db.js'
import type { Db } from '../store/open.js'
import { type EventFilter, type EventView, type Row, USAGE_AS_EVENT, USAGE_NULLS, eventView, kindCondition, nameCache, scope, wantsUsage } from './list.js'

/** How far below the highest id seen each poll looks again, for transactions that committed late. */
const LOOKBACK = 1000
const BATCH = 1000

type Source = { src: 'e' | 'u'; floor: number; seen: Set<number> }

export type Follower = {
  /** Marks a row as shown (the initial listing's rows), so a poll does not show it again. */
  shown(id: string): void
  /** The rows committed since the last poll (or shown), oldest first. */
  poll(): Promise<EventView[]>
}

/** Starts watching before the initial listing is read, so nothing committed meanwhile is missed. */
export async function followEvents(db: Db, workspaceId: string, filter: EventFilter): Promise<Follower> {
  const high = async (table: string) => Number(((await db.get(`SELECT max(id) AS id FROM ${table} WHERE workspace_id = ?`, workspaceId)) as { id: number | null }).id ?? 0)
  const sources: Source[] = [
    { src: 'e', floor: Math.max(0, (await high('events')) - LOOKBACK), seen: new Set() },
    ...(wantsUsage(filter.kinds) && !filter.accountId ? [{ src: 'u' as const, floor: Math.max(0, (await high('usage_ledger')) - LOOKBACK), seen: new Set<number>() }] : []),
  ]
  const lookup = nameCache(db, workspaceId)
  const mark = (source: Source, id: number) => {
    if (id > source.floor) source.seen.add(id)
  }
  const read = async (source: Source, above: number): Promise<Row[]> => {
    const params: Param[] = [workspaceId, above, ...(filter.since === undefined ? [] : [filter.since])]
    const where = `WHERE workspace_id = ? AND id > ?${filter.since === undefined ? '' : ' AND at >= ?'}`
    const sql =
      source.src === 'e'
        ? `SELECT 'e' AS src, id, at, kind, refs, data, ${USAGE_NULLS} FROM events ${where}${scope('e', filter, params) ?? ''}${kindCondition(filter.kinds, 'kind', params)}`
        : `${USAGE_AS_EVENT} FROM usage_ledger ${where}${scope('u', filter, params) ?? ''}${kindCondition(filter.kinds, "'usage.' || outcome", params)}`
    return (await db.all(`${sql} ORDER BY id LIMIT ${BATCH}`, ...params)) as Row[]
  }
  return {
    shown(id) {
      const match = /^(evt|rpt)_(\d+)$/.exec(id)
      const source = sources.find((s) => s.src === (match?.[1] === 'evt' ? 'e' : 'u'))
      if (match && source) mark(source, Number(match[2]))
    },
    async poll() {
      // Each poll is a fresh read: what other processes committed since is visible.
      await db.endSnapshot()
      const fresh: Row[] = []
      for (const source of sources) {
        for (let above = source.floor; ; ) {
          const rows = await read(source, above)
          for (const row of rows) if (!source.seen.has(Number(row.id))) fresh.push(row)
          for (const row of rows) mark(source, Number(row.id))
          if (rows.length < BATCH) break
          above = Number((rows.at(-1) as Row).id)
        }
        let highest = source.floor
        for (const id of source.seen) if (id > highest) highest = id
        source.floor = Math.max(source.floor, highest - LOOKBACK)
        for (const id of source.seen) if (id <= source.floor) source.seen.delete(id)
      }
      fresh.sort((a, b) => Number(a.at) - Number(b.at) || (a.src < b.src ? -1 : a.src > b.src ? 1 : 0) || Number(a.id) - Number(b.id))
      const views: EventView[] = []
      for (const row of fresh) views.push(await eventView(row, lookup))
      return views
    },
  }
}
