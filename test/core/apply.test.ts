// wsb apply and export (issue 7): declarative, idempotent, all-or-nothing.
import { readFileSync } from 'node:fs'
import { getTableName, is, Table } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { applyFile } from '../../src/core/apply/apply.js'
import { exportWorkspace } from '../../src/core/apply/export.js'
import { readApplyFile } from '../../src/core/apply/read.js'
import { contextFor } from '../../src/core/context.js'
import { SandboxProvider } from '../../src/core/payments/sandbox.js'
import { poolReport } from '../../src/core/pools/report.js'
import type { Db } from '../../src/core/store/open.js'
import * as schema from '../../src/core/store/schema/index.js'
import { listSubscriptions } from '../../src/core/subscriptions/list.js'
import { usageByOrg } from '../../src/core/usage/org-report.js'
import { resolveWorkspace } from '../../src/core/workspaces/resolve.js'
import { getSeller } from '../../src/core/workspaces/seller.js'
import { newDb } from '../builders.js'

const provider = async () => new SandboxProvider()
const example = (name: string) => readFileSync(new URL(`../../examples/${name}.yaml`, import.meta.url), 'utf8')
const apply = async (db: Db, text: string, dryRun = false) => await applyFile(db, await readApplyFile(text, 'test.yaml'), { dryRun, provider })

/** Every table of the schema, in name order. */
const TABLES = Object.values(schema)
  .filter((table) => is(table, Table))
  .map((table) => getTableName(table as Table))
  .sort()

/** Every domain table, row by row in a stable order: what "the database did not change" means. */
async function dump(db: Db): Promise<string> {
  const tables: [string, unknown[]][] = []
  for (const table of TABLES) tables.push([table, (await db.all(`SELECT * FROM "${table}"`)).map((row) => JSON.stringify(row)).sort()])
  return JSON.stringify(tables)
}

/** Ids and times differ between databases; names, quantities and states must not. */
function normalize(value: unknown, ids = new Map<string, string>()): unknown {
  if (typeof value === 'string') {
    if (/^(ws|org|acct|sub|inv|price|pmr|cpn)_[0-9a-z]{12}$/.test(value)) {
      if (!ids.has(value)) ids.set(value, `${value.split('_')[0]}#${ids.size}`)
      return ids.get(value)
    }
    return /^\d{4}-\d{2}-\d{2}T/.test(value) ? 'time' : value
  }
  if (Array.isArray(value)) return value.map((v) => normalize(v, ids))
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v, ids)]))
  return value
}

