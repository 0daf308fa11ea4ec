// Issue 15, in a real terminal: output-for-people.test.ts simulates a terminal
// (WSB_TTY=1 COLUMNS=80, stdout a pipe); here wsb runs in an 80-column tmux pane,
// so stdout is a terminal, the width is the one the terminal reports, and
// wrapping is the terminal's own: tmux marks every line it wrapped, and
// `capture-pane -J` joins them back, so a wrapped row shows as a line wider than
// 80 and as fewer joined lines than screen lines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { engineDb, WSB, wsb } from '../helpers/cli.js'
import { hasTmux, noTmux, Tmux } from '../helpers/tmux.js'
import { tempDbPath } from '../helpers/temp.js'
import { buildDemo } from '../helpers/demo.js'

// Names and rows wider than 80 columns when shown in full (invoice list is 137, events 261 …).
const FILE = `version: 1
workspace: { name: Acme, mode: pooled }
organizations: [ { name: Sales }, { name: Research and Development Department of Europe } ]
accounts:
  - { name: Acme Incorporated Holdings International, currency: USD, subscriptions: [ { label: main, items: { users: 100 } } ] }
  - { name: Globex Corporation of the United States, currency: USD, subscriptions: [ { label: second, items: { users: 5 } } ] }
`

/** Columns of a captured line (box drawing and the ellipsis take one each; no wide characters here). */
const columns = (line: string) => [...line.trimEnd()].length

