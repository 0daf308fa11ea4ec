// Issue 15: invoice list, sub list and notifications read page by page (100 rows
// a page) and streamed, with --limit, --after, --since/--until, --status,
// --account, --ndjson; events gains --until, --account and --org. One database
// of 123 accounts (more than one page of each list) serves every test: each
// filter is checked against the unfiltered --json list filtered here.
import { beforeAll, describe, expect, it } from 'vitest'
import { type CliResult, wsb } from '../helpers/cli.js'
import { tempDbPath } from '../helpers/temp.js'

let db: string

type Invoice = { id: string; invoiceNumber: string; accountId: string; accountName: string; status: string; issuedAt: string }
type Sub = { id: string; accountId: string; accountName: string; status: string; createdAt?: string }
type Notification = { id: string; at: string; kind: string; refs: Record<string, string> }
type Event = { id: string; at: string; kind: string; refs: Record<string, string> }

const run = (args: string[], env: Record<string, string> = {}): CliResult => wsb(args, { db, env })
const ok = (args: string[], env: Record<string, string> = {}): CliResult => {
  const result = run(args, env)
  if (result.code !== 0) throw new Error(`wsb ${args.join(' ')} exited ${result.code}: ${result.stderr}`)
  return result
}
const ndjson = (args: string[]) =>
  ok([...args, '--ndjson'])
    .stdout.trimEnd()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as { id: string })
const ids = (rows: { id: string }[]) => rows.map((row) => row.id)

function applied(yaml: string): void {
  const result = wsb(['apply', '-f', '-'], { db, input: yaml })
  if (result.code !== 0) throw new Error(result.stderr)
}

beforeAll(() => {
  db = tempDbPath()
  // 120 accounts without a payment method (open invoice, past_due, a payment_failed
  // notification each), one that pays (serving Sales), then one more two days later.
  const accounts = Array.from({ length: 120 }, (_, i) => `  - { name: Acct ${String(i + 1).padStart(3, '0')}, currency: USD, subscriptions: [ { label: main, items: { users: 1 } } ] }`)
  applied(`version: 1
workspace: { name: Acme, mode: assigned, clockStart: 2026-01-01T00:00:00Z }
organizations: [ { name: Sales } ]
accounts:
${accounts.join('\n')}
  - { name: Paying Co, currency: USD, organization: Sales, paymentMethods: [ pm_card_visa ], subscriptions: [ { label: main, items: { users: 2 } } ] }
`)
  ok(['clock', 'advance', '--by', '2d'])
  applied(`version: 1
workspace: { name: Acme, mode: assigned }
accounts:
  - { name: Late Co, currency: USD, subscriptions: [ { label: main, items: { users: 3 } } ] }
`)
  ok(['usage', 'record', '--org', 'Sales', '--product', 'users', '--delta', '1'])
}, 120_000)

