// the demo is a SQLite file; the commands behave alike on PostgreSQL (their own tests).
//
// How a markdown file's sh blocks run (test/docs/doc-blocks.ts):
// - in order, each with `bash -e -o pipefail`, in a temp folder laid out as a
//   checkout after `npm run demo`: a copy of examples/ and a scratch copy of the
//   demo database at .demo/wsb-demo.sqlite (so `examples/franchise-pooled.yaml`
//   and `export WSB_DB=.demo/wsb-demo.sqlite` resolve, and files a block writes,
//   `-o invoice.pdf`, land there, never in the repo); WSB_DB names that copy
//   until a block exports another; `wsb` on PATH runs `node bin/run.cjs`;
//   variables exported and the folder a block `cd`s to carry on to the file's
//   next block.
// - `<!-- not run: REASON -->` on the line before a block (blank lines between
//   allowed) skips it; the reason must not be empty. ```console, ```text and
//   other languages are never run.
// - A command expected to fail ends its (last) line with `# exits N`: the block
//   fails unless that command exits exactly N. Any other non-zero exit fails.
// - A ```text/```console/```output block right after an sh block (only blank
//   lines between) shows its output: each of its lines that is not blank, not a
//   `$ command` line and not elided (holding `…` or `...`) must equal a whole
//   line of the block's real stdout+stderr, both normalised: ANSI escapes gone,
//   ids (ws_…, sub_…, inv_…, pmr_…, evt_/ntf_ numbers, wsbk_ keys, sandbox
//   provider ids) read as <id>, times and dates as <time>/<date>, runs of
//   blanks (aligned columns on a terminal, tabs when piped) as one space.
//
// How help examples run: each in a fresh temp folder as above, with its own
// copy of the demo database (and reports.ndjson, which `usage import` examples
// read), with `bash -e -o pipefail`. WSB_WORKSPACE is the demo workspace that
// owns the longest demo name (workspace, organization, account, coupon, API
// key, invoice number) the example mentions; when it names none, the first
// workspace holding an object for each placeholder id it has ("Acme Software"
// otherwise); unset when the example gives --workspace itself. Ids are random,
// so examples write placeholder ids (`sub_1a2b3c`, `pmr_1a2b3c`, ...): each is
// replaced by a real id of that kind in that workspace (a subscription, invoice
// or payment method of the account the example names, if it names one).
// Examples that cannot run here are listed in NOT_RUNNABLE with the reason,
// those expected to fail in EXPECTED_EXIT with their code and why; a stale
// entry in either fails the test.
import { spawnSync } from 'node:child_process'
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { beforeAll, describe, expect, it } from 'vitest'
import { buildDemo } from '../helpers/demo.js'
import { cleanEnv, WSB } from '../helpers/cli.js'
import { tempDir } from '../helpers/temp.js'
import { expectingExits, normalise, shBlocks, shownLines } from './doc-blocks.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const docFiles = ['README.md', ...readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md')).sort().map((name) => `docs/${name}`)]
const manifest = JSON.parse(readFileSync(join(root, 'oclif.manifest.json'), 'utf8'))
const commands = Object.values<any>(manifest.commands).sort((a, b) => (a.id < b.id ? -1 : 1))
const exampleText = (entry: any): string => String(typeof entry === 'string' ? entry : entry.command).replace(/<%= config\.bin %>/g, 'wsb')

/** Help examples that cannot run against a local copy of the demo, and why. */
const NOT_RUNNABLE: Record<string, string> = {
  'wsb serve --db /var/lib/wsb/wsb.sqlite': 'serves until stopped (test/server covers wsb serve)',
  'wsb serve --db "postgres://wsb@db.internal/wsb" --listen 0.0.0.0:8787 --log-format json': 'a PostgreSQL server at db.internal, and serves until stopped',
  'wsb init --db postgres://wsb@db.internal/billing --json': 'a PostgreSQL server at db.internal (test/cli/init.test.ts runs init on PostgreSQL)',
  "wsb db copy --to 'postgresql://wsb:secret@db.internal:5432/wsb'": 'a PostgreSQL server at db.internal (test/cli/db-copy.test.ts copies the demo)',
  "wsb db copy --db ./wsb.sqlite --to 'postgresql://wsb@db.internal/wsb?sslmode=verify-full' --json": 'a PostgreSQL server at db.internal (test/cli/db-copy.test.ts copies the demo)',
  'wsb events --follow': 'follows the log until interrupted (test/cli/events-stream.test.ts)',
  'tail -f events.ndjson | wsb usage import - --results acks.ndjson': 'tail -f never ends (test/cli/usage.test.ts streams stdin)',
  '*/10 * * * * wsb billing run --json >> /var/log/wsb-billing.ndjson': 'a crontab line, not a command',
  'wsb invoice pdf ASINC-0001 -o - | lpr': 'needs a printer (lpr)',
  'wsb pm add "Acme Software Inc." pm_1PxYz… --json': 'a PaymentMethod of a real Stripe account, with STRIPE_SECRET_KEY (test/cli/payments.test.ts adds them through the Stripe fake)',
  'wsb pm add "Global Corp GmbH" pm_1QsEpa… --mandate mandate_1QsEpa…': 'a SEPA PaymentMethod and Mandate of a real Stripe account, with STRIPE_SECRET_KEY (test/cli/payments.test.ts)',
  'wsb pm add "Global Corp GmbH" pm_1QsEpa… --mandate-ip 203.0.113.7 --mandate-user-agent "Mozilla/5.0 …"': 'a SEPA PaymentMethod of a real Stripe account, with STRIPE_SECRET_KEY (test/cli/payments.test.ts)',
}

