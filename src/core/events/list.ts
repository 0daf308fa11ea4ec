// Reading the event log (R-EV-1), oldest first, filtered by kind and time.
// Usage decisions live in the usage ledger (one row per report, written on the
// hot path); they are listed here as usage.accepted / usage.rejected /
// usage.replayed events rather than written twice.
import type { Param } from '../store/db.js'
import { iso } from '../clock.js'
import type { Db } from '../store/open.js'
import { invalid, notFound } from '../errors.js'
import { quotedIdPattern } from '../lists/pages.js'
import { resolveAccount } from '../accounts/resolve.js'
import { resolveOrg } from '../orgs/resolve.js'
import { loadTree } from '../orgs/tree.js'

export type EventView = {
  id: string
  at: string
  kind: string
  refs: Record<string, string | null>
  data: Record<string, unknown>
  /** Names of the accounts, organizations and payment methods (brand •••• last4) in refs, by id. */
  names: Record<string, string>
}

const NAMED = /^(acct|org|pmr)_/

/**
 * Names by id within one workspace, looked up once per id: a page of events
 * names few distinct objects. An id of another workspace's object has no name
 * here (a report may name one, and is refused NOT_FOUND for it).
 */
export function nameCache(db: Db, workspaceId: string): (id: string) => Promise<string | undefined> {
  const cache = new Map<string, string | undefined>()
  return async (id) => {
    if (cache.has(id)) return cache.get(id)
    const row = id.startsWith('acct_')
      ? await db.get('SELECT name FROM billing_accounts WHERE id = ? AND workspace_id = ?', id, workspaceId)
      : id.startsWith('org_')
        ? await db.get('SELECT name FROM organizations WHERE id = ? AND workspace_id = ?', id, workspaceId)
        : await db.get("SELECT brand || ' •••• ' || last4 AS name FROM payment_methods WHERE id = ? AND workspace_id = ?", id, workspaceId)
    const name = (row as { name?: string } | undefined)?.name
    cache.set(id, name)
    return name
  }
}

async function namesOf(refs: Record<string, unknown>, lookup: (id: string) => Promise<string | undefined>): Promise<Record<string, string>> {
  const names: Record<string, string> = {}
  for (const value of Object.values(refs)) {
    if (typeof value !== 'string' || !NAMED.test(value)) continue
    const name = await lookup(value)
    if (name !== undefined) names[value] = name
  }
  return names
}

/**
 * `until`: before this time. `accountId`/`orgId`: events naming that account or
 * organization among their ids; for an org, its usage decisions too (the usage
 * ledger names orgs, not accounts, so an account filter leaves usage out).
 */
export type EventFilter = { kinds?: string[]; since?: number; until?: number; accountId?: string; orgId?: string }

export type ListEventsOptions = EventFilter & { limit?: number }

/** The time, account and org conditions on one source ('e' events, 'u' usage ledger), or null when no row of it can match. */
export function scope(src: 'e' | 'u', filter: EventFilter, params: Param[]): string | null {
  let sql = ''
  if (filter.until !== undefined) {
    sql += ' AND at < ?'
    params.push(filter.until)
  }
  if (filter.accountId !== undefined) {
    if (src === 'u') return null
    sql += " AND refs LIKE ? ESCAPE '\\'"
    params.push(quotedIdPattern(filter.accountId))
  }
  if (filter.orgId !== undefined) {
    sql += src === 'e' ? " AND refs LIKE ? ESCAPE '\\'" : ' AND org_id = ?'
    params.push(src === 'e' ? quotedIdPattern(filter.orgId) : filter.orgId)
  }
  return sql
}

/** Whether a kind filter can match a usage.* event. */
export const wantsUsage = (kinds: string[] | undefined) =>
  !kinds?.length || kinds.some((kind) => kind === 'usage' || kind.startsWith('usage.'))

export type Row = { src: 'e' | 'u'; id: number; at: number; kind: string; refs: string | null; data: string | null } & Record<`u_${string}`, unknown>

export const USAGE_NULLS = `CAST(NULL AS text) AS u_org, CAST(NULL AS text) AS u_product, CAST(NULL AS text) AS u_kind, CAST(NULL AS bigint) AS u_value,
  CAST(NULL AS bigint) AS u_delta, CAST(NULL AS text) AS u_reason, CAST(NULL AS bigint) AS u_level, CAST(NULL AS bigint) AS u_headroom, CAST(NULL AS text) AS u_key`

/** The usage ledger's columns as a log row (see Row); the query adds FROM usage_ledger and its conditions. */
export const USAGE_AS_EVENT = `SELECT 'u' AS src, id, at, 'usage.' || outcome AS kind,
  CAST(NULL AS text) AS refs, CAST(NULL AS text) AS data, org_id AS u_org, product AS u_product, kind AS u_kind,
  value AS u_value, delta AS u_delta, reason AS u_reason, level_after AS u_level, headroom_after AS u_headroom, key AS u_key`