describe('invoice list streamed page by page (issue 15)', () => {
  it('R-INV-1 --json unfiltered is one document of every invoice in issue order across pages; --ndjson and piped text list the same; --after continues', () => {
    const out = ok(['invoice', 'list', '--json'])
    const invoices = out.json().invoices as Invoice[]
    expect(invoices).toHaveLength(122)
    // The document is what JSON.stringify(…, null, 2) prints (the README contract), whatever the paging.
    expect(out.stdout).toBe(`${JSON.stringify({ invoices }, null, 2)}\n`)
    expect(new Set(ids(invoices)).size).toBe(122)
    expect(invoices.slice(0, 2).map((i) => i.invoiceNumber)).toEqual(['A001-0001', 'A002-0001'])
    expect(invoices.slice(-2).map((i) => i.accountName)).toEqual(['Paying Co', 'Late Co'])
    expect(ndjson(['invoice', 'list'])).toEqual(invoices)
    const piped = ok(['invoice', 'list']).stdout.trimEnd().split('\n')
    expect(piped[0]).toBe('number\tid\taccount\tstatus\tissued\ttotal\tpaid\tperiod')
    expect(piped).toHaveLength(123)
    expect(piped.some((line) => /[│┌─]/.test(line))).toBe(false)
    // By id or by printed number, the listing continues after it, across the page boundary.
    expect(ids(ndjson(['invoice', 'list', '--after', invoices[49]?.id as string]))).toEqual(ids(invoices.slice(50)))
    expect(ids(ndjson(['invoice', 'list', '--after', 'a099-0001']))).toEqual(ids(invoices.slice(99)))
    expect(ok(['invoice', 'list', '--after', invoices[121]?.id as string, '--json']).stdout).toBe('{\n  "invoices": []\n}\n')
  })

  it('R-INV-1 R-PAY-2 --status, --account (flag or argument), --since and --until (ISO or ago) keep exactly the matching invoices', () => {
    const all = ok(['invoice', 'list', '--json']).json().invoices as Invoice[]
    const late = all.find((i) => i.accountName === 'Late Co') as Invoice
    expect(ids(ok(['invoice', 'list', '--status', 'paid', '--json']).json().invoices)).toEqual(ids(all.filter((i) => i.status === 'paid')))
    expect(ids(ndjson(['invoice', 'list', '--status', 'open']))).toEqual(ids(all.filter((i) => i.status === 'open')))
    expect(ndjson(['invoice', 'list', '--status', 'open'])).toHaveLength(121)
    expect(ndjson(['invoice', 'list', '--status', 'void'])).toEqual([])
    expect(ids(ndjson(['invoice', 'list', '--account', 'Acct 007']))).toEqual(ids(all.filter((i) => i.accountName === 'Acct 007')))
    expect(ids(ndjson(['invoice', 'list', 'Late Co']))).toEqual([late.id])
    expect(ids(ndjson(['invoice', 'list', '--account', late.accountId]))).toEqual([late.id])
    // Late Co's invoice was issued two days after the others; now is its issue time.
    expect(ids(ndjson(['invoice', 'list', '--since', '2026-01-02']))).toEqual([late.id])
    expect(ids(ndjson(['invoice', 'list', '--since', '1d']))).toEqual([late.id])
    expect(ids(ndjson(['invoice', 'list', '--until', '1d']))).toEqual(ids(all.slice(0, 121)))
    expect(ids(ndjson(['invoice', 'list', '--until', '2026-01-03T00:00:00Z']))).toEqual(ids(all.slice(0, 121)))
    expect(ids(ndjson(['invoice', 'list', '--since', '2026-01-01', '--until', '2026-01-02', '--status', 'paid']))).toEqual(ids(all.filter((i) => i.status === 'paid')))
    expect(ok(['invoice', 'list', '--account', 'Acct 007', '--json']).json().invoices[0]).toEqual(all.find((i) => i.accountName === 'Acct 007'))
  })

  it('on a terminal: the latest 100 with a note saying how to see more; --limit N the latest N, oldest first', () => {
    const all = ok(['invoice', 'list', '--json']).json().invoices as Invoice[]
    const out = ok(['invoice', 'list'], { WSB_TTY: '1', COLUMNS: '80' }).stdout
    // At 80 columns the invoice id gives way first: the number is the handle.
    const rows = out.split('\n').filter((line) => /│ [A-Z0-9]+-\d{4} /.test(line))
    expect(rows).toHaveLength(100)
    expect(rows[0]).toContain(all[22]?.invoiceNumber)
    expect(out.trimEnd().split('\n').at(-1)).toBe('(the latest 100; --limit N, --since TIME or --after ID for others)')
    for (const line of out.split('\n')) expect([...line].length).toBeLessThanOrEqual(80)
    expect(ids(ndjson(['invoice', 'list', '--limit', '3']))).toEqual(ids(all.slice(-3)))
    expect(ids(ndjson(['invoice', 'list', '--limit', '3', '--status', 'open']))).toEqual(ids(all.filter((i) => i.status === 'open').slice(-3)))
    expect(ids(ndjson(['invoice', 'list', '--limit', '150']))).toEqual(ids(all))
    const limited = ok(['invoice', 'list', '--limit', '2'], { WSB_TTY: '1' }).stdout
    expect(limited).not.toContain('the latest')
  })

  it('bad input exits 2 naming the problem, an unknown account or invoice exits 3, and nothing is printed or changed', () => {
    const before = ok(['invoice', 'list', '--json']).stdout
    const cases: [string[], number, RegExp][] = [
      [['--status', 'bogus'], 2, /open, paid, uncollectible, void/],
      [['--since', 'yesterday'], 2, /--since: "yesterday" is not an ISO 8601 time/],
      [['--until', '2026-02-30'], 2, /not a valid date/],
      [['--since', '2026-02-01', '--until', '2026-01-01'], 2, /--since .* must be before --until/],
      [['--limit', '-1'], 2, /--limit/],
      [['--limit', 'ten'], 2, /--limit/],
      [['--account', 'Nobody'], 3, /billing account "Nobody" not found/],
      [['Acct 001', '--account', 'Acct 002'], 2, /two accounts given/],
      [['--after', 'inv_nope'], 3, /not found/],
    ]
    for (const [args, code, message] of cases) {
      const result = run(['invoice', 'list', ...args])
      expect({ args, code: result.code }).toEqual({ args, code })
      expect(result.stderr).toMatch(message)
      expect(result.stdout).toBe('')
    }
    // With --json the error is the JSON error object, not a partial list.
    const both = run(['invoice', 'list', '--json', '--ndjson'])
    expect(both.code).toBe(2)
    expect(JSON.parse(both.stdout).error.message).toMatch(/--ndjson|--json/)
    expect(ok(['invoice', 'list', '--json']).stdout).toBe(before)
  })
})

