// Billing periods anchored on the subscription's start (R-SUB-3): period k runs
// from anchor + k intervals to anchor + k+1 intervals, computed from the anchor
// each time, so a month after Jan 31 is Feb 28/29 and the next is Mar 31.
import { UTCDate } from '@date-fns/utc'
import { addDays, addMonths, addYears } from 'date-fns'
import type { Interval } from '../store/schema/index.js'

export const TRIAL_DAYS = 14

export function addInterval(anchor: number, interval: Interval, count: number): number {
  const start = new UTCDate(anchor)
  return (interval === 'month' ? addMonths(start, count) : addYears(start, count)).getTime()
}

export function periodBounds(anchor: number, interval: Interval, index: number): { start: number; end: number } {
  return { start: addInterval(anchor, interval, index), end: addInterval(anchor, interval, index + 1) }
}

export const addDaysUtc = (at: number, days: number): number => addDays(new UTCDate(at), days).getTime()
