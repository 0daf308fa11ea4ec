import { describe, expect, it } from 'vitest'
import { assignAccount, unassignAccount } from '../../src/core/accounts/assign.js'
import { listAccounts, showAccount } from '../../src/core/accounts/list.js'
import { updateAccount } from '../../src/core/accounts/update.js'
import { currency } from '../../src/core/currency.js'
import { deleteOrg } from '../../src/core/orgs/delete.js'
import { updateOrg } from '../../src/core/orgs/update.js'
import { countryCode, parseInput, taxRate } from '../../src/core/schemas.js'
import { account, org, workspace } from '../builders.js'

describe('billing accounts', () => {
  it('R-BA-1 validates the currency against ISO 4217 and keeps its exponent', async () => {
    expect(currency('usd')).toMatchObject({ code: 'USD', exponent: 2 })
    expect(currency('JPY').exponent).toBe(0)
    expect(currency('KWD').exponent).toBe(3)
    for (const bad of ['XYZ', 'US', 'DOLLARS', 'XAU', '']) {
      expect(() => currency(bad)).toThrowError(expect.objectContaining({ code: 'INVALID_CURRENCY', exitCode: 2 }))
    }
    const ctx = await workspace('pooled')
    await expect(async () => account(ctx, 'Bad', { currency: 'ABC' })).rejects.toThrowError(expect.objectContaining({ code: 'INVALID_CURRENCY' }))
    expect(await (await listAccounts(ctx)).accounts).toEqual([])
  })

  it('R-BA-1 reads tax rates as thousandths of a percent, never floats', () => {
    expect(parseInput(taxRate, '19')).toBe(19_000)
    expect(parseInput(taxRate, '8.875')).toBe(8_875)
    expect(parseInput(taxRate, '0.1')).toBe(100)
    expect(parseInput(taxRate, '100')).toBe(100_000)
    for (const bad of ['-1', '100.001', '101', '7.1234', 'abc', '1e2']) {
      expect(() => parseInput(taxRate, bad)).toThrowError(expect.objectContaining({ exitCode: 2 }))
    }
  })

  it('R-BA-1 validates country codes', () => {
    expect(parseInput(countryCode, 'de')).toBe('DE')
    for (const bad of ['XX', 'Germany', 'EU', 'D']) expect(() => parseInput(countryCode, bad)).toThrow()
  })

  it('R-BA-1 holds company details and a tax rate; JSON shows the rate in percent', async () => {
    const ctx = await workspace('pooled')
    const created = await account(ctx, 'Franchisee A', {
      currency: 'eur',
      email: 'billing@a.test',
      country: 'DE',
      address: 'Hauptstr. 1, Berlin',
      taxId: 'DE123456789',
      taxRateMilli: 19_000,
    })
    expect(created).toMatchObject({ name: 'Franchisee A', currency: 'EUR', taxRate: 19, organizationId: null, country: 'DE' })
    expect(await (await updateAccount(ctx,{ ref: 'franchisee a',taxRateMilli: 8875 })).taxRate).toBe(8.875)
    expect(await (await showAccount(ctx, created.id)).taxId).toBe('DE123456789')
  })

  it('R-BA-2 single mode has exactly one account; a second is ACCOUNT_LIMIT', async () => {
    const ctx = await workspace('single')
    await account(ctx, 'Acme')
    await expect(async () => account(ctx, 'Acme Two')).rejects.toThrowError(expect.objectContaining({ code: 'ACCOUNT_LIMIT', exitCode: 4 }))
    expect(await (await listAccounts(ctx)).accounts).toHaveLength(1)
  })

  it('R-BA-3 assigns an account only to a top-level org (NOT_TOP_LEVEL for a child)', async () => {
    const ctx = await workspace('assigned')
    const usa = await org(ctx, 'USA Operations')
    const sales = await org(ctx, 'Sales Team', usa.id)
    await account(ctx, 'USA')
    await expect(async () => await assignAccount(ctx, { account: 'USA', org: sales.id })).rejects.toThrowError(
      expect.objectContaining({ code: 'NOT_TOP_LEVEL', exitCode: 4 }),
    )
    expect(await (await assignAccount(ctx,{ account: 'USA',org: usa.id })).organizationId).toBe(usa.id)
  })

  it('R-BA-3 an account serves one top-level org, and an org has one account (ALREADY_ASSIGNED)', async () => {
    const ctx = await workspace('assigned')
    const usa = await org(ctx, 'USA')
    const de = await org(ctx, 'Germany')
    await account(ctx, 'USD account', { org: usa.id })
    await expect(async () => await assignAccount(ctx, { account: 'USD account', org: de.id })).rejects.toThrowError(
      expect.objectContaining({ code: 'ALREADY_ASSIGNED', exitCode: 4 }),
    )
    await expect(async () => account(ctx, 'Second USA', { org: usa.id })).rejects.toThrowError(expect.objectContaining({ code: 'ALREADY_ASSIGNED' }))
    expect(await (await listAccounts(ctx)).accounts.map((a) => a.name)).toEqual(['USD account'])
  })

  it('R-BA-3 accounts may differ in currency across silos', async () => {
    const ctx = await workspace('assigned')
    for (const [country, cur] of [['USA', 'USD'], ['Germany', 'EUR'], ['Japan', 'JPY']] as const) {
      const top = await org(ctx, `${country} Operations`)
      expect(await account(ctx, country, { currency: cur, org: top.id })).toMatchObject({ currency: cur, organizationId: top.id })
    }
  })

  it('R-BA-3 a top-level org holding an account cannot become a child, nor be deleted', async () => {
    const ctx = await workspace('assigned')
    const usa = await org(ctx, 'USA')
    const de = await org(ctx, 'Germany')
    await account(ctx, 'USA account', { org: usa.id })
    await expect(async () => await updateOrg(ctx, { ref: usa.id, parent: de.id })).rejects.toThrowError(expect.objectContaining({ code: 'NOT_TOP_LEVEL' }))
    await expect(async () => await deleteOrg(ctx, { ref: usa.id })).rejects.toThrowError(expect.objectContaining({ code: 'ORG_HAS_ACCOUNT' }))
    await unassignAccount(ctx, { account: 'USA account' })
    expect(await (await deleteOrg(ctx, { ref: usa.id })).deleted).toHaveLength(1)
  })

  it('R-BA-3 assignment belongs to assigned mode only (WRONG_MODE elsewhere)', async () => {
    for (const mode of ['single', 'pooled'] as const) {
      const ctx = await workspace(mode)
      const top = await org(ctx, 'Top')
      await expect(async () => account(ctx, 'A', { org: top.id })).rejects.toThrowError(expect.objectContaining({ code: 'WRONG_MODE', exitCode: 4 }))
      expect(await (await listAccounts(ctx)).accounts).toEqual([])
    }
  })

  it('R-BA-4 pooled mode allows any number of accounts', async () => {
    const ctx = await workspace('pooled')
    for (const name of ['Franchisee A', 'Franchisee B', 'Franchisee C', 'Franchisee D']) await account(ctx, name)
    expect(await (await listAccounts(ctx)).accounts).toHaveLength(4)
    await expect(async () => account(ctx, 'franchisee a')).rejects.toThrowError(expect.objectContaining({ code: 'NAME_TAKEN' }))
  })
})
