// The seed's assigned-mode example built through the CLI.
import { describe, expect, it } from 'vitest'
import { tempDbPath } from '../helpers/temp.js'
import { wsb } from '../helpers/cli.js'

describe('assigned-mode corporation through the CLI', () => {
  it('R-BA-3 builds the USA/Germany/Japan silos and refuses the wrong assignments', () => {
    const db = tempDbPath()
    const run = (...args: string[]) => wsb([...args, '--json'], { db })
    expect(run('workspace', 'create', 'Global Corp', '--mode', 'assigned').code).toBe(0)
    const usa = run('org', 'create', 'USA Operations').json()
    const sales = run('org', 'create', 'Sales Team', '--parent', 'USA Operations').json()
    expect(sales).toMatchObject({ name: 'Sales Team', parentId: usa.id, workspaceId: usa.workspaceId, limits: {} })
    run('org', 'create', 'Germany Operations')
    run('org', 'create', 'Japan Operations')
    run('org', 'create', '製品部', '--parent', 'Japan Operations')

    const usd = run('account', 'create', 'USA', '--currency', 'USD', '--org', 'USA Operations', '--country', 'US')
    expect(usd.code).toBe(0)
    expect(usd.json()).toEqual(expect.objectContaining({ name: 'USA', currency: 'USD', taxRate: 0, organizationId: usa.id }))
    const childAssign = run('account', 'create', 'Sales', '--currency', 'USD', '--org', 'USA Operations/Sales Team')
    expect(childAssign.code).toBe(4)
    expect(childAssign.json().error.code).toBe('NOT_TOP_LEVEL')
    expect(run('account', 'create', 'Germany', '--currency', 'EUR', '--tax-rate', '19', '--org', 'Germany Operations').json().taxRate).toBe(19)
    const twice = run('account', 'assign', 'Germany', '--org', 'Japan Operations')
    expect(twice.code).toBe(4)
    expect(twice.json().error.code).toBe('ALREADY_ASSIGNED')
    expect(run('account', 'create', 'Japan', '--currency', 'JPY', '--org', 'Japan Operations').json().currency).toBe('JPY')
    const badCurrency = run('account', 'create', 'Mars', '--currency', 'MRS')
    expect(badCurrency.code).toBe(2)
    expect(badCurrency.json().error.code).toBe('INVALID_CURRENCY')

    const accounts = run('account', 'list').json().accounts
    expect(accounts.map((a: { currency: string }) => a.currency)).toEqual(['USD', 'EUR', 'JPY'])
    const tree = wsb(['org', 'list'], { db, env: { NO_COLOR: '1', WSB_TTY: '1' } }).stdout
    expect(tree).toMatch(/Japan Operations .*\n└─ 製品部/)
    expect(run('org', 'update', 'USA Operations', '--parent', 'Sales Team').json().error.code).toBe('ORG_CYCLE')
    const kinds = run('events', '--kind', 'account').json().events.map((e: { kind: string }) => e.kind)
    expect(kinds).toEqual(['account.created', 'account.assigned', 'account.created', 'account.assigned', 'account.created', 'account.assigned'])
  })

  it('R-BA-2 single mode: a second account exits 4 with ACCOUNT_LIMIT', () => {
    const db = tempDbPath()
    wsb(['workspace', 'create', 'Acme Software', '--mode', 'single'], { db })
    expect(wsb(['account', 'create', 'Acme', '--currency', 'USD'], { db }).code).toBe(0)
    const second = wsb(['account', 'create', 'Acme 2', '--currency', 'USD', '--json'], { db })
    expect(second.code).toBe(4)
    expect(second.json().error.code).toBe('ACCOUNT_LIMIT')
  })

  it('R-ORG-2 org limit set and clear through the CLI', () => {
    const db = tempDbPath()
    wsb(['workspace', 'create', 'W', '--mode', 'pooled'], { db })
    wsb(['org', 'create', 'Downtown'], { db })
    const set = wsb(['org', 'limit', 'set', 'Downtown', 'users=15', 'locations=3', '--json'], { db })
    expect(set.json().limits).toEqual({ locations: 3, users: 15 })
    expect(wsb(['org', 'limit', 'clear', 'Downtown', 'users', '--json'], { db }).json().limits).toEqual({ locations: 3 })
    const twice = wsb(['org', 'limit', 'set', 'Downtown', 'users=1', 'users=2', '--json'], { db })
    expect(twice.code).toBe(2)
    const unknown = wsb(['org', 'limit', 'set', 'Downtown', 'seats=2', '--json'], { db })
    expect(unknown.code).toBe(3)
  })
})