/** Help examples expected to exit non-zero on the demo: their exit code and why. */
const EXPECTED_EXIT: Record<string, { code: number; why: string }> = {
  'wsb invoice pay FC-0001 --json': { code: 5, why: "Franchisee C's only card is declined: the example shows the PAYMENT_FAILED answer" },
}

let demo = ''
let bin = ''
type DemoNames = { workspaces: { id: string; name: string }[]; owner: Map<string, string>; kinds: Map<string, Set<string>> }
let names: DemoNames

beforeAll(async () => {
  demo = await buildDemo()
  bin = tempDir()
  writeFileSync(join(bin, 'wsb'), `#!/bin/sh\nexec "${process.execPath}" "${WSB}" "$@"\n`)
  chmodSync(join(bin, 'wsb'), 0o755)
  const db = new Database(demo, { readonly: true })
  try {
    const workspaces = db.prepare('SELECT id, name FROM workspaces ORDER BY rowid').all() as { id: string; name: string }[]
    const owner = new Map<string, string>()
    for (const query of [
      'SELECT name, id AS workspace FROM workspaces',
      'SELECT name, workspace_id AS workspace FROM organizations',
      'SELECT name, workspace_id AS workspace FROM billing_accounts',
      'SELECT code AS name, workspace_id AS workspace FROM coupons',
      'SELECT name, workspace_id AS workspace FROM api_keys',
      'SELECT display_number AS name, workspace_id AS workspace FROM invoices',
    ])
      for (const row of db.prepare(query).all() as { name: string; workspace: string }[]) owner.set(row.name, row.workspace)
    const kinds = new Map<string, Set<string>>()
    for (const [kind, table] of Object.entries(PLACEHOLDER_TABLES))
      for (const row of db.prepare(`SELECT DISTINCT workspace_id AS workspace FROM ${table}`).all() as { workspace: string }[]) {
        if (!kinds.has(row.workspace)) kinds.set(row.workspace, new Set())
        kinds.get(row.workspace)?.add(kind)
      }
    for (const workspace of workspaces) kinds.set(workspace.id, new Set([...(kinds.get(workspace.id) ?? []), 'ws']))
    names = { workspaces, owner, kinds }
  } finally {
    db.close()
  }
}, 400_000)

/**
 * A temp folder laid out as the docs assume a checkout is after `npm run demo`:
 * a copy of examples/, and a scratch copy of the demo database at
 * .demo/wsb-demo.sqlite (where the demo writes it); plus reports.ndjson, the
 * demo's usage reports that `usage import` examples read.
 */
function workDir(): { cwd: string; db: string } {
  const cwd = tempDir()
  cpSync(join(root, 'examples'), join(cwd, 'examples'), { recursive: true })
  mkdirSync(join(cwd, '.demo'))
  const db = join(cwd, '.demo/wsb-demo.sqlite')
  copyFileSync(demo, db)
  for (const suffix of ['-wal', '-shm']) if (existsSync(demo + suffix)) copyFileSync(demo + suffix, db + suffix)
  const reports = [
    { org: 'Marketing', product: 'users', delta: -1, key: 'offboard-17' },
    { org: 'Sales', product: 'users', delta: 1, key: 'signup-4712' },
  ]
  writeFileSync(join(cwd, 'reports.ndjson'), `${reports.map((line) => JSON.stringify(line)).join('\n')}\n`)
  return { cwd, db }
}

