// Cold start of whole processes, as a ratio to `node -e ''` measured in the same
// run (SPEC quality bar: within 2x). Runs are interleaved so both see the same
// machine; each command runs once untimed first, as a user's second run would.
import { join } from 'node:path'
import { median, processMs, round } from './lib.js'
import { seedWorkspace } from './metering.js'

const WSB = new URL('../bin/run.cjs', import.meta.url).pathname

export async function coldStart(dir: string, runs = 15) {
  const db = join(dir, 'coldstart.sqlite')
  ;(await seedWorkspace(db, 10, 10)).db.close()
  const env = { ...process.env, WSB_DB: db }
  const commands: Record<string, string[]> = {
    'wsb version': ['version'],
    'wsb --help': ['--help'],
    'wsb usage record … --json': ['usage', 'record', '--org', 'o1/c1', '--product', 'users', '--delta', '1', '--json'],
    'wsb usage report --json': ['usage', 'report', '--json'],
  }
  const samples: Record<string, number[]> = { "node -e ''": [] }
  for (const [name, args] of Object.entries(commands)) {
    samples[name] = []
    const warm = processMs(process.execPath, [WSB, ...args], env)
    if (warm.status !== 0) throw new Error(`${name} failed: ${warm.stderr}`)
  }
  for (let i = 0; i < runs; i++) {
    samples["node -e ''"]?.push(processMs(process.execPath, ['-e', ''], env).ms)
    for (const [name, args] of Object.entries(commands)) samples[name]?.push(processMs(process.execPath, [WSB, ...args], env).ms)
  }
  const base = median(samples["node -e ''"] ?? [])
  return Object.entries(samples).map(([name, ms]) => ({ command: name, medianMs: round(median(ms)), ratio: round(median(ms) / base, 2) }))
}
