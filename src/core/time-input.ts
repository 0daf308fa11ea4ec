// Parsing times given by people: ISO 8601 dates or date-times; a time without
// an offset is UTC (all wsb times are UTC).
import { durationUnits } from './calendar.js'
import { invalid } from './errors.js'

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,3})?)?)?(Z|[+-]\d{2}:?\d{2})?$/i

export function parseTime(text: string, what = 'time'): number {
  const match = ISO.exec(text.trim())
  if (!match) throw invalid(`${what}: "${text}" is not an ISO 8601 time such as 2026-01-31 or 2026-01-31T09:00:00Z`, { value: text })
  const [, y, mo, d, h = '00', mi = '00', s = '00', fraction = '', zone] = match
  const offset = zone === undefined || zone.toUpperCase() === 'Z' ? 'Z' : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone
  const ms = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}${fraction}${offset}`)
  const check = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)))
  if (Number.isNaN(ms) || check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d))
    throw invalid(`${what}: "${text}" is not a valid date`, { value: text })
  return ms
}

/** The last instant wsb can write down (ISO 8601 with a 4-digit year). */
const LAST_TIME = Date.UTC(9999, 11, 31, 23, 59, 59, 999)

const UNIT = /(\d+)\s*(mo|y|w|d|h|m|s)/gy

/**
 * A duration such as "15d", "1mo", "2w", "36h", "1y2mo" added to `from` in UTC
 * calendar terms (months and years clamp at month end, as billing periods do).
 */
export function addDuration(from: number, text: string): number {
  const input = text.trim().toLowerCase()
  UNIT.lastIndex = 0
  let at = from
  let consumed = 0
  let parts = 0
  for (let match = UNIT.exec(input); match !== null; match = UNIT.exec(input)) {
    consumed = UNIT.lastIndex
    parts++
    at = (durationUnits[match[2] as string] as (at: number, n: number) => number)(at, Number(match[1]))
  }
  if (parts === 0 || consumed !== input.length)
    throw invalid(`"${text}" is not a duration such as 15d, 1mo, 2w, 36h, 1y or 1mo15d`, { value: text })
  // Times are written as 4-digit years (parseTime): nothing may go past 9999.
  if (!(at <= LAST_TIME)) throw invalid(`"${text}" goes beyond the year 9999`, { value: text })
  return at
}

/** An ISO time, or a duration back from the workspace's now ("1d": the last day), for --since and --until. */
export function timeOrAgo(text: string, now: number, what: string): number {
  if (/^\s*\d+\s*(mo|y|w|d|h|m|s)/i.test(text) && !/^\d{4}-/.test(text.trim())) {
    const span = addDuration(0, text) // the length of the duration, checked
    return now - span
  }
  if (!ISO.test(text.trim()))
    throw invalid(`${what}: "${text}" is not an ISO 8601 time such as 2026-01-31 or 2026-01-31T09:00:00Z, nor a span back from now such as 1d, 12h or 2w`, { value: text })
  return parseTime(text, what)
}