/**
 * The command topics that name a kind family differently (wsb sub …, wsb pm …):
 * `--kind sub` means the subscription.* events, `--kind pm.added` payment_method.added.
 */
const KIND_ALIASES: Record<string, string> = { sub: 'subscription', pm: 'payment_method' }

/** --kind values with the topics' names read as the kinds' own. */
export const eventKinds = (kinds: string[] | undefined): string[] | undefined =>
  kinds?.map((kind) => {
    const [family = '', ...rest] = kind.split('.')
    const alias = KIND_ALIASES[family]
    return alias === undefined ? kind : [alias, ...rest].join('.')
  })

/** "org" matches org.created, org.deleted …; "org.created" matches itself. */
export function kindCondition(kinds: string[] | undefined, column: string, params: Param[]): string {
  if (!kinds?.length) return ''
  for (const kind of kinds) params.push(kind, kind)
  return ` AND (${kinds.map(() => `(${column} = ? OR ${column} LIKE ? || '.%')`).join(' OR ')})`
}

/** A log row as people and programs read it. */
export async function eventView(row: Row, lookup: (id: string) => Promise<string | undefined>): Promise<EventView> {
  const refs = refsOf(row) as Record<string, string | null>
  // A report refused for its reference keeps the org as it was given: unless
  // that is one of this workspace's orgs, it is no id (orgId null, orgRef the text).
  if (row.src === 'u' && (row.u_reason === 'NOT_FOUND' || row.u_reason === 'AMBIGUOUS_REFERENCE') && (await lookup(String(row.u_org))) === undefined)
    Object.assign(refs, { orgId: null, orgRef: row.u_org })
  return {
    id: `${row.src === 'e' ? 'evt' : 'rpt'}_${row.id}`,
    at: iso(Number(row.at)),
    kind: row.kind,
    refs,
    data: Object.fromEntries(Object.entries(dataOf(row)).filter(([, value]) => value !== null)),
    names: await namesOf(refs, lookup),
  }
}

const refsOf = (row: Row): Record<string, unknown> =>
  row.src === 'e' ? (JSON.parse(row.refs as string) as Record<string, unknown>) : { orgId: row.u_org, reportId: `rpt_${row.id}` }
const dataOf = (row: Row): Record<string, unknown> =>
  row.src === 'e'
    ? (JSON.parse(row.data as string) as Record<string, unknown>)
    : { product: row.u_product, kind: row.u_kind, value: row.u_value, delta: row.u_delta, reason: row.u_reason, level: row.u_level, headroom: row.u_headroom, key: row.u_key }

export async function listEvents(db: Db, workspaceId: string, options: ListEventsOptions = {}): Promise<{ events: EventView[]} > {
  const since = options.since === undefined ? '' : ' AND at >= ?'
  // The filters, order and limit sit inside each source's query, so each is
  // read through its (workspace_id, at) index and stops after N rows: applied
  // to the union instead, SQLite sorted every row first (620 ms for the latest
  // 20 of 1,000,000 ledger rows, bench/events.ts).
  const kindFilter = (column: string, params: Param[]) => kindCondition(options.kinds, column, params)
  // With a limit: the latest N, still shown oldest first.
  const order = options.limit === undefined ? 'at, src, id' : 'at DESC, src DESC, id DESC'
  const limit = options.limit === undefined ? '' : ` LIMIT ${Math.trunc(options.limit)}`
  const arm = (sql: string) => (limit ? `SELECT * FROM (${sql} ORDER BY at DESC, id DESC${limit}) AS part` : sql)
  const params: Param[] = [workspaceId, ...(options.since === undefined ? [] : [options.since])]
  const parts = [arm(`SELECT 'e' AS src, id, at, kind, refs, data, ${USAGE_NULLS} FROM events WHERE workspace_id = ?${since}${scope('e', options, params) ?? ''}${kindFilter('kind', params)}`)]
  const usageParams: Param[] = [workspaceId, ...(options.since === undefined ? [] : [options.since])]
  const usageScope = wantsUsage(options.kinds) ? scope('u', options, usageParams) : null
  if (usageScope !== null) {
    // Usage rows are selected as columns and shaped into refs and data here: JSON
    // building functions differ between SQLite and PostgreSQL (portable SQL only).
    parts.push(
      arm(`${USAGE_AS_EVENT}
      FROM usage_ledger WHERE workspace_id = ?${since}${usageScope}${kindFilter("'usage.' || outcome", usageParams)}`),
    )
    params.push(...usageParams)
  }
  const rows = (await db.all(`SELECT * FROM (${parts.join(' UNION ALL ')}) AS log ORDER BY ${order}${limit}`, ...params)) as Row[]
  if (options.limit !== undefined) rows.reverse()
  const lookup = nameCache(db, workspaceId)
  const events: EventView[] = []
  for (const row of rows) events.push(await eventView(row, lookup))
  return { events }
}

/** A position in the log, in its order (time, events before usage decisions at one instant, id). */
export type EventCursor = { at: number; src: 'e' | 'u'; id: number }

