// Billing periods anchored on the subscription's start (R-SUB-3): period k runs
// from anchor + k intervals to anchor + k+1 intervals, computed from the anchor
// each time, so a month after Jan 31 is Feb 28/29 and the next is Mar 31.
import { addDaysUtc as addDays, addMonthsUtc, addYearsUtc } from '../calendar.js'
import type { Interval } from '../store/enums.js'

export const TRIAL_DAYS = 14

export function addInterval(anchor: number, interval: Interval, count: number): number {
  return interval === 'month' ? addMonthsUtc(anchor, count) : addYearsUtc(anchor, count)
}

export function periodBounds(anchor: number, interval: Interval, index: number): { start: number; end: number } {
  return { start: addInterval(anchor, interval, index), end: addInterval(anchor, interval, index + 1) }
}

export const addDaysUtc = addDays
