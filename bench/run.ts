// npm run bench: measures on this machine and writes bench/results.json,
// bench/results.md, and the table between the bench markers in docs/performance.md.
// Nothing here is a pass/fail test; the targets are printed beside the numbers.
// `npm run bench -- --only apply` (or coldstart, import, report, events, concurrency)
// runs those rows only and keeps the other rows' last results from results.json.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { applyLargeTree } from './apply.js'
import { coldStart } from './coldstart.js'
import { concurrency } from './concurrency.js'
import { importThroughput, reportLatency } from './metering.js'
import { pgFloor, pgFloorRows } from './pg-floor.js'
import { engineRows, engines } from './engines.js'
import { pgCold, pgColdRows } from './pg-cold.js'
import { historyLatency } from './history.js'
import { eventsListing } from './events.js'
import { serveBench, serveRows } from './serve.js'
import { eventsAtOneInstant } from './events-instant.js'
import { invoicePdf } from './pdf.js'

const here = new URL('.', import.meta.url).pathname
const dir = join(here, 'tmp')
rmSync(dir, { recursive: true, force: true })
mkdirSync(dir, { recursive: true })
/** Each group's own folder: groups name their databases alike ("Bench"), and a whole run holds them all. */
const dirOf = (group: string): string => {
  const own = join(dir, group)
  mkdirSync(own, { recursive: true })
  return own
}

const log = (text: string) => process.stderr.write(`${text}\n`)
const n = (x: number) => x.toLocaleString('en-US')
/** A difference in ms with its sign: +3.2 ms, −23.3 ms. */
const signed = (x: number) => (x < 0 ? `−${-x}` : `+${x}`)
const machine = { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, at: new Date().toISOString() }

const groups = ['coldstart', 'import', 'report', 'history', 'events', 'events-instant', 'pdf', 'concurrency', 'apply', 'engines', 'pg-cold', 'pg-floor', 'serve'] as const
const onlyAt = process.argv.indexOf('--only')
const only = onlyAt >= 0 ? (process.argv[onlyAt + 1] ?? '').split(',') : [...groups]
for (const name of only) if (!(groups as readonly string[]).includes(name)) throw new Error(`--only: unknown group "${name}"; one or more of ${groups.join(', ')}`)
const wanted = (name: (typeof groups)[number]) => only.includes(name)
const resultsPath = join(here, 'results.json')
const previous = existsSync(resultsPath) ? JSON.parse(readFileSync(resultsPath, 'utf8')) : {}

