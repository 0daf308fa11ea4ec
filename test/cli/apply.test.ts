// wsb apply / export through the built binary.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { tempDbPath } from '../helpers/temp.js'
import { wsb } from '../helpers/cli.js'

const example = (name: string) => fileURLToPath(new URL(`../../examples/${name}.yaml`, import.meta.url))

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
