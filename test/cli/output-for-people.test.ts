// Issue 15: human output for people at a terminal. The demo database (three
// workspaces after trials, renewals, failover and dunning) walked through every
// list and show command: at 80 columns no line is longer than 80, piped output
// is tab-separated without box drawing, and no account, organization or payment
// method id appears without its name (or brand and last four) beside it.
// On the postgres project the demo is copied into PostgreSQL with `db copy`.
import { beforeAll, describe, expect, it } from 'vitest'
import { wsb } from '../helpers/cli.js'
import { buildDemo } from '../helpers/demo.js'

type Walk = { args: string[]; names: Map<string, string>; terminal?: string; piped?: string }

/** Every list and show command of every workspace of the demo, with the names of the ids they may print. */
function commandsOf(db: string): Walk[] {
  const run = (args: string[]) => wsb([...args, '--json'], { env: { WSB_DB: db } }).json()
  const names = new Map<string, string>()
  const walk: string[][] = [['workspace', 'list']]
  for (const ws of run(['workspace', 'list']).workspaces as { id: string; name: string }[]) {
    const w = ['--workspace', ws.id]
    const accounts = run(['account', 'list', ...w]).accounts as { id: string; name: string }[]
    const orgs = run(['org', 'list', ...w]).orgs as { id: string; name: string; parentId: string | null }[]
    for (const a of accounts) names.set(a.id, a.name)
    for (const o of orgs) names.set(o.id, o.name)
    const subs = run(['sub', 'list', ...w]).subscriptions as { id: string }[]
    const invoices = run(['invoice', 'list', ...w]).invoices as { id: string }[]
    // usage history (issue 17) of the first pool and top-level org with usage, by day and by hour (the widest bucket).
    const pool = (run(['usage', 'report', ...w]).pools as { id: string; products: { product: string }[] }[]).find((p) => p.products.length > 0)
    const product = pool?.products[0]?.product
    const history = (scope: string[], bucket: string) => ['usage', 'history', ...scope, '--product', product as string, '--bucket', bucket, ...w]
    const topOrg = orgs.find((o) => o.parentId === null)
    walk.push(
      ['workspace', 'show', ...w],
      ['org', 'list', ...w],
      ...orgs.filter((o) => o.parentId === null).map((o) => ['org', 'show', o.id, ...w]),
      ['account', 'list', ...w],
      ...accounts.map((a) => ['account', 'show', a.id, ...w]),
      ...accounts.map((a) => ['pm', 'list', a.id, ...w]),
      ['product', 'list', ...w],
      ['price', 'list', ...w],
      ['coupon', 'list', ...w],
      ['sub', 'list', ...w],
      ...subs.map((s) => ['sub', 'show', s.id, ...w]),
      ['invoice', 'list', ...w],
      ...invoices.map((i) => ['invoice', 'show', i.id, ...w]),
      ['usage', 'report', ...w],
      ['usage', 'report', '--by', 'org', ...w],
      ['usage', 'report', '--by', 'product', ...w],
      ...(pool && product ? [history(['--pool', pool.id], 'day'), history(['--pool', pool.id], 'hour'), history(['--pool', pool.id], 'month')] : []),
      ...(product && topOrg ? [history(['--org', topOrg.id, '--subtree'], 'hour')] : []),
      ['usage', 'report', '--rejections', '--from', '2020-01-01', '--to', '2030-01-01', ...w],
      ['notifications', ...w],
      ['events', ...w],
      ['clock', 'show', ...w],
    )
  }
  return walk.map((args) => ({ args, names }))
}

const BOX = /[\u2500-\u257f]/
const ID = /\b(acct|org|pmr)_[0-9a-z]{12}\b/g

