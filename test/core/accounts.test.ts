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
  it('R-BA-1 validates the currency against ISO 4217 and keeps its exponent', () => {
    expect(currency('usd')).toMatchObject({ code: 'USD', exponent: 2 })
    expect(currency('JPY').exponent).toBe(0)
    expect(currency('KWD').exponent).toBe(3)
    for (const bad of ['XYZ', 'US', 'DOLLARS', 'XAU', '']) {
      expect(() => currency(bad)).toThrowError(expect.objectContaining({ code: 'INVALID_CURRENCY', exitCode: 2 }))
    }
    const ctx = workspace('pooled')
    expect(() => account(ctx, 'Bad', { currency: 'ABC' })).toThrowError(expect.objectContaining({ code: 'INVALID_CURRENCY' }))
    expect(listAccounts(ctx).accounts).toEqual([])
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

  it('R-BA-1 holds company details and a tax rate; JSON shows the rate in percent', () => {
    const ctx = workspace('pooled')
    const created = account(ctx, 'Franchisee A', {
      currency: 'eur',
      email: 'billing@a.test',
      country: 'DE',
      address: 'Hauptstr. 1, Berlin',
      taxId: 'DE123456789',
      taxRateMilli: 19_000,
    })
    expect(created).toMatchObject({ name: 'Franchisee A', currency: 'EUR', taxRate: 19, organizationId: null, country: 'DE' })
    expect(updateAccount(ctx, { ref: 'franchisee a', taxRateMilli: 8_875 }).taxRate).toBe(8.875)
    expect(showAccount(ctx, created.id).taxId).toBe('DE123456789')
  })

  it('R-BA-2 single mode has exactly one account; a second is ACCOUNT_LIMIT', () => {
    const ctx = workspace('single')
    account(ctx, 'Acme')
    expect(() => account(ctx, 'Acme Two')).toThrowError(expect.objectContaining({ code: 'ACCOUNT_LIMIT', exitCode: 4 }))
    expect(listAccounts(ctx).accounts).toHaveLength(1)
  })

  it('R-BA-3 assigns an account only to a top-level org (NOT_TOP_LEVEL for a child)', () => {
    const ctx = workspace('assigned')
    const usa = org(ctx, 'USA Operations')
    const sales = org(ctx, 'Sales Team', usa.id)
    account(ctx, 'USA')
    expect(() => assignAccount(ctx, { account: 'USA', org: sales.id })).toThrowError(
      expect.objectContaining({ code: 'NOT_TOP_LEVEL', exitCode: 4 }),
    )
    expect(assignAccount(ctx, { account: 'USA', org: usa.id }).organizationId).toBe(usa.id)
  })

  it('R-BA-3 an account serves one top-level org, and an org has one account (ALREADY_ASSIGNED)', () => {
    const ctx = workspace('assigned')
    const usa = org(ctx, 'USA')
    const de = org(ctx, 'Germany')
    account(ctx, 'USD account', { org: usa.id })
    expect(() => assignAccount(ctx, { account: 'USD account', org: de.id })).toThrowError(
      expect.objectContaining({ code: 'ALREADY_ASSIGNED', exitCode: 4 }),
    )
    expect(() => account(ctx, 'Second USA', { org: usa.id })).toThrowError(expect.objectContaining({ code: 'ALREADY_ASSIGNED' }))
    expect(listAccounts(ctx).accounts.map((a) => a.name)).toEqual(['USD account'])
  })

  it('R-BA-3 accounts may differ in currency across silos', () => {
    const ctx = workspace('assigned')
    for (const [country, cur] of [['USA', 'USD'], ['Germany', 'EUR'], ['Japan', 'JPY']] as const) {
      const top = org(ctx, `${country} Operations`)
      expect(account(ctx, country, { currency: cur, org: top.id })).toMatchObject({ currency: cur, organizationId: top.id })
    }
  })

  it('R-BA-3 a top-level org holding an account cannot become a child, nor be deleted', () => {
    const ctx = workspace('assigned')
    const usa = org(ctx, 'USA')
    const de = org(ctx, 'Germany')
    account(ctx, 'USA account', { org: usa.id })
    expect(() => updateOrg(ctx, { ref: usa.id, parent: de.id })).toThrowError(expect.objectContaining({ code: 'NOT_TOP_LEVEL' }))
    expect(() => deleteOrg(ctx, { ref: usa.id })).toThrowError(expect.objectContaining({ code: 'ORG_HAS_ACCOUNT' }))
    unassignAccount(ctx, { account: 'USA account' })
    expect(deleteOrg(ctx, { ref: usa.id }).deleted).toHaveLength(1)
  })

  it('R-BA-3 assignment belongs to assigned mode only (WRONG_MODE elsewhere)', () => {
    for (const mode of ['single', 'pooled'] as const) {
      const ctx = workspace(mode)
      const top = org(ctx, 'Top')
      expect(() => account(ctx, 'A', { org: top.id })).toThrowError(expect.objectContaining({ code: 'WRONG_MODE', exitCode: 4 }))
      expect(listAccounts(ctx).accounts).toEqual([])
    }
  })

  it('R-BA-4 pooled mode allows any number of accounts', () => {
    const ctx = workspace('pooled')
    for (const name of ['Franchisee A', 'Franchisee B', 'Franchisee C', 'Franchisee D']) account(ctx, name)
    expect(listAccounts(ctx).accounts).toHaveLength(4)
    expect(() => account(ctx, 'franchisee a')).toThrowError(expect.objectContaining({ code: 'NAME_TAKEN' }))
  })
})