describe('apply', () => {
  it('applying the same file twice: the second run reports no changes and leaves every domain table byte for byte the same', async () => {
    const db = newDb()
    const first = await apply(db, example('franchise-pooled'))
    expect(first).toMatchObject({ changed: true, dryRun: false })
    const before = await dump(db)
    const second = await apply(db, example('franchise-pooled'))
    expect(second.changed).toBe(false)
    expect(second.actions.every((a) => a.action === 'unchanged')).toBe(true)
    expect(await dump(db)).toBe(before)
  })

  it('builds the seed examples: the franchise pool is 80+70+50 users and 40+35+25 locations', async () => {
    const db = newDb()
    await apply(db, example('franchise-pooled'))
    const ctx = contextFor(db, await resolveWorkspace(db, 'Franchise Co'))
    expect(await (await poolReport(ctx)).pools[0]?.products.map((p) => [p.product, p.capacity, p.used])).toEqual([
      ['locations', 100, 60],
      ['users', 200, 128],
    ])
    await apply(db, example('global-assigned'))
    const global = contextFor(db, await resolveWorkspace(db, 'Global Corp'))
    expect(await (await poolReport(global)).pools.map((p) => p.products.find((x) => x.product === 'users')?.capacity)).toEqual([60, 25, 15])
  })

  it('a changed quantity applies exactly that change with the normal rules', async () => {
    const db = newDb()
    const text = example('franchise-pooled')
    await apply(db, text)
    const up = await apply(db, text.replace('items: { users: 80, locations: 40 }', 'items: { users: 90, locations: 40 }'))
    expect(up.actions.filter((a) => a.action !== 'unchanged')).toEqual([{ action: 'update', kind: 'subscription', name: 'Franchisee A/main', changes: ['users 80 → 90'] }])
    const down = await apply(db, text.replace('items: { users: 70, locations: 35 }', 'items: { users: 60, locations: 35 }'))
    expect(down.actions.filter((a) => a.action !== 'unchanged').map((a) => a.changes)).toEqual([['users 90 → 80'], ['users 70 → 60']])
    const ctx = contextFor(db, await resolveWorkspace(db, 'Franchise Co'))
    const subs = await (await listSubscriptions(ctx)).subscriptions
    expect(subs[1]?.scheduledChanges).toEqual([expect.objectContaining({ kind: 'quantity', product: 'users', from: 70, to: 60 })])
    // Re-applying the same file: the scheduled decrease already is what the file says.
    expect((await apply(db, text.replace('items: { users: 70, locations: 35 }', 'items: { users: 60, locations: 35 }'))).changed).toBe(false)
    // 128 users are in use; A at 10 would leave 210 − 80 (A) − 10 (B's scheduled cut) = 120 users.
    await expect(apply(db, text.replace('users: 80, locations: 40', 'users: 10, locations: 40'))).rejects.toMatchObject({
      code: 'BELOW_USAGE',
      message: expect.stringMatching(/^accounts\[0\]\.subscriptions\[0\]: /),
    })
  })

  it('a file with an error in its last object changes nothing', async () => {
    const db = newDb()
    await apply(db, example('software-single'))
    const before = await dump(db)
    const broken = `${example('software-single').replace('email: billing@acme.test', 'email: billing@acme.test\n    taxRate: 7')}
  - name: Second Account
    currency: USD`
    await expect(apply(db, broken)).rejects.toMatchObject({ code: 'ACCOUNT_LIMIT', message: expect.stringMatching(/^accounts\[1\]: /) })
    expect(await dump(db)).toBe(before)
    const fresh = newDb()
    await expect(apply(fresh, example('global-assigned').replace('items: { users: 15, locations: 5 }', 'items: { users: 15, seats: 5 }'))).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringMatching(/^accounts\[2\]\.subscriptions\[0\]: product "seats"/),
    })
    expect(await fresh.get('SELECT count(*) AS n FROM workspaces')).toEqual({ n: 0 })
  })

  it('a dry run returns the plan and writes nothing', async () => {
    const db = newDb()
    const before = await dump(db)
    const plan = await apply(db, example('global-assigned'), true)
    expect(plan).toMatchObject({ dryRun: true, changed: true, workspace: { id: null, name: 'Global Corp' } })
    expect(plan.summary.create).toBeGreaterThan(10)
    expect(await dump(db)).toBe(before)
    await apply(db, example('global-assigned'))
    const after = await dump(db)
    const noop = await apply(db, example('global-assigned'), true)
    expect(noop.changed).toBe(false)
    expect(await dump(db)).toBe(after)
  })

  it('R-WS-1 a mode change in the file is MODE_IMMUTABLE', async () => {
    const db = newDb()
    await apply(db, example('software-single'))
    await expect(apply(db, example('software-single').replace('mode: single', 'mode: pooled'))).rejects.toMatchObject({ code: 'MODE_IMMUTABLE', exitCode: 4 })
  })

  it('every validation error names its path in the file', async () => {
    const bad = example('franchise-pooled').replace('limits: { users: 30 }', 'limits: { users: -3 }')
    await expect(readApplyFile(bad, 'f.yaml')).rejects.toMatchObject({ exitCode: 2, message: 'organizations[1].limits.users: expected a non-negative integer' })
    await expect(readApplyFile('workspace: { name: X, mode: shared }', 'f.yaml')).rejects.toMatchObject({ message: 'workspace.mode: expected single, assigned or pooled' })
    await expect(readApplyFile('workspace: { name: X, mode: single }\naccounts: [ { name: A, currency: USD, colour: red } ]', 'f.yaml')).rejects.toMatchObject({
      message: expect.stringContaining('accounts[0]'),
    })
    await expect(readApplyFile('workspace: [unclosed', 'f.yaml')).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/f\.yaml: not valid YAML or JSON at line 1/) })
    await expect(readApplyFile('{"workspace": {"name": "J", "mode": "pooled"}}', 'f.json')).resolves.toMatchObject({ workspace: { name: 'J' } })
  })

  it('export then apply into a fresh database reproduces the usage report and the subscriptions', async () => {
    const source = newDb()
    await apply(source, example('global-assigned'))
    const ctx = contextFor(source, await resolveWorkspace(source, 'Global Corp'))
    const file = await exportWorkspace(ctx)
    // The same database: nothing to do.
    expect((await applyFile(source, file, { provider })).changed).toBe(false)
    const target = newDb()
    await applyFile(target, JSON.parse(JSON.stringify(file)), { provider })
    const copy = contextFor(target, await resolveWorkspace(target, 'Global Corp'))
    expect(normalize(await usageByOrg(copy))).toEqual(normalize(await usageByOrg(ctx)))
    expect(normalize(await poolReport(copy))).toEqual(normalize(await poolReport(ctx)))
    const strip = (subs: Awaited<ReturnType<typeof listSubscriptions>>) => subs.subscriptions.map(({ label, ...rest }) => ({ ...rest, label: label ? 'label' : null }))
    expect(normalize(strip(await listSubscriptions(copy)))).toEqual(normalize(strip(await listSubscriptions(ctx))))
  })
})