if (wanted('coldstart')) log('cold start …')
const starts: Awaited<ReturnType<typeof coldStart>> = wanted('coldstart') ? await coldStart(dirOf('coldstart')) : previous.coldStart
if (wanted('import')) log('import throughput, 100k and 1M reports …')
const [import100k, import1m]: Awaited<ReturnType<typeof importThroughput>>[] = wanted('import') ? [await importThroughput(dirOf('import'), 100_000), await importThroughput(dirOf('import'), 1_000_000)] : previous.import
if (wanted('report')) log('usage report at 10k orgs / 1M ledger rows, usage record latency …')
const report: Awaited<ReturnType<typeof reportLatency>> = wanted('report') ? await reportLatency(dirOf('report')) : previous.report
if (wanted('history')) log('usage history, a year by day, at 10k orgs / 1M ledger rows over a year …')
const history: Awaited<ReturnType<typeof historyLatency>> | undefined = wanted('history') ? await historyLatency(dirOf('history')) : previous.history
if (wanted('events')) log('events over 1,000,000 ledger rows: --limit 20, | head -20, --json peak RSS …')
const events: Awaited<ReturnType<typeof eventsListing>> | undefined = wanted('events') ? await eventsListing(dirOf('events')) : previous.events
if (wanted('events-instant')) log('piped events over 1,000,000 ledger rows at one instant and spread in time …')
const instant: Awaited<ReturnType<typeof eventsAtOneInstant>> | undefined = wanted('events-instant') ? await eventsAtOneInstant(dirOf('events-instant')) : previous.eventsInstant
if (wanted('pdf')) log('invoice pdf against a cold invoice show, Latin and Japanese …')
const pdf: Awaited<ReturnType<typeof invoicePdf>> | undefined = wanted('pdf') ? await invoicePdf(dirOf('pdf')) : previous.pdf
if (wanted('concurrency')) log('1, 2 and 4 concurrent reporter processes …')
const concurrent: Awaited<ReturnType<typeof concurrency>> = wanted('concurrency') ? await concurrency(dirOf('concurrency')) : previous.concurrency
if (wanted('apply')) log('apply of 10,000 orgs (a 1,000-deep branch), then unchanged …')
const applied: ReturnType<typeof applyLargeTree> | undefined = wanted('apply') ? applyLargeTree(dirOf('apply')) : previous.apply
if (wanted('engines')) log('wsb on PostgreSQL and SQLite side by side, with the bare pg floor …')
const bothEngines: Awaited<ReturnType<typeof engines>> | undefined = wanted('engines') ? await engines(dirOf('engines'), log) : previous.engines
if (wanted('pg-cold')) log('cold org list and invoice preview on PostgreSQL beside SQLite …')
const cold: Awaited<ReturnType<typeof pgCold>> | undefined = wanted('pg-cold') ? await pgCold(dirOf('pg-cold'), log) : previous.pgCold
if (wanted('pg-floor')) log('bare PostgreSQL driver loops (the pg floor) …')
const floor: Awaited<ReturnType<typeof pgFloor>> | undefined = wanted('pg-floor') ? await pgFloor(log) : previous.pgFloor
if (wanted('serve')) log('wsb serve under 64 keep-alive connections, beside the HTTP floor and usage import, on both engines …')
const served: Awaited<ReturnType<typeof serveBench>> | undefined = wanted('serve') ? await serveBench(dirOf('serve'), log) : previous.serve
if (!starts || !import100k || !import1m || !report || !concurrent) throw new Error('bench/results.json lacks rows not run now: run the whole bench once')