describe('output for people on the demo database (issue 15)', () => {
  let db: string
  let walk: Walk[]
  beforeAll(async () => {
    db = await buildDemo()
    walk = commandsOf(db)
    // Each command run once as on an 80-column terminal and once piped; the tests read these.
    for (const step of walk) {
      const terminal = wsb(step.args, { env: { WSB_DB: db, WSB_TTY: '1', COLUMNS: '80' } })
      const piped = wsb(step.args, { env: { WSB_DB: db } })
      if (terminal.code !== 0 || piped.code !== 0) throw new Error(`${step.args.join(' ')}: ${terminal.stderr}${piped.stderr}`)
      step.terminal = terminal.stdout
      step.piped = piped.stdout
    }
  }, 600_000)

  it('on a terminal 80 columns wide (WSB_TTY=1 COLUMNS=80), no line of any list or show is longer than 80', () => {
    expect(walk.length).toBeGreaterThan(40)
    const long: string[] = []
    for (const { args, terminal } of walk) for (const line of (terminal ?? '').split('\n')) if ([...line].length > 80) long.push(`${args.join(' ')}: ${line}`)
    expect(long).toEqual([])
  })

  it('usage history at 80 columns (issue 17): every bucket start whole, no cell cut, left-out columns named with the --wide note', () => {
    const history = walk.filter(({ args }) => args[0] === 'usage' && args[1] === 'history')
    expect(history.length).toBeGreaterThanOrEqual(4)
    for (const { args, terminal, piped } of history) {
      // The first line may cut a long pool or org name; nothing after it is cut.
      expect(terminal?.split('\n').slice(1).join('\n'), args.join(' ')).not.toContain('…')
      expect(terminal, args.join(' ')).toMatch(/^│ \d{4}-\d{2}(-\d{2}( \d{2}:00)?)? +│/m)
      // Piped keeps all eleven columns.
      expect(piped?.split('\n')[1]?.split('\t')).toHaveLength(11)
    }
    expect(history.some(({ terminal }) => terminal?.includes('--wide shows every column'))).toBe(true)
  })

  it('invoice list at 80 columns keeps account names and amounts whole: the id gives way first, as the number is the handle', () => {
    for (const { args, terminal } of walk.filter(({ args }) => args[0] === 'invoice' && args[1] === 'list')) {
      const w = [...args]
      const invoices = wsb([...w, '--json'], { env: { WSB_DB: db } }).json().invoices as { invoiceNumber: string; accountName: string; total: { amount: number } }[]
      const rows = (terminal ?? '').split('\n')
      for (const invoice of invoices) {
        const row = rows.find((line) => line.includes(invoice.invoiceNumber))
        expect(row, `${args.join(' ')}: ${invoice.invoiceNumber}`).toBeDefined()
        expect(row).toContain(invoice.accountName)
        expect(row).not.toContain('…')
      }
      if (invoices.length) expect(terminal).toMatch(/\(id(, [a-z]+)* not shown at this width; --wide shows every column\)/)
    }
  })

  it('sub list at 80 columns keeps account names and quantities whole: an always-empty scheduled column, interval and period end give way first', () => {
    for (const { args, terminal } of walk.filter(({ args }) => args[0] === 'sub' && args[1] === 'list')) {
      const subs = wsb([...args, '--json'], { env: { WSB_DB: db } }).json().subscriptions as { id: string; accountName: string; items: { product: string; quantity: number }[] }[]
      for (const sub of subs) {
        const row = (terminal ?? '').split('\n').find((line) => line.includes(sub.id))
        expect(row, `${args.join(' ')}: ${sub.id}`).toContain(sub.accountName)
        for (const item of sub.items) expect(row).toContain(`${item.product}=${item.quantity}`)
      }
    }
  })

  it('--wide on a terminal shows every cell in full, one field a line per record (issue 25): whole ids and periods, no row wider than 80', () => {
    const w = walk.find(({ args }) => args[0] === 'invoice' && args[1] === 'list')?.args as string[]
    const invoices = wsb([...w, '--json'], { env: { WSB_DB: db } }).json().invoices as { id: string; periodStart: string }[]
    const wide = wsb([...w, '--wide'], { env: { WSB_DB: db, WSB_TTY: '1', COLUMNS: '80' } }).stdout
    const records = wide.trimEnd().split('\n\n')
    expect(records).toHaveLength(invoices.length)
    for (const [i, invoice] of invoices.entries()) {
      expect(records[i]).toContain(`id:      ${invoice.id}`)
      expect(records[i]).toContain(`period:  ${invoice.periodStart.slice(0, 10)} → `)
    }
    expect(wide).not.toMatch(BOX)
    expect(Math.max(...wide.split('\n').map((l) => [...l].length))).toBeLessThanOrEqual(80)
  })

  it('piped, every list and show has no box-drawing character; lists are tab-separated with one header line', () => {
    for (const { args, piped } of walk) expect(piped, args.join(' ')).not.toMatch(BOX)
    const invoices = wsb(['invoice', 'list', '--workspace', 'Global Corp'], { env: { WSB_DB: db } }).stdout.trimEnd().split('\n')
    expect(invoices[0]).toBe('number\tid\taccount\tstatus\tissued\ttotal\tpaid\tperiod')
    expect(invoices.slice(1).every((line) => line.split('\t').length === 8)).toBe(true)
  })

  it("issue 25: the demo's seller is the platform, never the workspace's own company invoicing itself", () => {
    const workspaces = wsb(['workspace', 'list', '--json'], { env: { WSB_DB: db } }).json().workspaces as { id: string; name: string }[]
    let seen = 0
    for (const ws of workspaces) {
      const invoices = wsb(['invoice', 'list', '--workspace', ws.id, '--json'], { env: { WSB_DB: db } }).json().invoices as { seller: { name: string } | null; buyer: { name: string } | null }[]
      for (const { seller, buyer } of invoices) {
        if (seller === null) continue
        seen++
        expect(seller.name).not.toBe(buyer?.name)
        expect(seller.name.toLowerCase().startsWith(ws.name.toLowerCase()), `${ws.name} invoiced by ${seller.name}`).toBe(false)
      }
    }
    expect(seen).toBeGreaterThan(3)
  })

  it('no person-facing output shows a bare acct_, org_ or pmr_ id: the name (or card brand and last four) is on the same line', () => {
    const bare: string[] = []
    for (const { args, names, terminal, piped } of walk) {
      for (const output of [terminal ?? '', piped ?? '']) {
        for (const line of output.split('\n'))
          for (const [id, prefix] of line.matchAll(ID)) {
            const name = prefix === 'pmr' ? '••••' : names.get(id)
            if (name === undefined || !line.includes(name)) bare.push(`${args.join(' ')}: ${line.trim()}`)
          }
      }
    }
    expect(bare).toEqual([])
  })
})
