// How long a reference (an org or product name as typed) may be where it is kept or repeated:
// the ledger, messages, suggestions. No imports: on every command's error path.

/** The longest unknown reference kept in the ledger and in messages, in UTF-16 units. */
export const MAX_REFERENCE = 256

/** A reference cut to MAX_REFERENCE, marked with an ellipsis when cut. */
export function boundReference(ref: string): string {
  if (ref.length <= MAX_REFERENCE) return ref
  let end = MAX_REFERENCE - 1
  // Never cut between the two halves of a surrogate pair.
  if (/[\ud800-\udbff]/.test(ref.charAt(end - 1))) end--
  return `${ref.slice(0, end)}…`
}
