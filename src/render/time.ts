// Times for people: ISO 8601 in UTC, without milliseconds when they are zero.
export const when = (isoTime: string | null | undefined): string =>
  isoTime ? isoTime.replace('.000Z', 'Z').replace('T', ' ') : '—'

const ISO_IN_TEXT = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z\b/g

/** Free text (a notification's message) with every ISO time in it written as `when` writes it. */
export const timesForPeople = (text: string): string => text.replace(ISO_IN_TEXT, (iso) => when(iso))