// Only rows measured now take this run's machine and date; the others keep theirs.
const results = { machine: only.length === groups.length ? machine : (previous.machine ?? machine), coldStart: starts, import: [import100k, import1m], report, concurrency: concurrent, ...(history ? { history } : {}), ...(events ? { events } : {}), ...(instant ? { eventsInstant: instant } : {}), ...(pdf ? { pdf } : {}), ...(applied ? { apply: applied } : {}), ...(bothEngines ? { engines: bothEngines } : {}), ...(cold ? { pgCold: cold } : {}), ...(floor ? { pgFloor: floor } : {}), ...(served ? { serve: served } : {}) }

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
  ...(history
    ? ([
        [`usage history, a year by day (pool / org subtree / leaf org), ${n(history.orgs)} orgs / ${n(history.ledgerRows)} ledger rows over a year`, `${history.poolYearByDayMs} / ${history.orgSubtreeYearByDayMs} / ${history.leafYearByDayMs} ms`, '< 50 ms'],
        ['usage import with rollups and a pool alert on (in process, one day at a time)', `${n(history.importReportsPerSecond)} reports/s`, '≥ 90% of before'],
      ] as [string, string, string][])
    : []),
  ...(events
    ? ([
        [`events --limit 20, ${n(events.ledgerRows)} ledger rows`, `${events.limit20.ms} ms = ${events.limit20.ratio}× wsb version (${signed(events.limit20.overMs)} ms; wsb version ${events.versionMs} ms, node -e '' ${events.nodeMs} ms)`, 'a cold start + a few ms'],
        ['events \\| head -20, same database: the 20th line / the exit', `${events.headTwentyLine.ms} ms = ${events.headTwentyLine.ratio}× (${signed(events.headTwentyLine.overMs)} ms) / ${events.headTwentyExit.ms} ms = ${events.headTwentyExit.ratio}× (${signed(events.headTwentyExit.overMs)} ms) wsb version`, 'a cold start + a few ms'],
        [
          `events --json, the whole history: peak RSS at ${events.rss.json.map((j) => n(j.rows)).join(' / ')} rows`,
          `${events.rss.json.map((j) => `${j.rssMb} MB (${j.ratio}×)`).join(' / ')} of wsb version's ${events.rss.versionMb} MB (node -e '' ${events.rss.nodeMb} MB); ${events.rss.json.map((j) => `${n(Math.round(j.ms / 1000))} s`).join(' / ')}`,
          'flat',
        ],
      ] as [string, string, string][])
    : []),
  ...(instant
    ? ([
        [
          `events piped, ${n(instant.rows)} ledger rows at one instant vs spread 30 s apart`,
          `${n(Math.round(instant.oneInstantMs))} ms vs ${n(Math.round(instant.spreadMs))} ms = ${instant.ratio}× (median of ${instant.rounds})`,
          '≤ 2×',
        ],
      ] as [string, string, string][])
    : []),
  ...(pdf
    ? ([
        [
          'invoice pdf vs a cold invoice show (Latin / Japanese names), whole processes',
          `${pdf.pdf.wallMs} / ${pdf.pdfCjk.wallMs} ms = ${pdf.pdf.wallRatio}× / ${pdf.pdfCjk.wallRatio}× (CPU ${pdf.pdf.cpuRatio}× / ${pdf.pdfCjk.cpuRatio}×) of show's ${pdf.show.wallMs} ms (node -e '' ${pdf.node.wallMs} ms)`,
          '≤ 1.5×',
        ],
      ] as [string, string, string][])
    : []),
  ...concurrent.map((c): [string, string, string] => [
    `${c.processes} reporter process${c.processes > 1 ? 'es' : ''}, one transaction per report`,
    `${n(c.reportsPerSecond)} reports/s; ${c.accepted} accepted of capacity ${c.capacity}; over-allocations ${c.overAllocations}, busy errors ${c.busyErrors}, verify ${c.verifyClean ? 'clean' : 'FAILED'}`,
    '0 over-allocations, 0 busy',
  ]),
  ...(applied
    ? ([
        [`apply, ${n(applied.orgs)} orgs (one branch ${n(applied.deepest)} deep), new workspace`, `${n(applied.first.ms)} ms, peak RSS ${applied.first.peakRssMb} MB`, 'a few seconds'],
        ['apply, the same file again (no changes)', `${n(applied.unchanged.ms)} ms, peak RSS ${applied.unchanged.peakRssMb} MB`, 'faster than the first'],
      ] as [string, string, string][])
    : []),
  ...(bothEngines ? engineRows(bothEngines) : []),
  ...(cold ? pgColdRows(cold) : []),
  ...(floor ? pgFloorRows(floor) : []),
  ...(served ? serveRows(served) : []),
]
const applyDate = applied?.at?.slice(0, 10)
const table = [
  `Measured ${results.machine.at.slice(0, 10)} on ${results.machine.cpu} (${results.machine.cores} cores), Node ${results.machine.node}${applyDate && applyDate !== results.machine.at.slice(0, 10) ? `; the apply rows ${applyDate}, same machine` : ''}.`,
  '',
  '| measure | result | target |',
  '|---|---|---|',
  ...rows.map((r) => `| ${r.join(' | ')} |`),
].join('\n')

writeFileSync(join(here, 'results.json'), `${JSON.stringify(results, null, 2)}\n`)
writeFileSync(join(here, 'results.md'), `${table}\n`)
const perfPath = join(here, '..', 'docs', 'performance.md')
const perf = readFileSync(perfPath, 'utf8')
writeFileSync(perfPath, perf.replace(/<!-- bench:start -->[\s\S]*<!-- bench:end -->/, `<!-- bench:start -->\n${table}\n<!-- bench:end -->`))
rmSync(dir, { recursive: true, force: true })
log(table)
