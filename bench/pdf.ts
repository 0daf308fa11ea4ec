// invoice pdf against a cold invoice show (issue 25): whole processes on one
// database, interleaved round by round with `node -e ''` so all see the same
// machine: `wsb invoice show INV`, `wsb invoice pdf INV -o FILE` for an invoice
// in Latin script and for one with Japanese names (the CJK font). Wall time and
// CPU time (user + system, from GNU time) per process, medians; the ratios to
// show are the measure (target ≤ 1.5×). WSB_BENCH_DB may name a database (its
// first Latin and first Japanese invoice are used); by default a small one is
// made with apply.
import { spawnSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { median, round } from './lib.js'

const WSB = new URL('../bin/run.cjs', import.meta.url).pathname
const TIME = '/usr/bin/time'

const FILE = `version: 1
workspace: { name: Pdf, mode: pooled, testClock: true, clockStart: 2026-01-01T00:00:00Z, seller: { legalName: Cloudplane B.V., address: [Herengracht 100, 1015 BS Amsterdam], country: NL, taxId: NL123456789B01, termsDays: 30 } }
taxRates: [ { country: JP, rate: 10, name: Consumption tax } ]
accounts:
  - { name: Globex Corporation USA, currency: USD, country: US, address: "1 Main Street, Springfield", paymentMethods: [pm_card_visa], subscriptions: [ { label: main, trial: false, items: { users: 60, locations: 20 } } ] }
  - { name: グローバル株式会社, currency: JPY, country: JP, address: 東京都千代田区丸の内1-1, paymentMethods: [pm_card_amex], subscriptions: [ { label: main, trial: false, items: { users: 15, locations: 5 } } ] }
`

type Sample = { wallMs: number; cpuMs: number }

/** One whole process under GNU time: wall and CPU (user + system) ms. */
function timed(args: string[], env: NodeJS.ProcessEnv): Sample {
  const start = process.hrtime.bigint()
  const out = spawnSync(TIME, ['-f', 'cpu=%U+%S', process.execPath, ...args], { env, encoding: 'utf8', maxBuffer: 1 << 26 })
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6
  const cpu = /cpu=([\d.]+)\+([\d.]+)/.exec(out.stderr)
  if (out.status !== 0 || !cpu) throw new Error(`${args.join(' ')} failed (${out.status}): ${out.stderr}`)
  return { wallMs, cpuMs: (Number(cpu[1]) + Number(cpu[2])) * 1000 }
}

export async function invoicePdf(dir: string, rounds = 11) {
  let db = process.env.WSB_BENCH_DB
  const env: NodeJS.ProcessEnv = { ...process.env }
  delete env.WSB_TTY
  if (!db) {
    db = join(dir, 'pdf.sqlite')
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${db}${suffix}`, { force: true })
    const applied = spawnSync(process.execPath, [WSB, 'apply', '-f', '-'], { env: { ...env, WSB_DB: db }, input: FILE, encoding: 'utf8' })
    if (applied.status !== 0) throw new Error(`apply failed: ${applied.stderr}`)
  }
  env.WSB_DB = db
  const list = spawnSync(process.execPath, [WSB, 'invoice', 'list', '--json', ...(process.env.WSB_BENCH_WORKSPACE ? ['-w', process.env.WSB_BENCH_WORKSPACE] : [])], { env, encoding: 'utf8' })
  const invoices = JSON.parse(list.stdout).invoices as { id: string; accountName: string }[]
  const cjk = invoices.find((i) => /[\u3040-\u30ff\u4e00-\u9fff]/.test(i.accountName))
  const latin = invoices.find((i) => /^[\x20-\x7e]+$/.test(i.accountName))
  if (!cjk || !latin) throw new Error('the database needs an invoice of an account with a Latin name and one with a Japanese name')
  const out = join(dir, 'bench.pdf')
  const runs = {
    node: ['-e', ''],
    show: [WSB, 'invoice', 'show', latin.id],
    pdf: [WSB, 'invoice', 'pdf', latin.id, '-o', out],
    pdfCjk: [WSB, 'invoice', 'pdf', cjk.id, '-o', out],
  }
  // One untimed run each, as a user's second run would be (the V8 code cache is written on the first).
  for (const args of Object.values(runs)) timed(args, env)
  const samples = Object.fromEntries(Object.keys(runs).map((k) => [k, [] as Sample[]])) as Record<keyof typeof runs, Sample[]>
  for (let i = 0; i < rounds; i++) for (const [name, args] of Object.entries(runs) as [keyof typeof runs, string[]][]) samples[name].push(timed(args, env))
  const at = (name: keyof typeof runs) => ({ wallMs: round(median(samples[name].map((s) => s.wallMs))), cpuMs: round(median(samples[name].map((s) => s.cpuMs))) })
  const show = at('show')
  const ratio = (name: 'pdf' | 'pdfCjk') => ({ ...at(name), wallRatio: round(at(name).wallMs / show.wallMs, 2), cpuRatio: round(at(name).cpuMs / show.cpuMs, 2) })
  return { rounds, node: at('node'), show, pdf: ratio('pdf'), pdfCjk: ratio('pdfCjk') }
}
