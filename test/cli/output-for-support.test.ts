// Issue 25, items 6 and 7: what support reads without opening a PDF. Accounts
// show the tax that applies to them (the tax-rate table's rate, exempt, the
// account's own rate) rather than "tax rate: 0%"; `invoice show` shows due date,
// seller, buyer, tax name and jurisdiction and the rule applied.
import { describe, expect, it } from 'vitest'
import { wsb } from '../helpers/cli.js'
import { tempDbPath } from '../helpers/temp.js'

const WORLD = `version: 1
workspace:
  name: World
  mode: pooled
  testClock: true
  clockStart: 2026-01-01T00:00:00Z
  seller: { legalName: Cloudplane B.V., address: [Herengracht 1, 1015 BS Amsterdam], country: NL, taxId: NL999999999B01, email: ar@cloudplane.example, termsDays: 30 }
taxRates:
  - { country: DE, rate: 19, name: VAT }
  - { country: JP, rate: 10, name: Consumption tax }
accounts:
  - { name: Berlin GmbH, currency: EUR, country: DE }
  - { name: Tokyo KK, currency: JPY, country: JP }
  - { name: Munich AG, currency: EUR, country: DE, taxId: DE123456789, paymentMethods: [pm_card_visa], subscriptions: [ { label: main, items: { users: 10 } } ] }
  - { name: Own Rate Ltd, currency: USD, country: US, taxRate: 8.5 }
`

function world(): string {
  const db = tempDbPath()
  const applied = wsb(['apply', '-f', '-'], { db, input: WORLD })
  if (applied.code !== 0) throw new Error(applied.stderr)
  expect(wsb(['account', 'create', 'Charity e.V.', '--currency', 'EUR', '--country', 'DE', '--tax-exempt'], { db }).code).toBe(0)
  return db
}

const line = (text: string, key: string) => text.split('\n').find((l) => l.startsWith(`${key}:`))

