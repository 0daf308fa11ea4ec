'use strict'
// oclif sorts each plugin's commands by id with localeCompare, and the first
// localeCompare of a process builds ICU's collator: ~5 ms of every start-up
// for a sort whose order only help shows. For ids made of lower-case letters,
// digits, ':', '-' and '_' (all of wsb's and its plugins') this gives the same
// order without ICU: the characters ranked as the root collation ranks them
// (punctuation _ - : first, then digits, then letters), compared one by one.
// Any other id is compared by localeCompare, as oclif does.
// test/cli/startup-budget.test.ts checks both orders agree.
const ORDER = '_-:0123456789abcdefghijklmnopqrstuvwxyz'
const SIMPLE = /^[-_:0-9a-z]*$/

module.exports = function compareIds(a, b) {
  if (!SIMPLE.test(a) || !SIMPLE.test(b)) return a.localeCompare(b)
  const length = Math.min(a.length, b.length)
  for (let i = 0; i < length; i++) if (a[i] !== b[i]) return ORDER.indexOf(a[i]) < ORDER.indexOf(b[i]) ? -1 : 1
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1
}
