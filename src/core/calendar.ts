// Calendar arithmetic in UTC on epoch milliseconds. A month after Jan 31 is
// Feb 28/29, as Stripe's billing periods do: the day of month is clamped to the
// target month's length, never rolled over. (date-fns with @date-fns/utc did
// this too, but loading them cost ~24 ms on every start; see docs/performance.md "Cold start".)
const DAY = 86_400_000

export function addMonthsUtc(at: number, months: number): number {
  const date = new Date(at)
  const day = date.getUTCDate()
  date.setUTCDate(1)
  date.setUTCMonth(date.getUTCMonth() + months)
  const lastDay = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate()
  date.setUTCDate(Math.min(day, lastDay))
  return date.getTime()
}

export const addYearsUtc = (at: number, years: number): number => addMonthsUtc(at, 12 * years)

export const addDaysUtc = (at: number, days: number): number => at + days * DAY

/** Units of durations such as "15d" or "1mo2w", in UTC calendar terms. */
export const durationUnits: Record<string, (at: number, n: number) => number> = {
  y: addYearsUtc,
  mo: addMonthsUtc,
  w: (at, n) => addDaysUtc(at, 7 * n),
  d: addDaysUtc,
  h: (at, n) => at + n * 3_600_000,
  m: (at, n) => at + n * 60_000,
  s: (at, n) => at + n * 1000,
}