describe('apply: the seller and the tax-rate table (issue 16)', () => {
  const file = (rate: string, legalName = 'Acme Cloud GmbH') => `
version: 1
workspace:
  name: Seller Co
  mode: single
  testClock: true
  clockStart: 2026-01-01T00:00:00Z
  seller:
    legalName: ${legalName}
    address: [Hauptstraße 1, 10115 Berlin]
    country: de
    taxId: DE123456789
    termsDays: 14
taxRates:
  - { country: DE, rate: ${rate}, name: VAT }
  - { country: US, region: ny, rate: 8.875, name: Sales tax }
`

  it('R-INV-1 sets them, re-applies as unchanged, updates a changed rate or name, and export | apply round-trips them', async () => {
    const db = newDb()
    const first = await apply(db, file('19'))
    expect(first.actions.filter((a) => a.kind === 'seller' || a.kind === 'tax rate').map((a) => [a.action, a.kind, a.name])).toEqual([
      ['create', 'seller', 'Acme Cloud GmbH'],
      ['create', 'tax rate', 'DE'],
      ['create', 'tax rate', 'US-NY'],
    ])
    const ctx = contextFor(db, await resolveWorkspace(db, 'Seller Co'))
    expect(await getSeller(ctx)).toEqual({ legalName: 'Acme Cloud GmbH', addressLines: ['Hauptstraße 1', '10115 Berlin'], country: 'DE', taxId: 'DE123456789', email: null, logo: null, footer: null, paymentTermsDays: 14 })
    const before = await dump(db)
    expect((await apply(db, file('19'))).changed).toBe(false)
    expect(await dump(db)).toBe(before)

    const changed = await apply(db, file('7', 'Acme Cloud AG'))
    expect(changed.actions.filter((a) => a.action === 'update').map((a) => [a.kind, a.name, a.changes])).toEqual([
      ['seller', 'Acme Cloud AG', ['legalName "Acme Cloud AG"']],
      ['tax rate', 'DE', ['VAT 7%']],
    ])
    const exported = await exportWorkspace(contextFor(db, await resolveWorkspace(db, 'Seller Co')))
    expect(exported.workspace.seller).toEqual({ legalName: 'Acme Cloud AG', address: ['Hauptstraße 1', '10115 Berlin'], country: 'DE', taxId: 'DE123456789', termsDays: 14 })
    expect(exported.taxRates).toEqual([
      { country: 'DE', rate: 7, name: 'VAT' },
      { country: 'US', region: 'NY', rate: 8.875, name: 'Sales tax' },
    ])
    const other = newDb()
    await applyFile(other, exported, { dryRun: false, provider })
    expect((await applyFile(other, exported, { dryRun: false, provider })).changed).toBe(false)
    expect((await applyFile(db, exported, { dryRun: false, provider })).changed).toBe(false)
  })

  it('a bad seller or rate is refused naming its place in the file, and nothing is written', async () => {
    const db = newDb()
    await expect(apply(db, file('19').replace('country: de', 'country: XX'))).rejects.toThrow(/workspace\.seller\.country/)
    await expect(apply(db, file('101'))).rejects.toThrow(/taxRates\[0\]\.rate/)
    await expect(apply(db, file('19').replace('termsDays: 14', 'termsDays: 400'))).rejects.toThrow(/termsDays: at most 365 days/)
    expect((await db.all('SELECT id FROM workspaces')).length).toBe(0)
  })
})
