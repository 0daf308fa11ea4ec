// `wsb doctor` through the built binary: exit 0 and ok on a clean database,
// exit 4 INVARIANT_VIOLATED with the violations on a corrupted one, and the
// database file byte for byte as it was, whatever doctor found.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { wsb } from '../helpers/cli.js'
import { engineExec, engineState, onPostgres } from '../helpers/engine.js'
import { tempDir } from '../helpers/temp.js'

function setup() {
  const db = join(tempDir(), 'wsb.sqlite')
  const cli = (...args: string[]) => {
    const out = wsb([...args, '--json'], { db })
    if (out.code !== 0) throw new Error(`wsb ${args.join(' ')} failed: ${out.stdout}${out.stderr}`)
    return out.json()
  }
  const franchise = cli('workspace', 'create', 'Franchise', '--mode', 'pooled', '--test-clock', '--clock-start', '2026-01-01')
  const a = cli('account', 'create', 'A', '--currency', 'USD')
  cli('account', 'create', 'B', '--currency', 'USD')
  cli('pm', 'add', 'A', 'pm_card_visa')
  const sub = cli('sub', 'add', 'A', '--item', 'users=10')
  cli('org', 'create', 'Downtown')
  cli('usage', 'record', '--org', 'Downtown', '--product', 'users', '--delta', '4')
  cli('clock', 'advance', '--by', '2mo')
  cli('workspace', 'create', 'Solo', '--mode', 'single')
  return { db, workspaceId: franchise.id as string, accountId: a.id as string, subscriptionId: sub.id as string }
}

/** Writes with a plain connection, as a bug or a hand edit would. */
const corrupt = engineExec

describe('wsb doctor', () => {
  it('R-WS-4 a clean database: exit 0, ok, every check passed, and overdue steps are left for the next command', () => {
    const { db, workspaceId } = setup()
    // Renewals fall due, but doctor is not a workspace command: it must not run them.
    corrupt(db, `UPDATE workspaces SET clock_now = clock_now + ${90 * 86_400_000} WHERE id = '${workspaceId}'`)
    const before = engineState(db)
    const out = wsb(['doctor', '--json'], { db })
    expect(out.code, out.stderr).toBe(0)
    const result = out.json()
    expect(result).toMatchObject({ ok: true, workspaces: 2, violations: [], warnings: [] })
    expect(result.checks.length).toBeGreaterThanOrEqual(20)
    expect(result.checks.every((c: { passed: boolean }) => c.passed)).toBe(true)
    expect(result.checks[0]).toMatchObject({ check: 'database-integrity', rule: 'storage', passed: true })
    expect(result.checks[1]).toEqual({ check: 'workspace-isolation', rule: 'R-WS-2', description: expect.any(String), passed: true, violations: 0, warnings: 0 })
    // On SQLite: not a byte of the file, and no WAL left behind.
    expect(engineState(db)).toEqual({ ...before, walBytes: 0 })

    const human = wsb(['doctor'], { db })
    expect(human.code).toBe(0)
    expect(human.stdout).toMatch(/^✓ R-WS-2 +workspace-isolation/m)
    expect(human.stdout).toContain('on 2 workspaces: no violations.')
  })

  it('R-INV-4 R-WS-4 a corrupted database: exit 4, INVARIANT_VIOLATED with the violations in details, the file unchanged', () => {
    const { db, workspaceId, accountId, subscriptionId } = setup()
    const clean = engineState(db)
    corrupt(
      db,
      `UPDATE billing_accounts SET credit_balance = 250 WHERE id = '${accountId}'`,
      `DELETE FROM due_steps WHERE kind = 'period_end' AND ref_id = '${subscriptionId}'`,
    )
    const before = engineState(db)
    // The state tells a write apart (on PostgreSQL too, where it is every table's rows).
    expect(before).not.toEqual(clean)
    const out = wsb(['doctor', '--json'], { db })
    expect(out.code).toBe(4)
    expect(out.stderr).toBe('')
    const { error } = out.json()
    expect(error).toMatchObject({ code: 'INVARIANT_VIOLATED', message: '2 invariant violations (renewals-scheduled, credit-balance)' })
    expect(error.details.violations).toEqual([
      { check: 'renewals-scheduled', rule: 'R-WS-4', ids: { workspaceId, accountId, subscriptionId }, message: expect.stringContaining('it would never renew') },
      {
        check: 'credit-balance',
        rule: 'R-INV-4',
        ids: { workspaceId, accountId },
        message: `credit balance of ${accountId} is 250; its credit entries sum to 0 (USD minor units)`,
      },
    ])
    expect(error.details).toMatchObject({ workspaces: 2, warnings: [] })
    expect(error.details.checks.find((c: { check: string }) => c.check === 'credit-balance')).toMatchObject({ rule: 'R-INV-4', passed: false, violations: 1 })
    expect(engineState(db)).toEqual(before)

    // For people: the checks with ✗, the table with the ids, and the one-line error on stderr.
    const human = wsb(['doctor'], { db })
    expect(human.code).toBe(4)
    expect(human.stdout).toMatch(/^✗ R-INV-4 +credit-balance .* — 1 violation$/m)
    expect(human.stdout).toMatch(/^✓ R-ORG-1 +org-forest/m)
    expect(human.stdout).toContain(`accountId=${accountId}`)
    expect(human.stderr).toContain('[INVARIANT_VIOLATED]')
    expect(engineState(db)).toEqual(before)
  })

  it('R-WS-2 --workspace narrows the check to one workspace; an unknown one is exit 3', () => {
    const { db, accountId } = setup()
    corrupt(db, `UPDATE billing_accounts SET credit_balance = 250 WHERE id = '${accountId}'`)
    const solo = wsb(['doctor', '--workspace', 'Solo', '--json'], { db })
    expect(solo.code).toBe(0)
    expect(solo.json()).toMatchObject({ ok: true, workspaces: 1 })
    // WSB_WORKSPACE is not read: without --workspace doctor checks everything.
    expect(wsb(['doctor', '--json'], { db, env: { WSB_WORKSPACE: 'Solo' } }).code).toBe(4)
    expect(wsb(['doctor', '--workspace', 'Franchise', '--json'], { db }).code).toBe(4)
    const unknown = wsb(['doctor', '--workspace', 'Nope', '--json'], { db })
    expect(unknown.code).toBe(3)
    expect(unknown.json().error.code).toBe('NOT_FOUND')
  })

  // SQLite by nature (a file path); on PostgreSQL a missing database is DB_NOT_FOUND (test/core/postgres-connect.test.ts).
  it.skipIf(onPostgres)('a database file that does not exist is exit 3, not an empty database declared healthy', () => {
    const db = join(tempDir(), 'typo.sqlite')
    const out = wsb(['doctor', '--json'], { db })
    expect(out.code).toBe(3)
    expect(out.json().error).toMatchObject({ code: 'NOT_FOUND', details: { kind: 'database', ref: db } })
    expect(existsSync(db)).toBe(false)
  })
})