describe('issue 25: the tax that applies, shown where support looks', () => {
  it('R-INV-2 account show says the tax an invoice would apply and where it comes from (the table, the own rate, exempt), not "tax rate: 0%"; --json adds taxDetail', () => {
    const db = world()
    const show = (name: string) => wsb(['account', 'show', name], { db }).stdout
    // The rate, the jurisdiction, the rate's name and the rule that chose it, in whichever words the core gives.
    const tax = (name: string) => line(show(name), 'tax') ?? ''
    for (const part of [/\b19%/, /\bDE\b/, /\bVAT\b/, /tax(-rate)? table/]) expect(tax('Berlin GmbH')).toMatch(part)
    for (const part of [/\b10%/, /\bJP\b/, /Consumption tax/, /tax(-rate)? table/]) expect(tax('Tokyo KK')).toMatch(part)
    expect(tax('Charity e.V.')).toMatch(/^tax: +(tax )?exempt/)
    expect(tax('Own Rate Ltd')).toMatch(/^tax: +8\.5%.*the account's own rate/)
    // A German business with a VAT id, invoiced from the Netherlands: reverse charge.
    expect(tax('Munich AG')).toMatch(/reverse charge/)
    for (const name of ['Berlin GmbH', 'Tokyo KK', 'Charity e.V.']) expect(show(name)).not.toContain('tax rate')
    const json = wsb(['account', 'show', 'Berlin GmbH', '--json'], { db }).json()
    // The existing field stays as it was (the account's own rate: 0, none).
    expect(json.taxRate).toBe(0)
    expect(json.taxDetail).toMatchObject({ jurisdiction: 'DE', name: 'VAT', rate: 19, rule: 'table', note: null })
    expect(wsb(['account', 'show', 'Charity e.V.', '--json'], { db }).json().taxDetail).toMatchObject({ rate: 0, rule: 'exempt' })
    // The list: a short cell per account, piped.
    const rows = wsb(['account', 'list'], { db }).stdout.trimEnd().split('\n')
    const cell = (name: string) => rows.find((row) => row.split('\t')[1] === name)?.split('\t')[3]
    expect([cell('Berlin GmbH'), cell('Tokyo KK'), cell('Charity e.V.'), cell('Own Rate Ltd'), cell('Munich AG')]).toEqual(['19% VAT', '10% Consumption tax', 'exempt', '8.5% own', 'reverse charge'])
    expect(wsb(['account', 'list', '--json'], { db }).json().accounts.every((a: { taxDetail?: unknown }) => a.taxDetail)).toBe(true)
  })

  it('R-INV-2 invoice show carries what the PDF does: due date and terms, seller, buyer, tax name, jurisdiction and the rule applied, and its legal note', () => {
    const db = world()
    const invoice = wsb(['invoice', 'list', '--json'], { db }).json().invoices[0]
    const text = wsb(['invoice', 'show', invoice.invoiceNumber], { db }).stdout
    expect(line(text, 'seller')).toBe('seller:   Cloudplane B.V., Herengracht 1, 1015 BS Amsterdam, NL, tax id NL999999999B01, ar@cloudplane.example')
    expect(line(text, 'buyer')).toBe('buyer:    Munich AG, DE, tax id DE123456789')
    expect(line(text, 'due')).toBe('due:      2026-01-31 00:00:00Z (30 days after issue)')
    expect(line(text, 'tax rule')).toMatch(/^tax rule: +.*reverse charge.*the buyer accounts for/)
    expect(line(text, 'tax note')).toBe(`tax note: ${invoice.taxDetail.note}`)
    expect(invoice.taxDetail.rule).toBe('reverse_charge')
  })
})

const DUNNED = `version: 1
workspace: { name: Dunned, mode: pooled, testClock: true, clockStart: 2026-01-01T00:00:00Z }
organizations: [ { name: Ops, usage: { users: 5 } } ]
accounts:
  - { name: Paying Co, currency: USD, paymentMethods: [pm_card_visa], subscriptions: [ { label: main, trial: false, items: { users: 5 } } ] }
  - { name: Declined Co, currency: USD, paymentMethods: [pm_card_chargeDeclined], subscriptions: [ { label: main, trial: false, items: { users: 2 } } ] }
`

describe('issue 25 item 9: what people read is said for people', () => {
  it('R-POOL-1 R-PAY-2 the pool report says which of its accounts adds nothing now (unpaid after dunning), piped and in --json', async () => {
    const db = tempDbPath()
    expect(wsb(['apply', '-f', '-'], { db, input: DUNNED }).code).toBe(0)
    expect(wsb(['clock', 'advance', '--by', '10d'], { db }).code).toBe(0)
    const [pool] = wsb(['usage', 'report', '--json'], { db }).json().pools
    expect(pool.idleAccounts.map((a: { accountName: string }) => a.accountName)).toEqual(['Declined Co'])
    expect(pool.products.find((p: { product: string }) => p.product === 'users').capacity).toBe(5)
    const human = wsb(['usage', 'report'], { db }).stdout
    expect(human).toContain('from Paying Co: users 5')
    expect(human).toContain('nothing from Declined Co: no subscription of it counts toward the pool now')
  })

  it('R-EV-1 events --kind sub (the help example) matches the subscription events, as --kind subscription does; --kind pm the payment_method ones', () => {
    const db = tempDbPath()
    expect(wsb(['apply', '-f', '-'], { db, input: DUNNED }).code).toBe(0)
    const kinds = (...args: string[]) => (wsb(['events', ...args, '--json'], { db }).json().events as { kind: string }[]).map((e) => e.kind)
    expect(kinds('--kind', 'sub')).toEqual(kinds('--kind', 'subscription'))
    expect(kinds('--kind', 'sub')).toContain('subscription.created')
    expect(kinds('--kind', 'sub.created').every((kind) => kind === 'subscription.created')).toBe(true)
    expect(kinds('--kind', 'pm')).toContain('payment_method.added')
    const help = wsb(['events', '--help']).stdout
    expect(help).toContain('events --since 1d --kind sub')
    const out = wsb(['events', '--kind', 'sub'], { db })
    expect(out.stderr).toBe('')
    expect(out.stdout).toContain('subscription.created')
  })

  it('R-PR-2 events print money as money and notifications print times for people, piped and on a terminal', () => {
    const db = tempDbPath()
    expect(wsb(['apply', '-f', '-'], { db, input: DUNNED }).code).toBe(0)
    for (const env of [{}, { WSB_TTY: '1', COLUMNS: '200' }]) {
      const events = wsb(['events', '--kind', 'invoice.issued'], { db, env }).stdout
      expect(events).toMatch(/total=\d+\.\d\d USD/)
      expect(events).not.toContain('"amount"')
      const notifications = wsb(['notifications'], { db, env }).stdout
      expect(notifications).toContain('next try at 2026-01-04 00:00:00Z')
      expect(notifications).not.toMatch(/\dT\d\d:\d\d/)
    }
    // At 80 columns a notification's message is wrapped under its id, time and kind, never cut.
    const narrow = wsb(['notifications'], { db, env: { WSB_TTY: '1', COLUMNS: '80', NO_COLOR: '1' } }).stdout
    expect(narrow.split('\n').filter((line) => line.length > 80)).toEqual([])
    expect(narrow).not.toContain('…')
    const message = wsb(['notifications', '--json'], { db }).json().notifications[0].message as string
    expect(narrow.replace(/\n {2}/g, ' ')).toContain(message.replace(/T(\d\d:\d\d:\d\d)\.000Z/g, ' $1Z'))
    // JSON keeps the message as stored and money in minor units.
    expect(wsb(['notifications', '--json'], { db }).json().notifications[0].message).toContain('2026-01-04T00:00:00.000Z')
    expect(wsb(['events', '--kind', 'invoice.issued', '--json'], { db }).json().events[0].data.total).toEqual({ amount: 5000, currency: 'USD' })
  })

  it('R-POOL-3 a full pool under a day old says it is full, never "0 d" beside "no estimate yet"', () => {
    const db = tempDbPath()
    expect(wsb(['apply', '-f', '-'], { db, input: DUNNED.replace('users: 5 } } ]', 'users: 7 } } ]') }).code).toBe(0)
    const report = wsb(['usage', 'report'], { db, env: { WSB_TTY: '1', COLUMNS: '80' } }).stdout
    expect(report).toContain('no estimate yet')
    expect(report).not.toMatch(/\b0 d\b/)
    expect(report.split('\n').find((line) => line.includes('users'))).toContain('full now')
  })
})

describe('issue 25 item 10: invoice pay on a bank debit says what it did', () => {
  it('R-PAY-1 on an invoice whose debit is in flight: nothing charged, said so, exit 4 PAYMENT_IN_FLIGHT; a debit it starts: exit 0, said processing', () => {
    const db = tempDbPath()
    const file = `version: 1
workspace: { name: Debits, mode: pooled, testClock: true, clockStart: 2026-01-01T00:00:00Z }
accounts:
  - { name: Sepa GmbH, currency: EUR, paymentMethods: [pm_sepaDebit_success], subscriptions: [ { label: main, trial: false, items: { users: 3 } } ] }
  - { name: Declined Co, currency: EUR, paymentMethods: [pm_card_chargeDeclined], subscriptions: [ { label: main, trial: false, items: { users: 2 } } ] }
`
    expect(wsb(['apply', '-f', '-'], { db, input: file }).code).toBe(0)
    const invoices = wsb(['invoice', 'list', '--json'], { db }).json().invoices as { id: string; accountName: string; payments: unknown[] }[]
    const sepa = invoices.find((i) => i.accountName === 'Sepa GmbH') as { id: string; payments: unknown[] }
    expect(sepa.payments).toHaveLength(1)
    const again = wsb(['invoice', 'pay', sepa.id], { db })
    expect(again.code).toBe(4)
    expect(again.stderr).toMatch(/nothing was charged now: invoice \S+ has a payment in flight \(SEPA debit ••••3000, since 2026-01-01 00:00 UTC\)/)
    expect(again.stderr).toContain('[PAYMENT_IN_FLIGHT]')
    const json = wsb(['invoice', 'pay', sepa.id, '--json'], { db })
    expect(json.code).toBe(4)
    expect(json.json().error).toMatchObject({ code: 'PAYMENT_IN_FLIGHT', details: { invoiceId: sepa.id, payment: { outcome: 'processing' } } })
    expect(wsb(['invoice', 'show', sepa.id, '--json'], { db }).json().payments).toHaveLength(1)
    // The declined account moves to SEPA: invoice pay starts a debit, which is its answer.
    const declined = invoices.find((i) => i.accountName === 'Declined Co') as { id: string }
    expect(wsb(['pm', 'add', 'Declined Co', 'pm_sepaDebit_success'], { db }).code).toBe(0)
    const sepaMethod = wsb(['pm', 'list', 'Declined Co', '--json'], { db }).json().paymentMethods.find((m: { type: string }) => m.type === 'sepa_debit').id
    expect(wsb(['pm', 'default', 'Declined Co', sepaMethod], { db }).code).toBe(0)
    const started = wsb(['invoice', 'pay', declined.id], { db })
    expect(started.code).toBe(0)
    expect(started.stdout).toContain('A bank debit was started and is processing')
  })
})

describe('issue 25 item 10: invoice pdf -o - and a terminal', () => {
  it('R-INV-5 refuses to write the binary PDF onto a terminal (exit 2, TERMINAL_OUTPUT, nothing written) unless --force; a pipe gets it', () => {
    const db = tempDbPath()
    expect(wsb(['apply', '-f', '-'], { db, input: DUNNED }).code).toBe(0)
    const invoice = wsb(['invoice', 'list', '--json'], { db }).json().invoices[0].id
    const refused = wsb(['invoice', 'pdf', invoice, '-o', '-'], { db, env: { WSB_TTY: '1' } })
    expect(refused.code).toBe(2)
    expect(refused.stdout).toBe('')
    expect(refused.stderr).toContain('stdout is a terminal, and a PDF is binary')
    expect(refused.stderr).toContain('[TERMINAL_OUTPUT]')
    expect(wsb(['invoice', 'pdf', invoice, '-o', '-', '--force'], { db, env: { WSB_TTY: '1' } }).stdout.startsWith('%PDF-')).toBe(true)
    expect(wsb(['invoice', 'pdf', invoice, '-o', '-'], { db }).stdout.startsWith('%PDF-')).toBe(true)
  })
})

describe('issue 25 item 11: names that do not resolve say what they could mean', () => {
  const TWINS = `version: 1
workspace: { name: Twins, mode: pooled }
organizations:
  - { name: EMEA, children: [ { name: Sales } ] }
  - { name: APAC, children: [ { name: Sales } ] }
accounts: [ { name: Global Corp USA, currency: USD, paymentMethods: [pm_card_visa], subscriptions: [ { label: main, trial: false, items: { users: 10 } } ] }, { name: Global Corp GmbH, currency: EUR } ]
`
  it('R-USE-2 an ambiguous org in usage record and usage import lists the candidate paths, as other commands do', () => {
    const db = tempDbPath()
    expect(wsb(['apply', '-f', '-'], { db, input: TWINS }).code).toBe(0)
    const record = wsb(['usage', 'record', '--org', 'Sales', '--product', 'users', '--delta', '1'], { db })
    expect(record.code).toBe(2)
    expect(record.stderr).toContain('organization name "Sales" is ambiguous; use an id or a path: EMEA/Sales, APAC/Sales [AMBIGUOUS_REFERENCE]')
    const json = wsb(['usage', 'record', '--org', 'Sales', '--product', 'users', '--delta', '1', '--json'], { db }).json().error
    expect(json.details.candidates.map((c: { path: string }) => c.path)).toEqual(['EMEA/Sales', 'APAC/Sales'])
    expect(json.details).toMatchObject({ product: 'users', requested: 1 })
    const lines = ['{"org":"Sales","product":"users","delta":1}', '{"org":"EMEA/Sales","product":"user","delta":1}', '{"org":"Saels","product":"users","delta":1}'].join('\n')
    const imported = wsb(['usage', 'import', '-'], { db, input: lines }).stdout
    expect(imported).toContain('line 1: AMBIGUOUS_REFERENCE: organization name "Sales" is ambiguous; use an id or a path: EMEA/Sales, APAC/Sales')
    expect(imported).toContain('line 2: NOT_FOUND: product "user" not found; did you mean "users"?')
    expect(imported).toContain('line 3: NOT_FOUND: organization "Saels" not found; did you mean "Sales"?')
  })

  it('unknown names get a suggestion: --product user → "users", account show "Global Corp" → the closest accounts, org show Saels → "Sales"', () => {
    const db = tempDbPath()
    expect(wsb(['apply', '-f', '-'], { db, input: TWINS }).code).toBe(0)
    const product = wsb(['usage', 'record', '--org', 'EMEA/Sales', '--product', 'user', '--delta', '1', '--json'], { db })
    expect(product.code).toBe(3)
    expect(product.json().error).toMatchObject({ code: 'NOT_FOUND', message: 'product "user" not found; did you mean "users"?', details: { kind: 'product', ref: 'user', suggestions: ['users'] } })
    expect(wsb(['usage', 'history', '--org', 'EMEA', '--product', 'user'], { db }).stderr).toContain('did you mean "users"?')
    const account = wsb(['account', 'show', 'Global Corp'], { db })
    expect(account.code).toBe(3)
    expect(account.stderr).toContain('billing account "Global Corp" not found; did you mean "Global Corp USA" or "Global Corp GmbH"?')
    expect(wsb(['org', 'show', 'Saels'], { db }).stderr).toContain('organization "Saels" not found; did you mean "Sales"?')
    // Nothing near: no suggestion.
    expect(wsb(['account', 'show', 'Zebra'], { db }).stderr).toBe('Error: billing account "Zebra" not found [NOT_FOUND]\n')
  })

  it('R-INV-1 an invoice number unique in the database needs no --workspace among several workspaces; one in several workspaces is refused naming them', () => {
    const db = tempDbPath()
    const file = (name: string, account: string) =>
      `version: 1\nworkspace: { name: ${name}, mode: single }\naccounts: [ { name: ${account}, currency: USD, paymentMethods: [pm_card_visa], subscriptions: [ { label: main, trial: false, items: { users: 1 } } ] } ]\n`
    expect(wsb(['apply', '-f', '-'], { db, input: file('North', 'Alpha Beta') }).code).toBe(0)
    expect(wsb(['apply', '-f', '-'], { db, input: file('South', 'Gamma Delta') }).code).toBe(0)
    const south = wsb(['invoice', 'list', '-w', 'South', '--json'], { db }).json().invoices[0]
    expect(wsb(['invoice', 'show', south.invoiceNumber, '--json'], { db }).json().id).toBe(south.id)
    expect(wsb(['invoice', 'show', south.id, '--json'], { db }).json().invoiceNumber).toBe(south.invoiceNumber)
    expect(wsb(['invoice', 'pdf', south.invoiceNumber.toLowerCase(), '-o', '-'], { db }).stdout.startsWith('%PDF-')).toBe(true)
    // The same printed number in two workspaces.
    expect(wsb(['apply', '-f', '-'], { db, input: file('East', 'Gamma Delta') }).code).toBe(0)
    const both = wsb(['invoice', 'show', south.invoiceNumber], { db })
    expect(both.code).toBe(2)
    expect(both.stderr).toContain(`invoice number ${south.invoiceNumber} is in 2 workspaces (South, East); choose one with --workspace`)
    expect(wsb(['invoice', 'show', south.invoiceNumber, '-w', 'East'], { db }).code).toBe(0)
    expect(wsb(['invoice', 'show', 'ZZ-0001'], { db }).stderr).toContain('invoice "ZZ-0001" not found in any workspace of this database')
  })
})
