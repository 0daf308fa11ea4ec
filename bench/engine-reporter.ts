// One reporter process of the engines benchmark (bench/engines.ts): from a
// shared start until a shared end, reports +1 through wsb's core (decideUsage:
// one transaction per report) into its workspaces in turn, each with its own
// pool and a 3-org chain root/mid/leaf. The same shape as bench/pg-floor-worker.ts.
import { contextFor } from '../src/core/context.js'
import { decideUsage } from '../src/core/usage/record.js'
import { resolveWorkspace } from '../src/core/workspaces/resolve.js'
import { openEngine } from './engine-db.js'
import { awaitWindow } from './together.js'

const [target = '', names = '', tag = 'p'] = process.argv.slice(2)
const db = await openEngine(target)
const contexts = []
// One after the other: a store's connection runs one query at a time.
for (const name of names.split(',')) contexts.push(contextFor(db, await resolveWorkspace(db, name)))
const { endAt } = await awaitWindow()
const started = Date.now()
const cpu = process.cpuUsage()
let commits = 0
let rejected = 0
const errors: string[] = []
for (let i = 0; Date.now() < endAt; i++) {
  try {
    const decision = await decideUsage(contexts[i % contexts.length] as (typeof contexts)[number], { org: 'root/mid/leaf', product: 'users', delta: 1, key: `${tag}-${i}` })
    commits++
    if (!decision.accepted) rejected++
  } catch (error) {
    if (errors.length < 5) errors.push(`${(error as { code?: string }).code ?? ''} ${(error as Error).message}`)
  }
}
const ms = Date.now() - started
const used = process.cpuUsage(cpu)
db.close()
process.stdout.write(JSON.stringify({ commits, rejected, ms, cpuMs: (used.user + used.system) / 1000, errors }))