/** The position of an event id (evt_N or rpt_N) of this workspace: where --after continues. */
export async function eventCursor(db: Db, workspaceId: string, ref: string): Promise<EventCursor> {
  const match = /^(evt|rpt)_(\d+)$/.exec(ref.trim())
  if (!match) throw invalid(`--after: "${ref}" is not an event id (evt_N or rpt_N, as events lists them)`, { value: ref })
  const src = match[1] === 'evt' ? 'e' : 'u'
  const id = Number(match[2])
  const row = (await db.get(`SELECT at FROM ${src === 'e' ? 'events' : 'usage_ledger'} WHERE workspace_id = ? AND id = ?`, workspaceId, id)) as { at: number } | undefined
  if (!row) throw notFound('event', ref)
  return { at: Number(row.at), src, id }
}

/**
 * The arms of one source after the cursor, each a condition read in index order:
 * src 'e' sorts before 'u' at the same instant. In the cursor's own source the
 * rows at the cursor's instant with a higher id are an arm of their own
 * (`at = ? AND id > ?`: an equality, then a range on the id the (workspace_id,
 * at) index ends with), beside `at > ?`. One condition `at >= ? AND (at > ? OR
 * (at = ? AND id > ?))` made every page scan every row at that instant from its
 * first: a million rows at one frozen test-clock instant took quadratic time.
 */
function afterCursor(src: 'e' | 'u', after: EventCursor): { sql: string; params: Param[]; order: string }[] {
  if (src > after.src) return [{ sql: ' AND at >= ?', params: [after.at], order: 'at, id' }]
  if (src < after.src) return [{ sql: ' AND at > ?', params: [after.at], order: 'at, id' }]
  return [
    { sql: ' AND at = ? AND id > ?', params: [after.at, after.id], order: 'id' },
    { sql: ' AND at > ?', params: [after.at], order: 'at, id' },
  ]
}

const FIRST_PAGE = 50

/**
 * The log page by page after `after` (or from `since`), oldest first: each page
 * is one query of keyed arms per source (events, usage ledger) through its
 * (workspace_id, at) index, LIMIT pageSize each, merged; memory holds one page
 * whatever the history's size, and the first page is out at once.
 */
export async function* eventPages(
  db: Db,
  workspaceId: string,
  options: EventFilter & { after?: EventCursor; pageSize?: number } = {},
): AsyncGenerator<EventView[]> {
  // The first page is small, so the first rows are out at once (`events | head`):
  // a page of 500 costs a fresh process ~20 ms before its first line.
  let pageSize = Math.min(FIRST_PAGE, options.pageSize ?? 500)
  const lookup = nameCache(db, workspaceId)
  let after = options.after
  const usage = wantsUsage(options.kinds)
  const usageSelect = `${USAGE_AS_EVENT} FROM usage_ledger WHERE workspace_id = ?`
  const eventSelect = `SELECT 'e' AS src, id, at, kind, refs, data, ${USAGE_NULLS} FROM events WHERE workspace_id = ?`
  for (;;) {
    const parts: string[] = []
    const params: Param[] = []
    // Each arm of each source: its position, then the filters; --since and --after both hold.
    const arms = (src: 'e' | 'u', select: string, kindColumn: string) => {
      for (const arm of after ? afterCursor(src, after) : [{ sql: '', params: [], order: 'at, id' }]) {
        const armParams: Param[] = [workspaceId, ...arm.params]
        let sql = `${select}${arm.sql}`
        if (options.since !== undefined) {
          sql += ' AND at >= ?'
          armParams.push(options.since)
        }
        const filters = scope(src, options, armParams)
        if (filters === null) return
        parts.push(`SELECT * FROM (${sql}${filters}${kindCondition(options.kinds, kindColumn, armParams)} ORDER BY ${arm.order} LIMIT ${pageSize}) AS part`)
        params.push(...armParams)
      }
    }
    arms('e', eventSelect, 'kind')
    if (usage) arms('u', usageSelect, "'usage.' || outcome")
    const sql = `SELECT * FROM (${parts.join(' UNION ALL ')}) AS page ORDER BY at, src, id LIMIT ${pageSize}`
    const rows = (await db.all(sql, ...params)) as Row[]
    if (rows.length === 0) return
    const page: EventView[] = []
    for (const row of rows) page.push(await eventView(row, lookup))
    const last = rows.at(-1) as Row
    after = { at: Number(last.at), src: last.src, id: Number(last.id) }
    yield page
    if (rows.length < pageSize) return
    pageSize = options.pageSize ?? 500
  }
}

/** The ids behind --account and --org (names or ids, as elsewhere); an unknown one is NOT_FOUND. */
export async function eventOwners(db: Db, workspaceId: string, refs: { account?: string; org?: string }): Promise<{ accountId?: string; orgId?: string }> {
  const accountId = refs.account === undefined ? undefined : (await resolveAccount(db, workspaceId, refs.account)).id
  const orgId = refs.org === undefined ? undefined : resolveOrg(await loadTree(db, workspaceId), refs.org).id
  return { accountId, orgId }
}
