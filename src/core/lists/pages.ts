// Lists read in keyed pages (issue 15): each page is one query "after the last
// row's position, in (key, rowid) order, LIMIT n" through an index that holds
// that order, so memory holds one page whatever the list's length and the first
// page is out at once. Without a cursor, "the latest N" is found by one query for
// the Nth row from the end, then read forward from there the same way; after a
// cursor, N is a page size: the next N rows after it (Stripe's starting_after + limit).
// "After a position" is two keyed reads, the rows at its key with a higher rowid,
// then the rows past its key: one condition `key >= k AND (key > k OR rowid > r)`
// made each page scan every row sharing the key from its first (a million rows
// at one frozen test-clock instant: quadratic).
import { type SQL, type SQLWrapper, sql } from 'drizzle-orm'

/** Where a listing stands: the sort key (a time) and the row's rowid (its tie-breaker). */
export type Position = { key: number; rowid: number }

/** Rows a page holds: views are built per row, so pages stay small. */
export const LIST_PAGE_SIZE = 100

/** Where a page starts: at the position's key past its rowid (`tie`), or past its key. */
export type PageStart = { position: Position; tie: boolean }

/** Reads up to `limit` rows from `start` (the first row without one), in (key, rowid) order. */
export type PageQuery<R> = (options: { start?: PageStart; limit: number }) => Promise<R[]>

/** The condition of a page start on a key column and a rowid column: each an index range. */
export function startCondition(key: SQLWrapper, rowid: SQLWrapper, start: PageStart | undefined): SQL | undefined {
  if (start === undefined) return undefined
  return start.tie ? sql`${key} = ${start.position.key} AND ${rowid} > ${start.position.rowid}` : sql`${key} > ${start.position.key}`
}

export type PagesOptions = {
  /** Continue after this position (--after ID). */
  after?: Position
  /** Only the latest this many; with `after`, the next this many after it. */
  latest?: number
  pageSize?: number
}

/**
 * The rows page by page. `nthLatest(n)` is the position of the n-th row from
 * the end (undefined when there are fewer): reading starts there, inclusive.
 */
export async function* keyedPages<R>(
  query: PageQuery<R>,
  positionOf: (row: R) => Promise<Position>,
  nthLatest: (n: number) => Promise<Position | undefined>,
  options: PagesOptions = {},
): AsyncGenerator<R[]> {
  const pageSize = options.pageSize ?? LIST_PAGE_SIZE
  let after = options.after
  let left = options.latest ?? Number.POSITIVE_INFINITY
  if (options.latest === 0) return
  // With a cursor, the rows after it are read forward as they come: no search from the end.
  if (options.latest !== undefined && after === undefined) {
    const start = await nthLatest(options.latest)
    // Inclusive of the start row: just before it in (key, rowid) order.
    if (start) after = { key: start.key, rowid: start.rowid - 1 }
  }
  while (left > 0) {
    const limit = Math.min(pageSize, left)
    const rows = await query({ start: after && { position: after, tie: true }, limit })
    if (after && rows.length < limit) rows.push(...(await query({ start: { position: after, tie: false }, limit: limit - rows.length })))
    if (rows.length === 0) return
    left -= rows.length
    after = await positionOf(rows.at(-1) as R)
    yield rows
    if (rows.length < limit) return
  }
}

/** A LIKE pattern matching `"id"` inside a JSON text (ids quoted as values), with _ and % taken literally (ESCAPE '\'). */
export const quotedIdPattern = (id: string): string => `%"${escapeLike(id)}"%`

/** `text` for a LIKE pattern with ESCAPE '\': its _ and % match themselves. */
export const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`)