function bash(script: string, cwd: string, env: Record<string, string | undefined>) {
  const out = spawnSync('bash', ['-e', '-o', 'pipefail', '-c', script], {
    cwd,
    env: cleanEnv({ PATH: `${bin}:${process.env.PATH}`, ...env }, 'the demo database is a SQLite file'),
    input: '',
    encoding: 'utf8',
    timeout: 120_000,
  })
  return { code: out.status ?? -1, stdout: out.stdout, stderr: out.stderr, output: `${out.stdout}${out.stderr}` }
}

/**
 * Runs a markdown file's sh blocks as described at the top; returns what went
 * wrong (empty when every block exits as marked and prints what is shown).
 */
function runMarkdown(markdown: string, file: string): string[] {
  const problems: string[] = []
  const { cwd, db } = workDir()
  const state = join(tempDir(), 'state.sh')
  writeFileSync(state, `export WSB_DB=${JSON.stringify(db)}\n`)
  for (const block of shBlocks(markdown, file)) {
    if (block.notRun) continue
    const script = `. ${JSON.stringify(state)}\n${expectingExits(block.body)}\n{ export -p; echo "cd $(printf %q "$PWD")"; } > ${JSON.stringify(state)}`
    const run = bash(script, cwd, {})
    if (run.code !== 0) {
      problems.push(`${file}:${block.line}: the block exited ${run.code}\n${block.body}\n--- output:\n${run.output}`)
      break
    }
    if (!block.output) continue
    const real = new Set(run.output.split('\n').map(normalise))
    const missing = shownLines(block.output.body).filter((line) => !real.has(line))
    if (missing.length > 0)
      problems.push(`${file}:${block.output.line}: shown but not printed by the block at line ${block.line}:\n${missing.join('\n')}\n--- real output:\n${run.output}`)
  }
  return problems
}

describe('every sh block of README.md and docs/*.md runs against the demo database', () => {
  for (const file of docFiles)
    it(`${file}: each block exits 0 (or as marked) and prints every output line shown beside it`, () => {
      expect(runMarkdown(readFileSync(join(root, file), 'utf8'), file)).toEqual([])
    })

  it('fails a block that exits non-zero unmarked, or other than marked, or shows output it does not print', () => {
    const fence = (lang: string, body: string) => `\`\`\`${lang}\n${body}\n\`\`\``
    const shown = (output: string) => `${fence('sh', 'wsb workspace list')}\n\n${fence('text', output)}\n`
    expect(runMarkdown(shown('id    name         mode      clock\nws_0123456789ab  Global Corp  assigned  test clock at 2026-02-01 00:00:00Z\n…'), 't.md')).toEqual([])
    expect(runMarkdown(shown('ws_0123456789ab  Global Corp  pooled  test clock at 2026-02-01 00:00:00Z'), 't.md')[0]).toMatch(
      /shown but not printed[^]*\n<id> Global Corp pooled test clock at <time>\n/,
    )
    expect(runMarkdown(fence('sh', 'wsb workspace update "Global Corp" --mode pooled'), 't.md')[0]).toMatch(/t\.md:1: the block exited/)
    expect(runMarkdown(fence('sh', 'wsb workspace update "Global Corp" --mode pooled   # exits 4: permanent'), 't.md')).toEqual([])
    expect(runMarkdown(fence('sh', 'wsb workspace update "Global Corp" --mode pooled   # exits 2'), 't.md')[0]).toMatch(/expected exit 2, got 4/)
    expect(runMarkdown(`<!-- not run: fails on purpose -->\n${fence('sh', 'false')}`, 't.md')).toEqual([])
    expect(() => runMarkdown(`<!-- not run: -->\n${fence('sh', 'false')}`, 't.md')).toThrow(/needs a reason/)
  })

  it('carries exported variables and the folder from one block to the next', () => {
    const md = '```sh\nexport WSB_WORKSPACE="Franchise Co"\nmkdir sub && cd sub\n```\n\n```sh\n[ "$(basename "$PWD")" = sub ]\nwsb org list\n```\n\n```text\nLocation 1 - Downtown <id>\n```\n'
    expect(runMarkdown(md, 't.md')).toEqual([])
  })
})

/** The demo workspace an example is about: the owner of the longest demo name it mentions. */
function workspaceOf(example: string): string | undefined {
  if (/(^|\s)(--workspace|-w)(\s|=)/.test(example)) return undefined
  let best: { name: string; workspace: string } | undefined
  for (const [name, workspace] of names.owner)
    if (example.includes(name) && (!best || name.length > best.name.length)) best = { name, workspace }
  if (best) return best.workspace
  // Naming nothing: the first workspace that has an object for each placeholder id.
  const kinds = [...example.matchAll(PLACEHOLDER)].map((found) => found[1] ?? '')
  return names.workspaces.find((workspace) => kinds.every((kind) => names.kinds.get(workspace.id)?.has(kind)))?.id ?? names.workspaces[0]?.id
}

