// Times for people: ISO 8601 in UTC, without milliseconds when they are zero.
export const when = (isoTime: string | null | undefined): string =>
  isoTime ? isoTime.replace('.000Z', 'Z').replace('T', ' ') : '—'
