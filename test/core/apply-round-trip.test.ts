// Issue 25 items 4 and 5: what `export` writes, `apply` takes back unchanged
// (multi-line addresses as a list of lines, the old one-string form still
// read), and re-applying a file never re-creates a subscription the account
// had under that label and that ended (canceled, or unpaid after dunning):
// apply says it leaves it alone, and subscribes again only when the entry
// names the ended one in `replaces`.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { type ApplyResult, applyFile } from '../../src/core/apply/apply.js'
import { exportWorkspace } from '../../src/core/apply/export.js'
import { readApplyFile } from '../../src/core/apply/read.js'
import { loadYaml } from '../../src/core/apply/yaml.js'
import { showAccount } from '../../src/core/accounts/list.js'
import { type Ctx, contextFor } from '../../src/core/context.js'
import { SandboxProvider } from '../../src/core/payments/sandbox.js'
import type { Db } from '../../src/core/store/open.js'
import { cancelSubscription } from '../../src/core/subscriptions/cancel.js'
import { listSubscriptions } from '../../src/core/subscriptions/list.js'
import { resolveWorkspace } from '../../src/core/workspaces/resolve.js'
import { renderApply } from '../../src/render/apply.js'
import { advance, newDb } from '../builders.js'

const provider = async () => new SandboxProvider()
const example = (name: string) => readFileSync(new URL(`../../examples/${name}.yaml`, import.meta.url), 'utf8')
const apply = async (db: Db, text: string, dryRun = false) => await applyFile(db, await readApplyFile(text, 'test.yaml'), { dryRun, provider })
const ctxOf = async (db: Db, name: string): Promise<Ctx> => contextFor(db, await resolveWorkspace(db, name))

/** The export as the CLI writes it (YAML), so the round trip goes through text. */
const exportText = async (ctx: Ctx) => (await loadYaml()).stringify(await exportWorkspace(ctx), { lineWidth: 0 })

/** Rows that re-applying must never add: subscriptions, invoices, payment attempts, dunning steps, notifications, events. */
async function counts(db: Db): Promise<Record<string, number>> {
  const out: Record<string, number> = {}
  for (const table of ['subscriptions', 'invoices', 'payment_attempts', 'due_steps', 'notifications', 'events'])
    out[table] = Number(((await db.get(`SELECT count(*) AS n FROM ${table}`)) as { n: number | string }).n)
  return out
}

const subscriptionActions = (result: ApplyResult) => result.actions.filter((a) => a.kind === 'subscription')

