// One reporter process for the concurrency benchmark: waits for a shared start,
// then reports +1 `count` times, one BEGIN IMMEDIATE transaction per report.
import { contextFor } from '../src/core/context.js'
import { openDb } from '../src/core/store/open.js'
import { decideUsage } from '../src/core/usage/record.js'
import { resolveWorkspace } from '../src/core/workspaces/resolve.js'

const [path = '', org = '', count = '0', startAt = '0', tag = 'p'] = process.argv.slice(2)
const db = openDb(path)
const ctx = contextFor(db, await resolveWorkspace(db, 'Bench'))
while (Date.now() < Number(startAt)) {
  // every process starts at the same instant
}
const started = Date.now()
let accepted = 0
let rejected = 0
let busy = 0
const errors: string[] = []
for (let i = 0; i < Number(count); i++) {
  try {
    const decision = await decideUsage(ctx, { org, product: 'users', delta: 1, key: `${tag}-${i}` })
    if (decision.accepted) accepted++
    else rejected++
  } catch (error) {
    const code = (error as { code?: string }).code ?? ''
    if (code.startsWith('SQLITE_BUSY')) busy++
    errors.push(`${code} ${(error as Error).message}`)
  }
}
db.sqlite.close()
process.stdout.write(JSON.stringify({ accepted, rejected, busy, errors: errors.slice(0, 5), ms: Date.now() - started }))
