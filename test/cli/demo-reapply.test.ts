// Issue 25 item 5: the demo prints "(applying the same file again changes
// nothing)" after Franchisee C went unpaid; that must be true. The demo is run
// as `npm run demo` runs it, its re-apply read from its output, and the same
// file applied once more to its database: nothing created or updated, no new
// subscription, invoice, payment attempt, notification or event.
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { cleanEnv, wsb } from '../helpers/cli.js'
import { tempDir } from '../helpers/temp.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const franchise = join(root, 'examples/franchise-pooled.yaml')
const plain = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '')

describe('the demo re-applies its file without changing anything (issue 25 item 5)', () => {
  let db = ''
  let output = ''
  beforeAll(() => {
    db = join(tempDir(), 'demo.sqlite')
    const out = spawnSync('bash', [join(root, 'scripts/demo.sh')], { env: cleanEnv({ WSB_DEMO_DB: db }), encoding: 'utf8', timeout: 180_000 })
    if (out.status !== 0) throw new Error(`the demo failed:\n${out.stdout}\n${out.stderr}`)
    output = plain(out.stdout)
  }, 200_000)

  it('R-PAY-2 the re-apply the demo prints says no changes and that the unpaid subscription is left alone', () => {
    const section = output.slice(output.indexOf('(applying the same file again changes nothing)'), output.indexOf('(export writes the workspace back'))
    expect(section).toContain('Applied to workspace "Franchise Co":')
    expect(section).toMatch(/= subscription Franchisee C\/main\n {4}sub_[0-9a-z]{12} is unpaid/)
    expect(section).toMatch(/No changes \(\d+ objects already match, 1 left alone as said above\)\./)
    expect(section).not.toMatch(/created|updated/)
  })

  it('R-PAY-2 applying the file once more creates no subscription, invoice, payment attempt, notification or event', () => {
    const env = { WSB_DB: db, WSB_WORKSPACE: 'Franchise Co' }
    const state = () => ({
      subscriptions: wsb(['sub', 'list', '--json'], { env }).json().subscriptions.length,
      invoices: wsb(['invoice', 'list', '--json'], { env }).json().invoices.length,
      attempts: (wsb(['invoice', 'list', '--json'], { env }).json().invoices as { payments: unknown[] }[]).reduce((n, i) => n + i.payments.length, 0),
      notifications: wsb(['notifications', '--json'], { env }).json().notifications.length,
      events: wsb(['events', '--json'], { env }).json().events.length,
    })
    // The demo's last section reports one user at Downtown over HTTP, which
    // the file does not declare: the first apply sets that usage back to the
    // file's and changes nothing else; the next changes nothing at all.
    const settle = wsb(['apply', '-f', franchise, '--json'], { env: { WSB_DB: db } })
    expect(settle.code).toBe(0)
    expect(settle.json().actions.filter((a: { action: string }) => a.action !== 'unchanged')).toEqual([
      { action: 'update', kind: 'usage', name: 'Location 1 - Downtown', changes: ['users 61 → 60'] },
    ])
    const before = state()
    expect(before.invoices).toBeGreaterThan(0)
    const applied = wsb(['apply', '-f', franchise, '--json'], { env: { WSB_DB: db } })
    expect(applied.code).toBe(0)
    const result = applied.json()
    expect(result).toMatchObject({ changed: false, summary: { create: 0, update: 0 } })
    expect(result.actions.find((a: { name: string }) => a.name === 'Franchisee C/main')).toMatchObject({ action: 'unchanged', note: expect.stringMatching(/is unpaid/) })
    expect(state()).toEqual(before)
  })
})
