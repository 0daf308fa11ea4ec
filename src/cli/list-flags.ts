// The flags every streamed list shares (issue 15): a window (--since, --until),
// a cursor (--after), --limit and --ndjson, and what they mean together.
import { Flags } from '@oclif/core'
import { invalid } from '../core/errors.js'
import { wholeNumber } from '../core/schemas.js'
import { timeOrAgo } from '../core/time-input.js'
import { onTerminal } from '../render/terminal.js'
import { timeFlag } from './flags.js'
import { type ListMode, TERMINAL_LIMIT, TERMINAL_NOTE } from './list-output.js'

/** `what`: the rows, in the plural ("invoices issued"); `after`: the --after summary. */
export const listFlags = (what: string, after: string) => ({
  since: timeFlag(`Only ${what} at or after this workspace time, or this long ago (1d, 12h, 2w).`),
  until: timeFlag(`Only ${what} before this workspace time, or this long ago (1d, 12h, 2w).`),
  after: Flags.string({ summary: after, helpValue: 'ID' }),
  limit: Flags.string({ summary: `Only the latest N ${what.split(' ')[0]}; with --after, the next N after it.`, helpValue: 'N' }),
  ndjson: Flags.boolean({ summary: 'One JSON object a line (for streaming into other tools).', exclusive: ['json'] }),
})

export type ListWindow = {
  mode: ListMode
  since?: number
  until?: number
  /** Only the latest this many; with --after, the next this many after it. */
  latest?: number
  /** What to say under the rows, given how many were printed. */
  note: (count: number) => string
}

export function listWindow(
  flags: { since?: string; until?: string; after?: string; limit?: string; ndjson?: boolean },
  json: boolean,
  now: number,
): ListWindow {
  const mode: ListMode = json ? 'json' : flags.ndjson ? 'ndjson' : 'human'
  const since = flags.since === undefined ? undefined : timeOrAgo(flags.since, now, '--since')
  const until = flags.until === undefined ? undefined : timeOrAgo(flags.until, now, '--until')
  if (since !== undefined && until !== undefined && since >= until)
    throw invalid(`--since (${new Date(since).toISOString()}) must be before --until (${new Date(until).toISOString()})`, { since: flags.since, until: flags.until })
  const explicit = flags.limit === undefined ? undefined : wholeNumber('--limit', flags.limit)
  // A person at a terminal gets the latest page's worth, and is told how to see the rest.
  const defaulted = explicit === undefined && mode === 'human' && onTerminal() && flags.after === undefined && since === undefined && until === undefined
  return {
    mode,
    since,
    until,
    latest: explicit ?? (defaulted ? TERMINAL_LIMIT : undefined),
    note: (count) => (defaulted && count === TERMINAL_LIMIT ? TERMINAL_NOTE : ''),
  }
}
