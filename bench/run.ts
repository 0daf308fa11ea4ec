// npm run bench: measures on this machine and writes bench/results.json,
// bench/results.md, and the table between the bench markers in README.md.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { importThroughput, reportLatency } from './metering.js'

const here = new URL('.', import.meta.url).pathname
const dir = join(here, 'tmp')
rmSync(dir, { recursive: true, force: true })
mkdirSync(dir, { recursive: true })

const log = (text: string) => process.stderr.write(`${text}\n`)
const results: Record<string, unknown> = {
  machine: { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, at: new Date().toISOString() },
}

log('import throughput, 100k reports …')
const import100k = importThroughput(dir, 100_000)
log('import throughput, 1M reports …')
const import1m = importThroughput(dir, 1_000_000)
log('usage report at 10k orgs / 1M ledger rows, usage record latency …')
const report = reportLatency(dir)
results.import = [import100k, import1m]
results.report = report

const rows: [string, string, string][] = [
  ['usage import, 100k reports (keys, 1 per line)', `${import100k.reportsPerSecond.toLocaleString('en-US')} reports/s (${import100k.ratioToRaw}× raw inserts at ${import100k.rawInsertsPerSecond.toLocaleString('en-US')}/s)`, '≥ 50,000/s'],
  ['usage import, 1M reports', `${import1m.reportsPerSecond.toLocaleString('en-US')} reports/s (${import1m.ratioToRaw}× raw at ${import1m.rawInsertsPerSecond.toLocaleString('en-US')}/s)`, '≥ 50,000/s'],
  [`usage report --by org, ${report.orgs.toLocaleString('en-US')} orgs / ${report.ledgerRows.toLocaleString('en-US')} ledger rows`, `${report.reportByOrgMs} ms`, '< 100 ms'],
  ['usage report --by pool, same database', `${report.reportByPoolMs} ms`, '< 100 ms'],
  ['usage record in process (one transaction each)', `p50 ${report.recordP50Ms} ms, p99 ${report.recordP99Ms} ms`, '—'],
]
const table = [
  `Measured ${results.machine && (results.machine as { at: string }).at.slice(0, 10)} on ${(results.machine as { cpu: string }).cpu} (${(results.machine as { cores: number }).cores} cores), Node ${process.version}.`,
  '',
  '| measure | result | target |',
  '|---|---|---|',
  ...rows.map((r) => `| ${r.join(' | ')} |`),
].join('\n')

writeFileSync(join(here, 'results.json'), `${JSON.stringify(results, null, 2)}\n`)
writeFileSync(join(here, 'results.md'), `${table}\n`)
const readmePath = join(here, '..', 'README.md')
const readme = readFileSync(readmePath, 'utf8')
const marked = readme.replace(/<!-- bench:start -->[\s\S]*<!-- bench:end -->/, `<!-- bench:start -->\n${table}\n<!-- bench:end -->`)
writeFileSync(readmePath, marked)
rmSync(dir, { recursive: true, force: true })
log(table)