describe('sub list streamed page by page (issue 15)', () => {
  it('R-SUB-1 --json unfiltered is one document in creation order across pages; --ndjson, piped text and --after agree', () => {
    const out = ok(['sub', 'list', '--json'])
    const subs = out.json().subscriptions as Sub[]
    expect(subs).toHaveLength(122)
    expect(out.stdout).toBe(`${JSON.stringify({ subscriptions: subs }, null, 2)}\n`)
    expect(subs.map((s) => s.accountName).slice(-2)).toEqual(['Paying Co', 'Late Co'])
    expect(ndjson(['sub', 'list'])).toEqual(subs)
    const piped = ok(['sub', 'list']).stdout.trimEnd().split('\n')
    expect(piped[0]?.split('\t')[0]).toBe('id')
    expect(piped).toHaveLength(123)
    expect(ids(ndjson(['sub', 'list', '--after', subs[100]?.id as string]))).toEqual(ids(subs.slice(101)))
  })

  it('R-PAY-2 --status, --account, --since/--until and --limit keep exactly the matching subscriptions; bad input exits 2 or 3', () => {
    const subs = ok(['sub', 'list', '--json']).json().subscriptions as Sub[]
    expect(ids(ndjson(['sub', 'list', '--status', 'active']))).toEqual(ids(subs.filter((s) => s.accountName === 'Paying Co')))
    expect(ids(ndjson(['sub', 'list', '--status', 'past_due']))).toEqual(ids(subs.filter((s) => s.status === 'past_due')))
    expect(ndjson(['sub', 'list', '--status', 'past_due'])).toHaveLength(121)
    expect(ids(ndjson(['sub', 'list', '--account', 'Acct 120']))).toEqual(ids(subs.filter((s) => s.accountName === 'Acct 120')))
    expect(ids(ndjson(['sub', 'list', '--since', '1d']))).toEqual(ids(subs.slice(-1)))
    expect(ids(ndjson(['sub', 'list', '--until', '1d']))).toEqual(ids(subs.slice(0, 121)))
    expect(ids(ndjson(['sub', 'list', '--limit', '4']))).toEqual(ids(subs.slice(-4)))
    const terminal = ok(['sub', 'list'], { WSB_TTY: '1', COLUMNS: '80' }).stdout
    expect(terminal.split('\n').filter((l) => l.includes('sub_'))).toHaveLength(100)
    expect(terminal).toContain('(the latest 100; --limit N, --since TIME or --after ID for others)')
    const before = ok(['sub', 'list', '--json']).stdout
    const bad = run(['sub', 'list', '--status', 'paused'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('trialing, active, past_due, unpaid, canceled')
    expect(run(['sub', 'list', '--account', 'Nobody']).code).toBe(3)
    expect(run(['sub', 'list', '--after', 'sub_nope']).code).toBe(3)
    expect(run(['sub', 'list', '--since', 'soon']).code).toBe(2)
    expect(ok(['sub', 'list', '--json']).stdout).toBe(before)
  })
})

describe('notifications streamed page by page (issue 15)', () => {
  it('R-PAY-2 R-EV-1 --json unfiltered is one document in time order across pages; --kind prefix, --account, --since/--until, --after, --limit', () => {
    const out = ok(['notifications', '--json'])
    const all = out.json().notifications as Notification[]
    expect(all).toHaveLength(121)
    expect(out.stdout).toBe(`${JSON.stringify({ notifications: all }, null, 2)}\n`)
    expect(ndjson(['notifications'])).toEqual(all)
    expect(ok(['notifications']).stdout.trimEnd().split('\n')).toHaveLength(122)
    expect(ids(ndjson(['notifications', '--kind', 'payment']))).toEqual(ids(all))
    expect(ids(ndjson(['notifications', '--kind', 'payment_failed']))).toEqual(ids(all))
    expect(ndjson(['notifications', '--kind', 'trial'])).toEqual([])
    expect(ndjson(['notifications', '--kind', 'payment_fail'])).toEqual([])
    const late = ok(['account', 'show', 'Late Co', '--json']).json()
    const lateId = (late.id ?? late.account?.id) as string
    expect(ids(ndjson(['notifications', '--account', 'Late Co']))).toEqual(ids(all.filter((n) => n.refs.accountId === lateId)))
    expect(ndjson(['notifications', '--account', 'Late Co'])).toHaveLength(1)
    expect(ids(ndjson(['notifications', '--since', '1d']))).toEqual(ids(all.slice(-1)))
    expect(ids(ndjson(['notifications', '--until', '2026-01-02']))).toEqual(ids(all.slice(0, 120)))
    expect(ids(ndjson(['notifications', '--after', all[110]?.id as string]))).toEqual(ids(all.slice(111)))
    expect(ids(ndjson(['notifications', '--limit', '2']))).toEqual(ids(all.slice(-2)))
    expect(run(['notifications', '--after', 'evt_1']).code).toBe(2)
    expect(run(['notifications', '--after', 'ntf_999999']).code).toBe(3)
    expect(run(['notifications', '--account', 'Nobody']).code).toBe(3)
    expect(run(['notifications', '--kind', ' ']).code).toBe(2)
  })
})

describe('events --until, --account and --org (issue 15)', () => {
  it('R-EV-1 each filter keeps exactly the events naming that account or org (usage decisions with the org), before --until', () => {
    const all = ok(['events', '--json']).json().events as Event[]
    expect(all.length).toBeGreaterThan(500) // more than one page of the log
    const accounts = ok(['account', 'list', '--json']).json()
    const paying = (accounts.accounts as { id: string; name: string }[]).find((a) => a.name === 'Paying Co') as { id: string }
    const names = (e: Event) => Object.values(e.refs)
    const byAccount = ndjson(['events', '--account', 'Paying Co']) as Event[]
    expect(ids(byAccount)).toEqual(ids(all.filter((e) => names(e).includes(paying.id))))
    expect(byAccount.map((e) => e.kind)).toEqual(expect.arrayContaining(['account.created', 'subscription.created', 'invoice.issued']))
    const sales = all.find((e) => e.kind === 'org.created')?.refs.orgId as string
    const byOrg = ndjson(['events', '--org', 'Sales']) as Event[]
    expect(ids(byOrg)).toEqual(ids(all.filter((e) => names(e).includes(sales))))
    expect(byOrg.map((e) => e.kind)).toEqual(expect.arrayContaining(['org.created', 'usage.accepted']))
    expect(ids(ok(['events', '--org', sales, '--kind', 'usage', '--json']).json().events)).toEqual(ids(all.filter((e) => e.kind.startsWith('usage.'))))
    const until = ndjson(['events', '--until', '2026-01-02']) as Event[]
    expect(ids(until)).toEqual(ids(all.filter((e) => e.at < '2026-01-02')))
    expect(ids(ndjson(['events', '--until', '1d']))).toEqual(ids(until))
    const late = (accounts.accounts as { id: string; name: string }[]).find((a) => a.name === 'Late Co') as { id: string }
    expect(ids(ndjson(['events', '--since', '1d', '--account', 'Late Co']))).toEqual(ids(all.filter((e) => e.at >= '2026-01-03' && names(e).includes(late.id))))
    // With --limit (the latest N) the filters apply too.
    expect(ids(ok(['events', '--account', 'Paying Co', '--limit', '2', '--json']).json().events)).toEqual(ids(byAccount.slice(-2)))
  })

  it('R-EV-1 an unknown account or org exits 3, a bad --until 2, and nothing is printed', () => {
    for (const [args, code] of [
      [['--account', 'Nobody'], 3],
      [['--org', 'Nowhere'], 3],
      [['--until', 'later'], 2],
      [['--since', '1d', '--until', '2d'], 2],
    ] as [string[], number][]) {
      const result = run(['events', ...args])
      expect({ args, code: result.code }).toEqual({ args, code })
      expect(result.stdout).toBe('')
    }
  })
})

describe('--after X --limit N pages forward (issue 15 review)', () => {
  it('R-INV-1 R-SUB-1 R-EV-1 invoice list, sub list and notifications: --after X --limit N are the next N after X (not the latest N); walking pages of 50 by the last id rebuilds the whole list', () => {
    const lists: [string[], string][] = [
      [['invoice', 'list'], 'invoices'],
      [['sub', 'list'], 'subscriptions'],
      [['notifications'], 'notifications'],
    ]
    for (const [command, key] of lists) {
      const all = ids(ok([...command, '--json']).json()[key] as { id: string }[])
      expect(all.length).toBeGreaterThan(120)
      expect({ command, rows: ids(ndjson([...command, '--after', all[9] as string, '--limit', '5'])) }).toEqual({ command, rows: all.slice(10, 15) })
      // Across the 100-row page boundary, and fewer than N left at the end.
      expect(ids(ndjson([...command, '--after', all[97] as string, '--limit', '4']))).toEqual(all.slice(98, 102))
      expect(ids(ndjson([...command, '--after', all.at(-3) as string, '--limit', '10']))).toEqual(all.slice(-2))
      expect(ids(ndjson([...command, '--after', all[0] as string, '--limit', '0']))).toEqual([])
      // Without --after, --limit stays the latest N.
      expect(ids(ndjson([...command, '--limit', '5']))).toEqual(all.slice(-5))
      const walked: string[] = []
      for (let page = ndjson([...command, '--limit', '50', '--after', all[0] as string]); page.length > 0; page = ndjson([...command, '--limit', '50', '--after', page.at(-1)?.id as string]))
        walked.push(...ids(page))
      expect(walked).toEqual(all.slice(1))
    }
    // With a filter: the next N matching rows after the cursor.
    const open = ids((ok(['invoice', 'list', '--json']).json().invoices as Invoice[]).filter((i) => i.status === 'open'))
    expect(ids(ndjson(['invoice', 'list', '--status', 'open', '--after', open[3] as string, '--limit', '2']))).toEqual(open.slice(4, 6))
  })
})

describe('clear errors for empty values, unknown flags and bad times (issue 15 review)', () => {
  it('an empty or blank --account, --org, --after or --pool is INVALID_INPUT (exit 2) naming the flag, not NOT_FOUND; nothing printed', () => {
    const cases: string[][] = [
      ['sub', 'list', '--account', ''],
      ['events', '--account', ''],
      ['events', '--org', '  '],
      ['invoice', 'list', '--account', ''],
      ['invoice', 'list', '--after', ''],
      ['notifications', '--after', ' '],
      ['alert', 'set', '--pool', '', '--product', 'users', '--at', '80'],
    ]
    for (const args of cases) {
      const result = run(args)
      const flag = args.find((arg, i) => arg.startsWith('--') && (args[i + 1] ?? 'x').trim() === '') as string
      expect({ args, code: result.code, stderr: result.stderr.trim() }).toEqual({ args, code: 2, stderr: `Error: ${flag}: must not be empty [INVALID_INPUT]` })
      expect(result.stdout).toBe('')
    }
    expect(run(['sub', 'list', '--account', '', '--json']).json().error).toMatchObject({ code: 'INVALID_INPUT', message: '--account: must not be empty' })
  })

  it('an unknown flag names the help to read, punctuated; --since/--until errors name the spans they take too', () => {
    expect(run(['notifications', '--status', 'open']).stderr).toContain('unknown flag --status; see `wsb notifications --help`')
    expect(run(['invoice', 'list', '--jsno']).stderr).toContain('unknown flag --jsno; did you mean --json? See `wsb invoice list --help`')
    // A command without --json (serve) never suggests it back as itself.
    const serve = run(['serve', '--json'])
    expect(serve.code).toBe(2)
    expect(serve.stderr).toContain('unknown flag --json; see `wsb serve --help`')
    const since = run(['events', '--since', 'yesterday'])
    expect(since.code).toBe(2)
    expect(since.stderr).toContain('--since: "yesterday" is not an ISO 8601 time such as 2026-01-31 or 2026-01-31T09:00:00Z, nor a span back from now such as 1d, 12h or 2w')
  })

  it('events --help: the usage line has no empty alternative, the latest-100 rule names --until; --follow still refuses --json and --limit', () => {
    const help = ok(['events', '--help']).stdout
    expect(help).not.toMatch(/\|\s+\|/)
    expect(help.replace(/\s+/g, ' ')).toContain('[-f | --limit N]')
    expect(help.replace(/\s+/g, ' ')).toContain('without --limit, --after, --since or --until, the latest 100')
    expect(help.replace(/\s+/g, ' ')).toContain('Only the latest N events; with --after, the next N after it.')
    expect(run(['events', '--follow', '--json']).code).toBe(2)
    expect(run(['events', '--follow', '--limit', '2']).code).toBe(2)
  })
})

describe('ids to continue from, and --kind that matches nothing (issue 15 review)', () => {
  it('R-EV-1 R-PAY-2 piped events and notifications lead with the id --after takes; on a terminal the id column is there', () => {
    const events = ids(ok(['events', '--json']).json().events as Event[])
    const pipedEvents = ok(['events']).stdout.trimEnd().split('\n')
    expect(pipedEvents[0]).toBe('id\tat\tkind\tids\tdata')
    expect(pipedEvents.slice(1).map((line) => line.split('\t')[0])).toEqual(events)
    const notifications = ok(['notifications', '--json']).json().notifications as Notification[]
    const piped = ok(['notifications']).stdout.trimEnd().split('\n')
    expect(piped[0]).toBe('id\tat\tkind\tmessage')
    expect(piped.slice(1).map((line) => line.split('\t')[0])).toEqual(ids(notifications))
    // The id printed continues the listing.
    const lastShown = piped[50]?.split('\t')[0] as string
    expect(ids(ndjson(['notifications', '--after', lastShown, '--limit', '3']))).toEqual(ids(notifications.slice(50, 53)))
    const terminal = ok(['notifications', '--limit', '2'], { WSB_TTY: '1', COLUMNS: '80' }).stdout
    // Each notification leads with its id, then its time and kind; the message wrapped under it.
    expect(terminal).toMatch(new RegExp(`^${notifications.at(-2)?.id} {2}\\d{4}-`, 'm'))
    expect(terminal).toContain(notifications.at(-1)?.id as string)
    const eventsTerminal = ok(['events', '--limit', '2'], { WSB_TTY: '1', COLUMNS: '80' }).stdout
    expect(eventsTerminal).toContain(events.at(-1) as string)
  })

  it('R-EV-1 a --kind matching no kind is said on stderr with the kinds there are; still an empty listing, exit 0; known kinds stay quiet', () => {
    const events = run(['events', '--kind', 'nonsense'])
    expect(events.code).toBe(0)
    expect(events.stdout).toBe('No events.\n')
    expect(events.stderr).toBe('No events of kind nonsense (kinds: account, clock, invoice, notification, org, payment, payment_method, subscription, usage, workspace)\n')
    const json = run(['events', '--kind', 'nope', '--kind', 'org', '--json'])
    expect(json.code).toBe(0)
    expect(json.stderr).toContain('No events of kind nope (kinds: ')
    expect(json.json().events.length).toBeGreaterThan(0)
    for (const kind of ['usage', 'usage.rejected', 'org', 'invoice.issued', 'notification'])
      expect({ kind, stderr: run(['events', '--kind', kind]).stderr }).toEqual({ kind, stderr: '' })
    const notifications = run(['notifications', '--kind', 'nope'])
    expect(notifications.code).toBe(0)
    expect(notifications.stdout).toBe('No notifications.\n')
    expect(notifications.stderr).toBe('No notifications of kind nope (kinds: payment_failed)\n')
    // A known kind with nothing in the window stays quiet.
    expect(run(['notifications', '--kind', 'payment', '--since', '2030-01-01']).stderr).toBe('')
    expect(run(['notifications', '--kind', 'payment_fail']).stderr).toContain('No notifications of kind payment_fail')
  })
})
