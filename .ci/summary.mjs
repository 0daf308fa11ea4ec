// After the test run of .ci/run: reads the outcomes test/helpers/ci-reporter.ts
// wrote and prints one line "N passed, N failed, N skipped". Every skipped test
// must be listed in test/expected-skips.json (project, file, full name, reason):
// a skip not listed there fails the run, as does a listed one that ran (of a file
// that was run), so the list stays exactly what CI skips and why.
import { existsSync, readFileSync } from 'node:fs'

const [reportFile, expectedFile = 'test/expected-skips.json'] = process.argv.slice(2)
if (!reportFile || !existsSync(reportFile)) {
  console.log('0 passed, 0 failed, 0 skipped (no test outcomes were written)')
  process.exit(1)
}
const outcomes = JSON.parse(readFileSync(reportFile, 'utf8'))
const expected = JSON.parse(readFileSync(expectedFile, 'utf8'))
const key = (t) => `${t.project} | ${t.file} | ${t.test}`
const count = (state) => outcomes.filter((t) => t.state === state).length
const skipped = outcomes.filter((t) => t.state === 'skipped')
const failed = count('failed') + count('pending') // pending: never finished
console.log(`${count('passed')} passed, ${failed} failed, ${skipped.length} skipped`)

const listed = new Map(expected.map((t) => [key(t), t]))
const unexpected = skipped.filter((t) => !listed.has(key(t)))
const ran = new Set(outcomes.map((t) => `${t.project} | ${t.file}`))
const skippedKeys = new Set(skipped.map(key))
const stale = expected.filter((t) => ran.has(`${t.project} | ${t.file}`) && !skippedKeys.has(key(t)))
for (const t of expected) if (!t.reason) console.log(`test/expected-skips.json: no reason given for ${key(t)}`)
for (const t of unexpected) console.log(`UNEXPECTED SKIP (not in ${expectedFile}): ${key(t)}${t.note ? ` — ${t.note}` : ''}`)
for (const t of stale) console.log(`EXPECTED TO SKIP BUT RAN (remove it from ${expectedFile}): ${key(t)}`)
process.exit(unexpected.length > 0 || stale.length > 0 || expected.some((t) => !t.reason) ? 1 : 0)
