// npm run bench: measures on this machine and writes bench/results.json,
// bench/results.md, and the table between the bench markers in README.md.
// Nothing here is a pass/fail test; the targets are printed beside the numbers.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { coldStart } from './coldstart.js'
import { concurrency } from './concurrency.js'
import { importThroughput, reportLatency } from './metering.js'
import { pgFloor, pgFloorRows } from './pg-floor.js'

const here = new URL('.', import.meta.url).pathname
const dir = join(here, 'tmp')
rmSync(dir, { recursive: true, force: true })
mkdirSync(dir, { recursive: true })

const log = (text: string) => process.stderr.write(`${text}\n`)
const n = (x: number) => x.toLocaleString('en-US')
const machine = { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, at: new Date().toISOString() }

log('cold start …')
const starts = coldStart(dir)
log('import throughput, 100k reports …')
const import100k = importThroughput(dir, 100_000)
log('import throughput, 1M reports …')
const import1m = importThroughput(dir, 1_000_000)
log('usage report at 10k orgs / 1M ledger rows, usage record latency …')
const report = reportLatency(dir)
log('1, 2 and 4 concurrent reporter processes …')
const concurrent = await concurrency(dir)
const floor = await pgFloor(log)

const results = { machine, coldStart: starts, import: [import100k, import1m], report, concurrency: concurrent, pgFloor: floor }

const rows: [string, string, string][] = [
  ...starts.map((s): [string, string, string] => [`cold start: ${s.command}`, `${s.medianMs} ms (${s.ratio}×)`, s.command.startsWith('node') ? 'baseline' : '≤ 2×']),
  [
    'usage import, 100k reports (keys, 1 per line)',
    `${n(import100k.reportsPerSecond)} reports/s (${import100k.ratioToRaw}× raw inserts at ${n(import100k.rawInsertsPerSecond)}/s)`,
    '≥ 50,000/s',
  ],
  ['usage import, 1M reports', `${n(import1m.reportsPerSecond)} reports/s (${import1m.ratioToRaw}× raw at ${n(import1m.rawInsertsPerSecond)}/s)`, '≥ 50,000/s'],
  [`usage report --by org, ${n(report.orgs)} orgs / ${n(report.ledgerRows)} ledger rows`, `${report.reportByOrgMs} ms`, '< 100 ms'],
  ['usage report --by pool, same database', `${report.reportByPoolMs} ms`, '< 100 ms'],
  ['usage record in process (one transaction each)', `p50 ${report.recordP50Ms} ms, p99 ${report.recordP99Ms} ms`, '—'],
  ...concurrent.map((c): [string, string, string] => [
    `${c.processes} reporter process${c.processes > 1 ? 'es' : ''}, one transaction per report`,
    `${n(c.reportsPerSecond)} reports/s; ${c.accepted} accepted of capacity ${c.capacity}; over-allocations ${c.overAllocations}, busy errors ${c.busyErrors}, verify ${c.verifyClean ? 'clean' : 'FAILED'}`,
    '0 over-allocations, 0 busy',
  ]),
  ...pgFloorRows(floor),
]
const table = [
  `Measured ${machine.at.slice(0, 10)} on ${machine.cpu} (${machine.cores} cores), Node ${machine.node}.`,
  '',
  '| measure | result | target |',
  '|---|---|---|',
  ...rows.map((r) => `| ${r.join(' | ')} |`),
].join('\n')

writeFileSync(join(here, 'results.json'), `${JSON.stringify(results, null, 2)}\n`)
writeFileSync(join(here, 'results.md'), `${table}\n`)
const readmePath = join(here, '..', 'README.md')
const readme = readFileSync(readmePath, 'utf8')
writeFileSync(readmePath, readme.replace(/<!-- bench:start -->[\s\S]*<!-- bench:end -->/, `<!-- bench:start -->\n${table}\n<!-- bench:end -->`))
rmSync(dir, { recursive: true, force: true })
log(table)
