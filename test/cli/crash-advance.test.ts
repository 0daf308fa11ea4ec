// SIGKILL in the middle of a clock advance (issue 8): each lifecycle step is its
// own transaction, so whatever was done is whole, and advancing again to the
// same time finishes exactly the same work as an uninterrupted run.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { tempDir } from '../helpers/temp.js'
import { cleanEnv, engineDb, WSB, wsb } from '../helpers/cli.js'
import { engineAll } from '../helpers/engine.js'

function fileFor(accounts: number): string {
  const lines = ['workspace: { name: Crash Clock, mode: pooled, testClock: true, clockStart: 2026-01-01 }', 'accounts:']
  for (let i = 0; i < accounts; i++)
    lines.push(`  - { name: A${i}, currency: USD, paymentMethods: [pm_card_visa], subscriptions: [ { label: main, items: { users: ${i + 1} } } ] }`)
  return `${lines.join('\n')}\n`
}

/** What the lifecycle made, by names (the ids of two databases differ). */
const snapshot = (path: string) => ({
  invoices: engineAll(path, 'SELECT a.name AS account, i.number, i.status, i.period_start AS start, i.total FROM invoices i JOIN billing_accounts a ON a.id = i.account_id ORDER BY a.name, i.number'),
  subs: engineAll(path, 'SELECT a.name AS account, s.status, s.current_period_end AS "end" FROM subscriptions s JOIN billing_accounts a ON a.id = s.account_id ORDER BY a.name'),
  orphanLines: engineAll(path, 'SELECT count(*) AS n FROM invoices i WHERE NOT EXISTS (SELECT 1 FROM invoice_lines l WHERE l.invoice_id = i.id)')[0],
})

describe('crash safety of the lifecycle', () => {
  it('R-WS-4 SIGKILL during clock advance leaves only whole steps; advancing again finishes the same work', async () => {
    const dir = tempDir()
    const db = join(dir, 'wsb.sqlite')
    expect(wsb(['apply', '-f', '-'], { db, input: fileFor(40) }).code).toBe(0)
    // The same file applied to a second database: the uninterrupted run to compare with (the test clock starts at the same instant).
    const control = join(dir, 'control.sqlite')
    expect(wsb(['apply', '-f', '-'], { db: control, input: fileFor(40) }).code).toBe(0)
    expect(wsb(['clock', 'advance', '--to', '2027-01-01', '--json'], { db: control }).code).toBe(0)

    const child = spawn(process.execPath, [WSB, 'clock', 'advance', '--to', '2027-01-01', '--db', engineDb(db)], { env: cleanEnv(), stdio: 'ignore' })
    const exited = new Promise((resolve) => child.on('exit', resolve))
    const count = () => engineAll<{ n: number }>(db, 'SELECT count(*) AS n FROM invoices')[0]?.n ?? 0
    while (count() < 200) {
      if (child.exitCode !== null) throw new Error('the advance finished before it could be killed')
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    child.kill('SIGKILL')
    await exited

    const partial = snapshot(db)
    expect(partial.orphanLines).toEqual({ n: 0 })
    expect(partial.invoices.length).toBeLessThan(snapshot(control).invoices.length)
    expect(wsb(['usage', 'verify', '--json'], { db }).code).toBe(0)
    // Any command first finishes what fell due by the clock it finds; advancing again does the rest.
    expect(wsb(['clock', 'advance', '--to', '2027-01-01', '--json'], { db }).code).toBe(0)
    expect(snapshot(db)).toEqual(snapshot(control))
  })
})
