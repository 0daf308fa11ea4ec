// How a metering batch is written on PostgreSQL (meter-store.ts): a small batch
// as one call of wsb_meter_write (its ledger rows, changed counters, finished
// hours, rejection bindings and alerts), sent with its COMMIT; a bulk batch
// (`usage import`) as one statement for the same parts, its ledger rows and
// counter rows first through COPY.
import { COUNTER_ROLL_COLUMNS, type LedgerValues, ORG_ROLLUP_MERGE, POOL_ROLL_COLUMNS, POOL_ROLLUP_MERGE, REJECTION_BINDING_MERGE } from '../meter-store.js'

const set = (columns: string, from: string) =>
  columns
    .split(',')
    .map((c) => `${c.trim()} = ${from}.${c.trim()}`)
    .join(', ')
const COUNTER_COLUMNS = `org_id, workspace_id, product, level, subtree, ${COUNTER_ROLL_COLUMNS}`
const POOL_COLUMNS = `pool_id, workspace_id, product, used, ${POOL_ROLL_COLUMNS}`
const POOL_TYPES = '?::text[], ?::text[], ?::text[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[]'

/** The ledger's columns, in the order of a ledger row's values (id first). */
export const LEDGER_COLUMNS = 'id, workspace_id, org_id, product, kind, value, delta, outcome, reason, level_after, headroom_after, binding_kind, binding_id, key, at'

/**
 * The parts of the one statement that writes a bulk batch: the counters (rows
 * that existed at load updated, new ones inserted unless another batch made them
 * first), the finished hours, rejection bindings and alerts. A part is in the statement only when the batch has rows for it,
 * each with its arrays' columns.
 */
type Part = { name: string; columns: number; sql: string; counted?: true }
/** Counter rows that existed, updated from unnest arrays by (owner, product); one row answered per row updated. */
const updateFrom = (table: string, owner: string, columns: string, types: string, all: string) => `UPDATE ${table} u SET ${set(columns, 'v')}
  FROM unnest(${types}) AS v(${all})
  WHERE u.${owner} = v.${owner} AND u.product = v.product
  RETURNING 1`
const PARTS: Part[] = [
  // A bulk batch's counter rows, from the session's temporary table (COPY, see COUNTER_WRITES).
  {
    name: 'copied_levels',
    columns: 0,
    counted: true,
    sql: `UPDATE usage_levels u SET ${set(`level, subtree, ${COUNTER_ROLL_COLUMNS}`, 'v')}
  FROM wsb_counter_writes v
  WHERE NOT v.fresh AND u.org_id = v.org_id AND u.product = v.product
  RETURNING 1`,
  },
  {
    name: 'copied_new_levels',
    columns: 0,
    counted: true,
    sql: `INSERT INTO usage_levels (${COUNTER_COLUMNS}) SELECT ${COUNTER_COLUMNS} FROM wsb_counter_writes WHERE fresh ON CONFLICT DO NOTHING RETURNING 1`,
  },
  {
    name: 'pools',
    columns: 11,
    counted: true,
    sql: updateFrom('pool_usage', 'pool_id', `used, ${POOL_ROLL_COLUMNS}`, POOL_TYPES, POOL_COLUMNS),
  },
  { name: 'new_pools', columns: 11, counted: true, sql: `INSERT INTO pool_usage (${POOL_COLUMNS}) SELECT * FROM unnest(${POOL_TYPES}) ON CONFLICT DO NOTHING RETURNING 1` },
  {
    name: 'org_rollups',
    columns: 18,
    sql: `INSERT INTO org_usage_rollups (org_id, product, hour, workspace_id, level, peak, accepted, rejected_capacity, rejected_limit, rejected_other,
    sub_level, sub_peak, sub_accepted, sub_rejected_capacity, sub_rejected_limit, sub_rejected_other, "limit", capacity)
  SELECT * FROM unnest(?::text[], ?::text[], ?::bigint[], ?::text[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[],
    ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[])
  ON CONFLICT (org_id, product, hour) DO UPDATE SET ${ORG_ROLLUP_MERGE}`,
  },
  {
    name: 'pool_rollups',
    columns: 11,
    sql: `INSERT INTO pool_usage_rollups (pool_id, product, hour, workspace_id, level, peak, accepted, rejected_capacity, rejected_limit, rejected_other, capacity)
  SELECT * FROM unnest(?::text[], ?::text[], ?::bigint[], ?::text[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[])
  ON CONFLICT (pool_id, product, hour) DO UPDATE SET ${POOL_ROLLUP_MERGE}`,
  },
  {
    name: 'rejection_bindings',
    columns: 7,
    sql: `INSERT INTO usage_rejection_bindings (org_id, product, hour, binding_kind, binding_id, workspace_id, rejected)
  SELECT * FROM unnest(?::text[], ?::text[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::bigint[])
  ON CONFLICT (org_id, product, hour, binding_kind, binding_id) DO UPDATE SET ${REJECTION_BINDING_MERGE}`,
  },
  { name: 'armed', columns: 2, sql: 'UPDATE usage_alerts a SET armed = u.armed FROM unnest(?::text[], ?::bigint[]) AS u(id, armed) WHERE a.id = u.id' },
  {
    name: 'fired',
    columns: 5,
    sql: `INSERT INTO notifications (workspace_id, at, kind, message, refs, dedupe_key)
  SELECT w, at, 'usage_alert', m, r, k FROM unnest(?::text[], ?::bigint[], ?::text[], ?::text[], ?::text[]) AS f(w, at, m, r, k)
  ON CONFLICT DO NOTHING`,
  },
  {
    name: 'alert_events',
    columns: 5,
    sql: `INSERT INTO events (workspace_id, at, kind, refs, data, recorded_at)
  SELECT w, at, 'alert.crossed', r, d, ra FROM unnest(?::text[], ?::bigint[], ?::text[], ?::text[], ?::bigint[]) AS e(w, at, r, d, ra)`,
  },
]

