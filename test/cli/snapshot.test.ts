// Snapshot reads (issue 11, item 5): read-only commands that compute over
// several tables read one snapshot, so a concurrent import never makes
// `usage verify` report a mismatch that is not there, nor a report mix states.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { cleanEnv, engineDb, WSB, wsbAsync, wsb } from '../helpers/cli.js'
import { tempDir } from '../helpers/temp.js'

const ORGS = 20

describe('snapshot reads during a steady import', () => {
  it('R-USE-5 usage verify and usage report during a concurrent import: never a false USAGE_MISMATCH, totals always consistent', async () => {
    const dir = tempDir()
    const db = join(dir, 'wsb.sqlite')
    const orgs = Array.from({ length: ORGS }, (_, i) => `  - { name: O${i}, children: [ { name: C${i} } ] }`).join('\n')
    const setup = `workspace: { name: Steady, mode: single }\norganizations:\n${orgs}\naccounts: [ { name: Steady Co, currency: USD, subscriptions: [ { label: main, trial: false, items: { users: 1000000 } } ] } ]\n`
    expect(wsb(['apply', '-f', '-'], { db, input: setup }).code).toBe(0)
    // A steady stream: small batches committed every few milliseconds while the readers run.
    // Results on stdout, counted: the feeder keeps at most a few batches ahead of what is committed
    // (PostgreSQL commits fewer small batches per second than SQLite; a backlog would only make the
    // end of the test wait for it).
    const importer = spawn(process.execPath, [WSB, 'usage', 'import', '-', '--batch-size', '10', '--results', '-'], { env: cleanEnv({ WSB_DB: engineDb(db) }), stdio: ['pipe', 'pipe', 'ignore'] })
    const finished = new Promise((resolve) => importer.on('exit', resolve))
    let acknowledged = 0
    importer.stdout.on('data', (chunk: Buffer) => {
      for (const byte of chunk) if (byte === 10) acknowledged++
    })
    let sent = 0
    const feeder = setInterval(() => {
      if (sent - acknowledged > 200) return
      const batch: string[] = []
      for (let i = 0; i < 25; i++, sent++) batch.push(JSON.stringify({ org: `O${sent % ORGS}/C${sent % ORGS}`, product: 'users', delta: 1 }))
      importer.stdin.write(`${batch.join('\n')}\n`)
    }, 3)
    await new Promise((resolve) => setTimeout(resolve, 500))
    const results: { verify: number; ok: boolean; poolUsed: number; orgsUsed: number }[] = []
    for (let i = 0; i < 8; i++) {
      const verify = await wsbAsync(['usage', 'verify', '--json'], { db })
      const byProduct = (await wsbAsync(['usage', 'report', '--by', 'product', '--json'], { db })).json()
      const byOrg = (await wsbAsync(['usage', 'report', '--by', 'org', '--json'], { db })).json()
      const topLevel = byOrg.orgs.filter((o: { parentId: string | null }) => o.parentId === null)
      const orgsUsed = topLevel.reduce((sum: number, o: { products: { product: string; subtreeUsed: number }[] }) => sum + (o.products.find((p) => p.product === 'users')?.subtreeUsed ?? 0), 0)
      const ownSum = byOrg.orgs.reduce((sum: number, o: { products: { product: string; used: number }[] }) => sum + (o.products.find((p) => p.product === 'users')?.used ?? 0), 0)
      expect(ownSum, 'own levels add up to the subtree totals in one report').toBe(orgsUsed)
      results.push({ verify: verify.code, ok: verify.code === 0, poolUsed: byProduct.products.find((p: { product: string }) => p.product === 'users').used, orgsUsed })
    }
    // The readers ran while the import was still writing: otherwise this test proves nothing.
    expect(importer.exitCode).toBeNull()
    clearInterval(feeder)
    importer.stdin.end()
    await finished
    expect(wsb(['usage', 'verify', '--json'], { db }).json()).toMatchObject({ ok: true })
    expect(results.map((r) => r.verify)).toEqual(Array(8).fill(0))
    expect(new Set(results.map((r) => r.poolUsed)).size).toBeGreaterThan(1)
  }, 120_000)
})
