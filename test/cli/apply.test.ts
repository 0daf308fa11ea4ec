// wsb apply / export through the built binary.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { tempDbPath } from '../helpers/temp.js'
import { wsb } from '../helpers/cli.js'

const example = (name: string) => fileURLToPath(new URL(`../../examples/${name}.yaml`, import.meta.url))

/** What `alert set` answers to the same input: exit code and error code. */
function wsbCode(db: string, args: string[]): [number, string] {
  const out = wsb([...args, '--workspace', 'Franchise Co', '--json'], { db })
  return [out.code, out.json().error.code]
}

describe('apply through the CLI', () => {
  it('applies a file, reports no changes the second time, and dry-runs without writing', () => {
    const db = tempDbPath()
    const plan = wsb(['apply', '-f', example('global-assigned'), '--dry-run', '--json'], { db })
    expect(plan.code).toBe(0)
    expect(plan.json()).toMatchObject({ dryRun: true, changed: true, workspace: { id: null } })
    // Nothing was created: no workspace, or (SQLite) no database file at all, DB_NOT_FOUND (issue 15).
    const listed = wsb(['workspace', 'list', '--json'], { db }).json()
    expect(listed.workspaces ?? listed.error.code).toEqual(listed.workspaces ? [] : 'DB_NOT_FOUND')
    const applied = wsb(['apply', '-f', example('global-assigned'), '--json'], { db })
    expect(applied.json()).toMatchObject({ dryRun: false, changed: true, workspace: { name: 'Global Corp' } })
    const again = wsb(['apply', '-f', example('global-assigned')], { db, env: { NO_COLOR: '1' } })
    expect(again.stdout).toContain('No changes')
  })

  it('export | apply -f - rebuilds the workspace in another database, and re-applies as no change to the first', () => {
    const db = tempDbPath()
    wsb(['apply', '-f', example('franchise-pooled')], { db })
    const exported = wsb(['export', '--workspace', 'Franchise Co'], { db })
    expect(exported.code).toBe(0)
    expect(exported.stdout).toContain('name: Franchise Co')
    expect(wsb(['apply', '-f', '-', '--json'], { db, input: exported.stdout }).json().changed).toBe(false)
    const other = tempDbPath()
    const rebuilt = wsb(['apply', '-f', '-', '--json'], { db: other, input: exported.stdout })
    expect(rebuilt.code).toBe(0)
    const capacity = (path: string) =>
      wsb(['usage', 'report', '--json'], { db: path }).json().pools[0].products.map((p: { product: string; capacity: number; used: number }) => [p.product, p.capacity, p.used])
    expect(capacity(other)).toEqual(capacity(db))
  })

  it('export | apply round-trips usage alerts (issue 17): same thresholds on the pool and the org, armed as usage says', () => {
    const db = tempDbPath()
    wsb(['apply', '-f', example('franchise-pooled')], { db })
    const w = ['--workspace', 'Franchise Co', '--json']
    // Users: 128 of 200 in the pool (64%), 28 of the Airport's limit of 30 (93%).
    expect(wsb(['alert', 'set', '--pool', 'Franchise Co', '--product', 'users', '--at', '50%,90%', ...w], { db }).code).toBe(0)
    expect(wsb(['alert', 'set', '--org', 'Location 2 - Airport', '--product', 'users', '--at', '80%,100%', ...w], { db }).code).toBe(0)
    const exported = wsb(['export', '--workspace', 'Franchise Co'], { db })
    expect(exported.stdout).toContain('alerts:')
    expect(wsb(['apply', '-f', '-', '--json'], { db, input: exported.stdout }).json().changed).toBe(false)
    const other = tempDbPath()
    const rebuilt = wsb(['apply', '-f', '-', '--json'], { db: other, input: exported.stdout })
    expect(rebuilt.code).toBe(0)
    expect(rebuilt.json().actions.filter((a: { kind: string }) => a.kind === 'alerts')).toEqual([
      { action: 'create', kind: 'alerts', name: 'org Location 2 - Airport users', changes: ['at 80%, 100%'] },
      { action: 'create', kind: 'alerts', name: 'pool Franchise Co users', changes: ['at 50%, 90%'] },
    ])
    const alerts = (path: string) =>
      wsb(['alert', 'list', ...w], { db: path }).json().alerts.map((a: { scope: string; scopeName: string; product: string; percent: number; armed: boolean }) => [a.scope, a.scopeName, a.product, a.percent, a.armed])
    expect(alerts(other)).toEqual([
      ['org', 'Location 2 - Airport', 'users', 80, false],
      ['org', 'Location 2 - Airport', 'users', 100, true],
      ['pool', 'Franchise Co', 'users', 50, false],
      ['pool', 'Franchise Co', 'users', 90, true],
    ])
    expect(alerts(other)).toEqual(alerts(db))
  })

  it('alerts in a file (issue 17): created, updated and removed as stated; dry run says "to create"; bad ones refused as alert set refuses them', () => {
    const db = tempDbPath()
    const base = readFileSync(example('franchise-pooled'), 'utf8')
    const withAlerts = (alerts: string) => `${base}\nalerts:\n${alerts}\n`
    const apply = (text: string, ...more: string[]) => wsb(['apply', '-f', '-', '--json', ...more], { db, input: text })
    const list = () => wsb(['alert', 'list', '--workspace', 'Franchise Co', '--json'], { db }).json().alerts.map((a: { scopeName: string; percent: number }) => `${a.scopeName} ${a.percent}`)
    const file = withAlerts('  - { pool: Franchise Co, product: users, at: [80%, 100%] }\n  - { org: Location 2 - Airport, product: users, at: [90] }')
    const plan = wsb(['apply', '-f', '-'], { db, input: file, env: { NO_COLOR: '1' } })
    expect(plan.code).toBe(0)
    expect(plan.stdout).toContain('+ alerts pool Franchise Co users: at 80%, 100%')
    expect(plan.stdout).toContain('17 created, 6 updated, 0 unchanged.')
    expect(list()).toEqual(['Location 2 - Airport 90', 'Franchise Co 80', 'Franchise Co 100'])
    const dry = wsb(['apply', '-f', '-', '--dry-run'], { db, input: file.replace('at: [90]', 'at: [95%]'), env: { NO_COLOR: '1' } })
    expect(dry.stdout).toContain('~ alerts org Location 2 - Airport users: at 90% → 95%')
    expect(dry.stdout).toContain('0 to create, 1 to update')
    expect(list()).toEqual(['Location 2 - Airport 90', 'Franchise Co 80', 'Franchise Co 100'])
    expect(apply(file).json().changed).toBe(false)
    // Stated whole: 100% left out is removed, 50% added; at: [] removes every threshold.
    const changed = apply(withAlerts('  - { pool: Franchise Co, product: users, at: [50%, 80%] }\n  - { org: Location 2 - Airport, product: users, at: [] }'))
    expect(changed.json().actions.filter((a: { kind: string }) => a.kind === 'alerts').map((a: { action: string; changes: string[] }) => [a.action, a.changes])).toEqual([
      ['update', ['at 80%, 100% → 50%, 80%']],
      ['update', ['at 90% → none']],
    ])
    expect(list()).toEqual(['Franchise Co 50', 'Franchise Co 80'])
    const events = wsb(['events', '--workspace', 'Franchise Co', '--json'], { db }).stdout
    const refused = (alerts: string) => {
      const out = apply(withAlerts(alerts))
      return [out.code, out.json().error.code, out.json().error.message]
    }
    expect(refused('  - { pool: Franchise Co, product: users, at: [0%] }')).toEqual([2, 'INVALID_INPUT', 'alerts[0].at[0]: expected a whole percent from 1 to 1000, e.g. 80%'])
    expect(refused('  - { pool: Franchise Co, product: users, at: [1001] }')[0]).toBe(2)
    expect(refused('  - { pool: Franchise Co, org: Location 2 - Airport, product: users, at: [80] }')).toEqual([2, 'INVALID_INPUT', 'alerts[0]: give exactly one of pool and org'])
    expect(refused('  - { pool: Franchise Co, product: seats, at: [80] }').slice(0, 2)).toEqual(wsbCode(db, ['alert', 'set', '--pool', 'Franchise Co', '--product', 'seats', '--at', '80']))
    expect(refused('  - { pool: Franchise Co, product: users, at: [80] }\n  - { pool: Franchise Co, product: users, at: [90] }')).toEqual([
      2,
      'INVALID_INPUT',
      'alerts[1]: pool Franchise Co, product users is already stated by alerts[0]; give its thresholds in one entry',
    ])
    expect(refused('  - { pool: Nobody, product: users, at: [80] }').slice(0, 2)).toEqual([3, 'NOT_FOUND'])
    expect(refused('  - { org: Nowhere, product: users, at: [80] }').slice(0, 2)).toEqual([3, 'NOT_FOUND'])
    const noLimit = refused('  - { org: Location 1 - Downtown, product: users, at: [80] }')
    expect(noLimit.slice(0, 2)).toEqual([4, 'NO_LIMIT'])
    expect(noLimit[2]).toMatch(/^alerts\[0\]: "Location 1 - Downtown" has no limit on users/)
    expect(wsb(['events', '--workspace', 'Franchise Co', '--json'], { db }).stdout).toBe(events)
    expect(list()).toEqual(['Franchise Co 50', 'Franchise Co 80'])
  })

  it('bad files exit 2 naming the place; a refused change exits 4 and changes nothing', () => {
    const db = tempDbPath()
    const yaml = readFileSync(example('software-single'), 'utf8')
    const invalid = wsb(['apply', '-f', '-', '--json'], { db, input: yaml.replace('usage: { users: 45, locations: 20 }', 'usage: { users: lots }') })
    expect(invalid.code).toBe(2)
    expect(invalid.json().error.message).toBe('organizations[0].usage.users: expected a non-negative integer')
    expect(wsb(['apply', '-f', 'no-such-file.yaml', '--json'], { db }).code).toBe(3)
    expect(wsb(['apply', '-f', '-', '--json'], { db, input: '::: not yaml' }).code).toBe(2)
    wsb(['apply', '-f', example('software-single')], { db })
    const events = wsb(['events', '--json'], { db }).stdout
    const refused = wsb(['apply', '-f', '-', '--json'], { db, input: yaml.replace('mode: single', 'mode: assigned') })
    expect([refused.code, refused.json().error.code]).toEqual([4, 'MODE_IMMUTABLE'])
    expect(wsb(['events', '--json'], { db }).stdout).toBe(events)
  })
})
