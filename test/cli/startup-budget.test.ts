// Issue 24 (start-up): what `wsb version`, `wsb usage record` and `wsb usage report` load on their
// way to an answer is listed in test/cli/startup-budget.json, and anything more
// fails here: a module added to the path of every command is how start-up time
// crept up unnoticed (a number format built at load, a colour library's
// terminal detection, the query builder pulled in by one import). No clock is
// read: the list is what V8 ran, mapped to wsb's sources and packages.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import compareIds from '../../scripts/oclif/compare-ids.cjs'
import { wsb } from '../helpers/cli.js'
import { type Loaded, loadedBy } from '../helpers/startup-modules.js'
import { tempDir } from '../helpers/temp.js'

const BUDGET = fileURLToPath(new URL('./startup-budget.json', import.meta.url))
const kinds = ['bundles', 'packages', 'modules', 'oclif', 'builtins'] as const
type Budget = Record<string, Omit<Loaded, never>>
const budget = JSON.parse(readFileSync(BUDGET, 'utf8')) as Budget
/** WSB_UPDATE_STARTUP_BUDGET=1 writes what each run loaded into the budget (raise it on purpose, and say why in the commit). */
const update = process.env.WSB_UPDATE_STARTUP_BUDGET === '1'

const HOW = `Every command pays at start-up for what its path loads (issue 24: a cold start within 2x of node -e '').
Load code where it is used (an import() inside the function that needs it, a value made on first use) rather than
at the top of a module on this path. If it belongs on the path, raise the budget on purpose: edit
test/cli/startup-budget.json (or run this test with WSB_UPDATE_STARTUP_BUDGET=1), measure
npm run bench -- --only coldstart, and say why in the commit. Something no longer loaded leaves the budget
the same way, so it cannot come back unnoticed.`

function check(command: string, loaded: Loaded & { code: number | null; stderr: string }) {
  expect(loaded.code, loaded.stderr).toBe(0)
  if (update) {
    budget[command] = Object.fromEntries(kinds.map((kind) => [kind, loaded[kind]])) as unknown as Loaded
    writeFileSync(BUDGET, `${JSON.stringify(budget, null, 2)}\n`)
    return
  }
  const allowed = budget[command]
  expect(allowed, `no budget for "${command}" in test/cli/startup-budget.json`).toBeDefined()
  const problems: string[] = []
  for (const kind of kinds) {
    for (const name of loaded[kind]) if (!allowed?.[kind].includes(name)) problems.push(`${kind}: ${name} is now loaded by wsb ${command}`)
    for (const name of allowed?.[kind] ?? []) if (!loaded[kind].includes(name)) problems.push(`${kind}: ${name} is in the budget of wsb ${command} but no longer loaded`)
  }
  expect(problems, `${problems.join('\n')}\n\n${HOW}`).toEqual([])
}

describe('start-up budget (issue 24)', () => {
  it('wsb version loads only what its budget lists: no database, no store, no query builder', () => {
    const loaded = loadedBy(['version'])
    check('version', loaded)
    expect(loaded.packages).not.toContain('better-sqlite3')
    expect(loaded.packages).not.toContain('drizzle-orm')
  })

  /** A pooled workspace with one org and 10 users of capacity, in a new database file. */
  function database(): string {
    const db = join(tempDir(), 'wsb.sqlite')
    const cli = (...args: string[]) => expect(wsb([...args, '--json'], { db }).code).toBe(0)
    cli('workspace', 'create', 'Franchise', '--mode', 'pooled')
    cli('account', 'create', 'A', '--currency', 'USD')
    cli('sub', 'add', 'A', '--item', 'users=10')
    cli('org', 'create', 'Downtown')
    // The first report may still do one-time work; the path measured is the steady one from the second.
    cli('usage', 'record', '--org', 'Downtown', '--product', 'users', '--delta', '1')
    return db
  }
  const heavy = ['drizzle-orm', 'pg', 'stripe', 'pdfkit']
  const lifecycle = (loaded: Loaded) => loaded.modules.filter((m) => m.startsWith('src/core/lifecycle/') && m !== 'src/core/lifecycle/queue.ts')

  it('wsb usage record --json loads only what its budget lists: the store and the meter, not the query builder, the lifecycle or PostgreSQL', () => {
    const loaded = loadedBy(['usage', 'record', '--org', 'Downtown', '--product', 'users', '--delta', '1', '--json'], { WSB_DB: database() })
    expect(JSON.parse(loaded.stdout)).toMatchObject({ accepted: true, level: 2 })
    check('usage record', loaded)
    for (const name of heavy) expect(loaded.packages).not.toContain(name)
    expect(lifecycle(loaded)).toEqual([])
  })

  it('wsb usage report --json loads only what its budget lists: prepared statements, not the query builder', () => {
    const loaded = loadedBy(['usage', 'report', '--json'], { WSB_DB: database() })
    expect(JSON.parse(loaded.stdout).pools[0].products).toEqual([expect.objectContaining({ product: 'users', used: 1 })])
    check('usage report', loaded)
    for (const name of heavy) expect(loaded.packages).not.toContain(name)
    expect(lifecycle(loaded)).toEqual([])
  })

  it("oclif's command sort without ICU gives localeCompare's order for every id wsb and its plugins have (scripts/oclif/compare-ids.cjs)", () => {
    const manifest = JSON.parse(readFileSync(join(fileURLToPath(new URL('../..', import.meta.url)), 'oclif.manifest.json'), 'utf8')) as { commands: Record<string, unknown> }
    const ids = [...Object.keys(manifest.commands), 'help', 'autocomplete', 'autocomplete:script', 'plugins:install', 'a-b', 'a_b', 'a:b', 'a0', 'a9b', 'ab', 'a', '']
    for (const a of ids) for (const b of ids) expect(Math.sign(compareIds(a, b)), `${a} vs ${b}`).toBe(Math.sign(a.localeCompare(b)))
    // Other characters fall back to localeCompare itself.
    expect(Math.sign(compareIds('Ab', 'aa'))).toBe(Math.sign('Ab'.localeCompare('aa')))
    expect(Math.sign(compareIds('é', 'f'))).toBe(Math.sign('é'.localeCompare('f')))
  })
})