describe('export | apply round-trips (issue 25 item 4)', () => {
  it('export then apply of every example changes nothing, and rebuilds the same file in a fresh database', async () => {
    for (const [name, workspace] of [
      ['software-single', 'Acme Software'],
      ['global-assigned', 'Global Corp'],
      ['franchise-pooled', 'Franchise Co'],
    ] as const) {
      const db = newDb()
      await apply(db, example(name))
      const exported = await exportText(await ctxOf(db, workspace))
      expect((await apply(db, exported)).changed, name).toBe(false)
      const fresh = newDb()
      await apply(fresh, exported)
      expect(await exportText(await ctxOf(fresh, workspace)), name).toBe(exported)
    }
  })

  it('R-BA-1 a multi-line address is exported as a list of lines and applies back as "changes nothing"; region and tax exemption travel too', async () => {
    const file = `
workspace: { name: Globex, mode: pooled }
accounts:
  - name: Globex GmbH
    currency: EUR
    country: US
    region: NY
    taxExempt: true
    address: [Hauptstraße 1, 2. OG, 10115 Berlin]
`
    const db = newDb()
    await apply(db, file)
    const ctx = await ctxOf(db, 'Globex')
    expect(await showAccount(ctx, 'Globex GmbH')).toMatchObject({ address: 'Hauptstraße 1\n2. OG\n10115 Berlin', region: 'NY', taxExempt: true })
    const exported = await exportWorkspace(ctx)
    expect(exported.accounts?.[0]).toMatchObject({ address: ['Hauptstraße 1', '2. OG', '10115 Berlin'], region: 'NY', taxExempt: true })
    const text = await exportText(ctx)
    expect((await apply(db, text)).changed).toBe(false)
    const fresh = newDb()
    await apply(fresh, text)
    expect(await showAccount(await ctxOf(fresh, 'Globex'), 'Globex GmbH')).toMatchObject({ address: 'Hauptstraße 1\n2. OG\n10115 Berlin', region: 'NY', taxExempt: true })
  })

  it('the one-string form older exports wrote ("line\\nline") is still read, as the same lines', async () => {
    const db = newDb()
    await apply(db, 'workspace: { name: Globex, mode: pooled }\naccounts:\n  - { name: Globex GmbH, currency: EUR, address: "Hauptstraße 1\\n10115 Berlin" }\n')
    expect((await showAccount(await ctxOf(db, 'Globex'), 'Globex GmbH')).address).toBe('Hauptstraße 1\n10115 Berlin')
    const again = await apply(db, 'workspace: { name: Globex, mode: pooled }\naccounts:\n  - { name: Globex GmbH, currency: EUR, address: [Hauptstraße 1, 10115 Berlin] }\n')
    expect(again.changed).toBe(false)
    const moved = await apply(db, 'workspace: { name: Globex, mode: pooled }\naccounts:\n  - { name: Globex GmbH, currency: EUR, address: [Neue Allee 9, 80331 München] }\n')
    expect(moved.actions.find((a) => a.kind === 'account')?.changes).toEqual(['address Hauptstraße 1 / 10115 Berlin → Neue Allee 9 / 80331 München'])
  })

  it('a bad address line is refused naming its place in the file, and nothing is written', async () => {
    const db = newDb()
    await expect(apply(db, 'workspace: { name: Globex, mode: pooled }\naccounts:\n  - { name: G, currency: EUR, address: [ok, "bad\\tline"] }\n')).rejects.toThrow(
      /accounts\[0\]\.address\[1\]: address: must not contain control characters/,
    )
    await expect(apply(db, 'workspace: { name: Globex, mode: pooled }\naccounts:\n  - { name: G, currency: EUR, address: [] }\n')).rejects.toThrow(/accounts\[0\]\.address: give at least one address line/)
    await expect(apply(db, 'workspace: { name: Globex, mode: pooled }\naccounts:\n  - { name: G, currency: EUR, address: 5 }\n')).rejects.toThrow(/accounts\[0\]\.address: expected a list of address lines/)
    expect(Number(((await db.get('SELECT count(*) AS n FROM workspaces')) as { n: number | string }).n)).toBe(0)
  })
})