describe.skipIf(!hasTmux)(`list and show commands in a real 80-column terminal (tmux) (issue 15)${noTmux}`, () => {
  let db: string
  let tmux: Tmux
  beforeAll(() => {
    db = tempDbPath()
    expect(wsb(['apply', '-f', '-'], { db, input: FILE }).code).toBe(0)
    const reports = ['Sales', 'Research and Development Department of Europe'].map((org, i) => JSON.stringify({ org, product: 'users', delta: i + 3 })).join('\n')
    expect(wsb(['usage', 'import', '-'], { db, input: reports }).code).toBe(0)
    tmux = new Tmux()
  })
  afterAll(() => tmux?.kill())

  const lists = [['invoice', 'list'], ['sub', 'list'], ['events'], ['usage', 'report', '--by', 'org'], ['account', 'list'], ['price', 'list']]
  it.each(lists.map((args) => [args.join(' '), args]))('%s: every row on one line of at most 80 columns, as many rows as piped output has', async (_name, args) => {
    // Piped, a list is one header line and one line a row: the rows the table must show.
    const piped = wsb(args as string[], { db }).stdout.trimEnd().split('\n')
    expect(piped.length).toBeGreaterThan(1)
    const pane = tmux.start([process.execPath, WSB, ...(args as string[])], { WSB_DB: engineDb(db) })
    expect(await tmux.exited(pane)).toBe(0)
    expect(tmux.format(pane, '#{pane_width}')).toBe('80')
    const joined = tmux.capture(pane, true)
    const screen = tmux.capture(pane, false)
    expect(joined.filter((line) => columns(line) > 80)).toEqual([])
    expect(joined.length).toBe(screen.length)
    // A row of the table is a line starting with │ after the header's ├ rule.
    const body = joined.slice(joined.findIndex((line) => line.startsWith('├')) + 1)
    expect(body.filter((line) => line.startsWith('│'))).toHaveLength(piped.length - 1)
    expect(joined.join('\n')).toContain('┌')
  })

  it('a missing flag on a terminal: the error reads as text, without oclif\'s colour codes escaped into it', async () => {
    const pane = tmux.start([process.execPath, WSB, 'account', 'create', 'Portugal'], { WSB_DB: engineDb(db) })
    expect(await tmux.exited(pane)).toBe(2)
    const text = tmux.capture(pane, true).join('\n')
    expect(text).toContain('missing required flag --currency')
    expect(text).not.toMatch(/\\u001b|\[2m|\[22m/)
  })

  it('invoice show and the pool report: no line wider than 80, none wrapped', async () => {
    const invoice = wsb(['invoice', 'list', '--json'], { db }).json().invoices[0].id as string
    for (const args of [['invoice', 'show', invoice], ['usage', 'report']]) {
      const pane = tmux.start([process.execPath, WSB, ...args], { WSB_DB: engineDb(db) })
      expect(await tmux.exited(pane)).toBe(0)
      const joined = tmux.capture(pane, true)
      expect(joined.length).toBeGreaterThan(3)
      expect(joined.filter((line) => columns(line) > 80)).toEqual([])
      expect(joined.length).toBe(tmux.capture(pane, false).length)
    }
  })
})

type Json = Record<string, unknown>
/** One command to run at 80 columns and the values its output must show whole. */
type Case = { args: string[]; whole: string[] }

/** What a binding is called in usage reports: what the tables must show whole. */
const bindingName = (b: { kind: string; orgId?: string; orgPath?: string }, orgId: string) =>
  b.kind === 'pool' ? 'pool' : b.kind === 'limit' ? (b.orgId === orgId ? 'own limit' : `limit on ${b.orgPath}`) : 'no billing account'

/** Issue 25's acceptance, command by command over every workspace of the demo, with the values that identify each row. */
function demoCases(db: string): Case[] {
  const json = (args: string[]) => wsb([...args, '--json'], { env: { WSB_DB: db } }).json() as Json
  const cases: Case[] = [{ args: ['doctor'], whole: [] }]
  for (const ws of json(['workspace', 'list']).workspaces as { id: string }[]) {
    const w = ['--workspace', ws.id]
    const accounts = json(['account', 'list', ...w]).accounts as { id: string; name: string }[]
    cases.push({ args: ['account', 'list', ...w], whole: accounts.flatMap((a) => [a.id, a.name]) })
    for (const a of accounts) {
      const methods = json(['pm', 'list', a.id, ...w]).paymentMethods as { id: string; label: string }[]
      cases.push({ args: ['pm', 'list', a.id, ...w], whole: methods.flatMap((m) => [m.id, m.label]) })
    }
    const pools = json(['usage', 'report', ...w]).pools as { kind: string; products: { product: string; contributions: { accountName: string }[] }[] }[]
    cases.push({
      args: ['usage', 'report', ...w],
      whole: pools.flatMap((p) => p.products.flatMap((x) => [x.product, ...(p.kind === 'workspace' ? x.contributions.map((c) => c.accountName) : [])])),
    })
    const orgs = json(['usage', 'report', '--by', 'org', ...w]).orgs as { id: string; name: string; products: { product: string; binding: { kind: string } }[] }[]
    cases.push({ args: ['usage', 'report', '--by', 'org', ...w], whole: orgs.flatMap((o) => [o.name, ...o.products.flatMap((p) => [p.product, bindingName(p.binding, o.id)])]) })
    const range = ['--from', '2020-01-01', '--to', '2030-01-01']
    const rejections = json(['usage', 'report', '--rejections', ...range, ...w]).rejections as { orgId: string; path: string; product: string; boundBy: { kind: string; rejected: number }[] }[]
    cases.push({
      args: ['usage', 'report', '--rejections', ...range, ...w],
      whole: rejections.flatMap((r) => [r.path, r.product, ...r.boundBy.map((b) => `${bindingName(b, r.orgId)} ×${b.rejected}`)]),
    })
    const events = json(['events', '--limit', '100', ...w]).events as { id: string; kind: string }[]
    cases.push({ args: ['events', ...w], whole: events.flatMap((e) => [e.id, e.kind]) })
    const notifications = json(['notifications', ...w]).notifications as { id: string; kind: string }[]
    cases.push({ args: ['notifications', ...w], whole: notifications.flatMap((n) => [n.id, n.kind]) })
  }
  const doctor = json(['doctor']) as { checks: { rule: string; check: string }[] }
  ;(cases[0] as Case).whole = doctor.checks.flatMap((c) => [c.rule, c.check])
  return cases
}

describe.skipIf(!hasTmux)(`issue 25: at 80 columns in a real terminal (tmux), the demo's identifying columns are whole${noTmux}`, () => {
  let db: string
  let cases: Case[]
  let tmux: Tmux
  beforeAll(async () => {
    db = await buildDemo()
    cases = demoCases(db)
    tmux = new Tmux()
  }, 600_000)
  afterAll(() => tmux?.kill())

  it('account list, pm list, the pool report, usage report --by org and --rejections, events, notifications and doctor: every id, name, product and binding whole, no line wider than 80, none wrapped', async () => {
    expect(cases.filter((c) => c.args[0] === 'pm').length).toBeGreaterThanOrEqual(7)
    const problems: string[] = []
    for (const { args, whole } of cases) {
      const pane = tmux.start([process.execPath, WSB, ...args], { WSB_DB: db })
      expect(await tmux.exited(pane), args.join(' ')).toBe(0)
      const joined = tmux.capture(pane, true)
      if (joined.length !== tmux.capture(pane, false).length) problems.push(`${args.join(' ')}: a line wrapped`)
      for (const line of joined) if (columns(line) > 80) problems.push(`${args.join(' ')}: ${line}`)
      const text = joined.join('\n')
      for (const value of whole) if (!joined.some((line) => line.includes(value))) problems.push(`${args.join(' ')}: "${value}" not shown whole in\n${text}`)
    }
    expect(problems).toEqual([])
  }, 600_000)
})