/**
 * A column as PostgreSQL's array literal, text elements always quoted: made
 * here in one pass, where pg's own conversion escapes every element twice.
 */
function arrayLiteral(values: unknown[]): string {
  let out = '{'
  for (let i = 0; i < values.length; i++) {
    const value = values[i]
    if (i > 0) out += ','
    if (value === null || value === undefined) out += 'NULL'
    else if (typeof value === 'number') out += String(value)
    else {
      const text = String(value)
      out += /["\\]/.test(text) ? `"${text.replace(/["\\]/g, '\\$&')}"` : `"${text}"`
    }
  }
  return `${out}}`
}

/**
 * The statement for the parts that have rows, and its parameters: it fails as a
 * serialization failure (wsb_meter_retry) unless it wrote every counter row.
 * Undefined when no part has rows.
 */
export function persistStatement(rows: Map<string, unknown[][]>): { sql: string; params: (string | number)[] } | undefined {
  const used = PARTS.filter((part) => (rows.get(part.name)?.length ?? 0) > 0)
  if (used.length === 0) return undefined
  const counted = used.filter((part) => part.counted).map((part) => `(SELECT count(*) FROM ${part.name})`)
  const expected = used.filter((part) => part.counted).reduce((sum, part) => sum + (rows.get(part.name)?.length ?? 0), 0)
  const sql = `WITH ${used.map((part) => `${part.name} AS (\n  ${part.sql}\n)`).join(', ')}
SELECT CASE WHEN ${counted.length ? counted.join(' + ') : '0'} = ?::bigint THEN 0 ELSE wsb_meter_retry('a counter row this batch found missing was made by another batch meanwhile') END AS retried`
  const params = used.flatMap((part) => {
    const list = rows.get(part.name) as unknown[][]
    return Array.from({ length: part.columns }, (_, c) => arrayLiteral(list.map((row) => row[c])))
  })
  return { sql, params: [...params, expected] }
}

/** The counter parts: every row of theirs must be written, or the batch runs again. */
const COUNTED = new Set(['levels', 'new_levels', 'pools', 'new_pools'])

/**
 * A small batch's write: one call of wsb_meter_write (migrations/postgres/0020), whose statements'
 * plans the server keeps for the session, with the parts that have rows as JSON (each row an array
 * of its columns, as the statement's parts take them). Undefined when no part has rows.
 */
export function writeCall(rows: Map<string, unknown[][]>): { sql: string; params: string[] } | undefined {
  const body: Record<string, unknown> = {}
  let expected = 0
  for (const [name, list] of rows) {
    if (list.length === 0) continue
    body[name] = list
    if (COUNTED.has(name)) expected += list.length
  }
  if (Object.keys(body).length === 0) return undefined
  body.expected = expected
  return { sql: 'SELECT wsb_meter_write(?::jsonb)', params: [JSON.stringify(body)] }
}

/** Where a bulk batch's counter rows go, one COPY line each (counterLine), before the statement applies them. */
export const COUNTER_WRITES = `COPY wsb_counter_writes (${COUNTER_COLUMNS}, fresh) FROM STDIN`

/** A text value in COPY's text format: backslash, tab, newline and carriage return escaped. */
const copyText = (value: string): string =>
  /[\\\t\n\r]/.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r')) : value
const copyNullable = (value: string | null): string => (value === null ? '\\N' : copyText(value))
const copyNumber = (value: number | null): string => (value === null ? '\\N' : String(value))

/** One ledger row (LEDGER_COLUMNS) as a line of COPY's text format. */
export function ledgerLine(
  id: number,
  ...[workspaceId, orgId, product, kind, value, delta, outcome, reason, levelAfter, headroomAfter, bindingKind, bindingId, key, at]: LedgerValues
): string {
  return `${id}\t${copyText(workspaceId)}\t${copyText(orgId)}\t${copyText(product)}\t${kind}\t${value}\t${delta}\t${outcome}\t${copyNullable(reason)}\t${levelAfter}\t${copyNumber(headroomAfter)}\t${copyNullable(bindingKind)}\t${copyNullable(bindingId)}\t${copyNullable(key)}\t${at}\n`
}

/** A counter row as a line of COUNTER_WRITES: its values, and whether it is new (inserted, not updated). */
export function counterLine(values: readonly (string | number | null)[], fresh: boolean): string {
  let line = `${copyText(values[0] as string)}\t${copyText(values[1] as string)}\t${copyText(values[2] as string)}`
  for (let i = 3; i < values.length; i++) line += `\t${copyNumber(values[i] as number | null)}`
  return `${line}\t${fresh ? 't' : 'f'}\n`
}
