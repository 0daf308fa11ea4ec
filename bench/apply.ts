// `wsb apply` of a large organization tree (issue 11): 10,000 orgs, one
// branch of them a chain 1,000 deep, through the built binary, then the same
// file again (nothing changes). Time is the whole process; memory is its peak
// resident set, read from /usr/bin/time -v where present, else from the child's
// own process.resourceUsage() (WSB_BENCH_RSS, printed on exit).
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { processMs, round } from './lib.js'

const WSB = new URL('../bin/run.cjs', import.meta.url).pathname
const GNU_TIME = '/usr/bin/time'

type Org = { name: string; limits?: Record<string, number>; usage?: Record<string, number>; children?: Org[] }

/**
 * `total` orgs: a chain `deep` long, the rest as top-level orgs of 10 children
 * of 10 children each. Every 10th org has a users limit, every 7th some usage.
 */
export function bigTree(total: number, deep: number): Org[] {
  let made = 0
  const org = (name: string): Org => {
    made++
    return { name, ...(made % 10 === 0 ? { limits: { users: 1000 } } : {}), ...(made % 7 === 0 ? { usage: { users: 1 } } : {}) }
  }
  const chainRoot = org('chain-0')
  let tip = chainRoot
  for (let i = 1; i < deep; i++) {
    const next = org(`chain-${i}`)
    tip.children = [next]
    tip = next
  }
  const roots: Org[] = [chainRoot]
  for (let t = 0; made < total; t++) {
    const top = org(`region-${t}`)
    roots.push(top)
    for (let i = 0; i < 10 && made < total; i++) {
      const mid = org(`area-${i}`)
      ;(top.children ??= []).push(mid)
      for (let j = 0; j < 10 && made < total; j++) (mid.children ??= []).push(org(`team-${j}`))
    }
  }
  return roots
}

function run(args: string[], env: NodeJS.ProcessEnv): { ms: number; peakRssMb: number } {
  if (existsSync(GNU_TIME)) {
    const out = processMs(GNU_TIME, ['-v', process.execPath, WSB, ...args], env)
    if (out.status !== 0) throw new Error(`wsb ${args.join(' ')} failed: ${out.stderr.slice(-2000)}`)
    const kb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(out.stderr)?.[1] ?? Number.NaN)
    return { ms: round(out.ms), peakRssMb: round(kb / 1024) }
  }
  const probe = "process.on('exit',()=>process.stderr.write('WSB_BENCH_RSS '+process.resourceUsage().maxRSS+'\\n'))"
  const out = processMs(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(probe)}`, WSB, ...args], env)
  if (out.status !== 0) throw new Error(`wsb ${args.join(' ')} failed: ${out.stderr.slice(-2000)}`)
  const kb = Number(/WSB_BENCH_RSS (\d+)/.exec(out.stderr)?.[1] ?? Number.NaN)
  return { ms: round(out.ms), peakRssMb: round(kb / 1024) }
}

export function applyLargeTree(dir: string, total = 10_000, deep = 1_000) {
  const file = join(dir, 'big-tree.json')
  const document = {
    version: 1,
    workspace: { name: 'Big Tree', mode: 'pooled', testClock: true },
    organizations: bigTree(total, deep),
    accounts: [{ name: 'Big Tree Billing', currency: 'USD', subscriptions: [{ label: 'main', items: { users: 100_000 } }] }],
  }
  // JSON: YAML nests organizations at most 256 deep (docs/apply.md); the chain is deeper.
  writeFileSync(file, JSON.stringify(document))
  const env = { ...process.env, WSB_DB: join(dir, 'apply.sqlite') }
  const first = run(['apply', '-f', file, '--json'], env)
  const again = run(['apply', '-f', file, '--json'], env)
  return { orgs: total, deepest: deep, first, unchanged: again, at: new Date().toISOString() }
}