describe('apply never re-creates what ended (issue 25 item 5)', () => {
  it('R-PAY-2 re-applying the franchise after Franchisee C went unpaid creates nothing, issues no invoice, starts no dunning, and says what it left alone', async () => {
    const db = newDb()
    await apply(db, example('franchise-pooled'))
    // C's only card is declined: retries 3, 5 and 7 days after, then unpaid (as in the demo).
    const ctx = await advance(await ctxOf(db, 'Franchise Co'), '8d')
    const unpaid = (await listSubscriptions(ctx)).subscriptions.find((s) => s.accountName === 'Franchisee C')
    expect(unpaid?.status).toBe('unpaid')
    const before = await counts(db)

    const plan = await apply(db, example('franchise-pooled'), true)
    const again = await apply(db, example('franchise-pooled'))
    for (const result of [plan, again]) {
      expect(result.changed).toBe(false)
      expect(result.summary.create + result.summary.update).toBe(0)
      expect(subscriptionActions(result).find((a) => a.name === 'Franchisee C/main')).toEqual({
        action: 'unchanged',
        kind: 'subscription',
        name: 'Franchisee C/main',
        note: `${unpaid?.id} is unpaid (its payments failed through every retry); left alone. To subscribe again, add "replaces: ${unpaid?.id}" to this entry, or give it a new label`,
      })
    }
    expect(await counts(db)).toEqual(before)
    const text = renderApply(again)
    expect(text).toContain(`= subscription Franchisee C/main\n    ${unpaid?.id} is unpaid`)
    expect(text).toContain('No changes (9 objects already match, 1 left alone as said above).')
  })

  it('R-TR-3 a trial that ended without a payment method is canceled; re-applying leaves it canceled and says why', async () => {
    const db = newDb()
    const file = example('software-single').replace(/ {4}paymentMethods: \[pm_card_visa\]\n/, '')
    await apply(db, file)
    const ctx = await advance(await ctxOf(db, 'Acme Software'), '15d')
    const [canceled] = (await listSubscriptions(ctx)).subscriptions
    expect(canceled).toMatchObject({ status: 'canceled', cancelReason: 'trial_ended_without_payment_method' })
    const before = await counts(db)
    const again = await apply(db, file)
    expect(again.changed).toBe(false)
    expect(subscriptionActions(again)[0]?.note).toBe(
      `${canceled?.id} is canceled on 2026-01-15 (trial ended without payment method); left alone. To subscribe again, add "replaces: ${canceled?.id}" to this entry, or give it a new label`,
    )
    expect(await counts(db)).toEqual(before)
  })

  it('replaces: SUB subscribes again once; the next run matches the new subscription; a wrong or live one is refused', async () => {
    const db = newDb()
    const file = (extra: string) => `
workspace: { name: Shop, mode: pooled, testClock: true, clockStart: 2026-01-01 }
accounts:
  - name: Buyer
    currency: USD
    paymentMethods: [pm_card_visa]
    subscriptions:
      - { label: main, trial: false, items: { users: 5 }${extra} }
`
    await apply(db, file(''))
    let ctx = await ctxOf(db, 'Shop')
    const [first] = (await listSubscriptions(ctx)).subscriptions
    await cancelSubscription(ctx, { ref: first?.id as string, now: true })
    expect((await apply(db, file(''))).changed).toBe(false)

    await expect(apply(db, file(', replaces: sub_000000000000'))).rejects.toThrow(/replaces: sub_000000000000 is not a subscription of "Buyer" labelled "main"/)
    const recreated = await apply(db, file(`, replaces: ${first?.id}`))
    expect(subscriptionActions(recreated)).toEqual([
      { action: 'create', kind: 'subscription', name: 'Buyer/main', changes: ['users=5', 'active', `replaces ${first?.id} (canceled)`] },
    ])
    ctx = await ctxOf(db, 'Shop')
    const subs = (await listSubscriptions(ctx)).subscriptions
    expect(subs.map((s) => [s.label, s.status])).toEqual([
      ['main', 'canceled'],
      ['main', 'active'],
    ])
    // The same file again: the label now matches the live one; nothing more is created.
    const before = await counts(db)
    expect((await apply(db, file(`, replaces: ${first?.id}`))).changed).toBe(false)
    expect(await counts(db)).toEqual(before)
    // Naming the live one is refused: it is changed in place, not replaced.
    await expect(apply(db, file(`, replaces: ${subs[1]?.id}`))).rejects.toThrow(/replaces: .* is active; only an ended \(canceled or unpaid\) subscription is replaced/)
  })

  it('R-SUB-6 a subscription canceled at its period end stays so; apply says it does not resume it', async () => {
    const db = newDb()
    const file = 'workspace: { name: Shop, mode: pooled, testClock: true, clockStart: 2026-01-01 }\naccounts:\n  - { name: Buyer, currency: USD, paymentMethods: [pm_card_visa], subscriptions: [ { label: main, trial: false, items: { users: 5 } } ] }\n'
    await apply(db, file)
    const ctx = await ctxOf(db, 'Shop')
    const [sub] = (await listSubscriptions(ctx)).subscriptions
    await cancelSubscription(ctx, { ref: sub?.id as string })
    const again = await apply(db, file)
    expect(again.changed).toBe(false)
    expect(subscriptionActions(again)[0]?.note).toBe(`${sub?.id} is canceled at its period end (2026-02-01T00:00:00.000Z); apply leaves that as it is (sub resume withdraws it)`)
  })
})
