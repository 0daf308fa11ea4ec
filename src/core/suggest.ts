// Did-you-mean for typos and unknown names (`wsb invoce list`, `--jsno`): the closest known word
// within a small edit distance. Written here rather than @oclif/plugin-not-found,
// which prompts to run the guess (never wanted in scripts) and adds a dependency.
import { type Details, notFound, type WsbError } from './errors.js'
import { boundReference, MAX_REFERENCE } from './reference.js'

/** Levenshtein distance, with a transposition counted as one edit (jsno → json). */
export function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)])
  for (let j = 1; j <= b.length; j++) (d[0] as number[])[j] = j
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const row = d[i] as number[]
      const prev = d[i - 1] as number[]
      row[j] = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1))
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j] as number, ((d[i - 2] as number[])[j - 2] as number) + 1)
    }
  return (d[a.length] as number[])[b.length] as number
}

/** The known word closest to `typed`, if it is close enough to be a typo (a third of its length, at least 1, at most 3). */
export function closest(typed: string, known: Iterable<string>): string | undefined {
  const limit = Math.min(3, Math.max(1, Math.floor(typed.length / 3)))
  let best: { word: string; d: number } | undefined
  for (const word of known) {
    // The distance is at least the difference in length (a pasted megabyte is compared with nothing).
    if (Math.abs(typed.length - word.length) > limit) continue
    const d = distance(typed.toLowerCase(), word.toLowerCase())
    if (d <= limit && (!best || d < best.d)) best = { word, d }
  }
  return best?.word
}

/**
 * Up to `max` known names a mistyped or partial `typed` may have meant, nearest
 * first: those within typo distance (closest's limit) and those that contain it or
 * that it contains ("Global Corp" → "Global Corp USA"), case-insensitively.
 */
export function nearest(typed: string, known: Iterable<string>, max = 3): string[] {
  const t = typed.trim().toLowerCase()
  // Nothing longer than a name can be is near one (and an edit distance on a megabyte is seconds).
  if (t === '' || t.length > MAX_REFERENCE) return []
  const limit = Math.min(3, Math.max(1, Math.floor(t.length / 3)))
  const scored: { word: string; d: number }[] = []
  for (const word of new Set(known)) {
    const w = word.toLowerCase()
    if (w === t) continue
    const part = Math.min(t.length, w.length) >= 3 && (w.includes(t) || t.includes(w))
    // The distance is at least the difference in length: only compute it when it may be within the limit.
    const gap = Math.abs(t.length - w.length)
    if (gap > limit && !part) continue
    const d = gap > limit ? gap : distance(t, w)
    if (d <= limit || part) scored.push({ word, d })
  }
  return scored
    .sort((a, b) => a.d - b.d || a.word.localeCompare(b.word))
    .slice(0, max)
    .map((s) => s.word)
}

/** NOT_FOUND for `what` named `ref`, with the known names it may have meant: `product "user" not found; did you mean "users"?`. */
export function notFoundNear(what: string, ref: string, known: Iterable<string>, details: Details = {}): WsbError {
  const suggestions = nearest(ref, known)
  const quoted = suggestions.map((s) => `"${s}"`)
  const hint = quoted.length === 0 ? '' : `; did you mean ${quoted.length === 1 ? quoted[0] : `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`}?`
  // A pasted megabyte is said (and kept in details) cut to MAX_REFERENCE, as the ledger keeps it.
  const said = boundReference(ref)
  return notFound(what, said, { ...details, ...(suggestions.length ? { suggestions } : {}) }, `${what} "${said}" not found${hint}`)
}