/** The table of each kind of id an example may hold as a placeholder. */
const PLACEHOLDER_TABLES: Record<string, string> = {
  org: 'organizations',
  acct: 'billing_accounts',
  sub: 'subscriptions',
  inv: 'invoices',
  pmr: 'payment_methods',
  alrt: 'usage_alerts',
  key: 'api_keys',
  cpn: 'coupons',
}
const PLACEHOLDER = /\b(ws|org|acct|sub|inv|pmr|alrt|key|cpn)_[0-9a-z]{6,12}\b/g

/** The example with each placeholder id replaced by a real id of its kind in the workspace. */
function withRealIds(example: string, workspace: string | undefined, db: string): string {
  if (!workspace || !example.match(PLACEHOLDER)) return example
  const sqlite = new Database(db, { readonly: true })
  try {
    const account = [...names.owner.keys()].filter((name) => example.includes(name)).sort((a, b) => b.length - a.length)[0]
    const queries: Record<string, string> = {
      ws: 'SELECT id FROM workspaces WHERE id = ?',
      org: 'SELECT id FROM organizations WHERE workspace_id = ? ORDER BY rowid',
      acct: 'SELECT id FROM billing_accounts WHERE workspace_id = ? ORDER BY rowid',
      sub: "SELECT s.id FROM subscriptions s JOIN billing_accounts a ON a.id = s.account_id WHERE s.workspace_id = ? ORDER BY a.name != ?, s.status NOT IN ('active', 'trialing'), s.rowid",
      inv: 'SELECT i.id FROM invoices i JOIN billing_accounts a ON a.id = i.account_id WHERE i.workspace_id = ? ORDER BY a.name != ?, i.rowid',
      pmr: 'SELECT p.id FROM payment_methods p JOIN billing_accounts a ON a.id = p.account_id WHERE p.workspace_id = ? ORDER BY a.name != ?, p.rowid',
      alrt: 'SELECT id FROM usage_alerts WHERE workspace_id = ? ORDER BY rowid',
      key: 'SELECT id FROM api_keys WHERE workspace_id = ? ORDER BY rowid',
      cpn: 'SELECT id FROM coupons WHERE workspace_id = ? ORDER BY rowid',
    }
    return example.replace(PLACEHOLDER, (placeholder, kind: string) => {
      const row = sqlite.prepare(queries[kind] ?? '').get(...(['sub', 'inv', 'pmr'].includes(kind) ? [workspace, account ?? ''] : [workspace])) as { id: string } | undefined
      if (!row) throw new Error(`${example}: the demo workspace ${workspace} has no ${kind}_… to stand for ${placeholder}`)
      return row.id
    })
  } finally {
    sqlite.close()
  }
}

describe('every help example runs against the demo database', () => {
  const all = commands.flatMap((command) => (command.examples ?? []).map(exampleText))

  it('lists as not runnable or expected to fail only examples that exist', () => {
    expect(Object.keys(NOT_RUNNABLE).filter((example) => !all.includes(example))).toEqual([])
    expect(Object.keys(EXPECTED_EXIT).filter((example) => !all.includes(example))).toEqual([])
    for (const reason of [...Object.values(NOT_RUNNABLE), ...Object.values(EXPECTED_EXIT).map((entry) => entry.why)]) expect(reason.trim()).not.toBe('')
  })

  for (const command of commands) {
    const examples = (command.examples ?? []).map(exampleText).filter((example: string) => !(example in NOT_RUNNABLE))
    if (examples.length === 0) continue
    it(`wsb ${command.id.split(':').join(' ')}: each example runs on the demo's objects`, () => {
      const failed: string[] = []
      for (const example of examples) {
        const { cwd, db } = workDir()
        const workspace = workspaceOf(example)
        const script = withRealIds(example, workspace, db)
        const run = bash(script, cwd, { WSB_DB: db, WSB_WORKSPACE: workspace })
        const expected = EXPECTED_EXIT[example]?.code ?? 0
        if (run.code !== expected)
          failed.push(`${example}\nexited ${run.code}, not ${expected} (ran: ${script}, workspace ${workspace ?? 'from the example'})\n--- output:\n${run.output}`)
      }
      expect(failed).toEqual([])
    })
  }
})
