// Deep and large organization trees (issue 11, items 6 and 7): every walk over
// the tree is iterative, so a chain 10,000 deep works in apply, export, org
// list, usage report and doctor (R-ORG-1, R-ORG-3), and apply stays linear.
import { describe, expect, it } from 'vitest'
import { toJson } from '../../src/cli/json.js'
import { applyFile } from '../../src/core/apply/apply.js'
import { exportWorkspace } from '../../src/core/apply/export.js'
import { readApplyFile } from '../../src/core/apply/read.js'
import { loadYaml, YAML_MAX_ORG_DEPTH } from '../../src/core/apply/yaml.js'
import { contextFor } from '../../src/core/context.js'
import { runDoctor } from '../../src/core/doctor/run.js'
import { listOrgs } from '../../src/core/orgs/list.js'
import { SandboxProvider } from '../../src/core/payments/sandbox.js'
import type { Db } from '../../src/core/store/open.js'
import { usageByOrg } from '../../src/core/usage/org-report.js'
import { resolveWorkspace } from '../../src/core/workspaces/resolve.js'
import { renderOrgTree } from '../../src/render/orgs.js'
import { renderOrgUsage } from '../../src/render/usage.js'
import { newDb } from '../builders.js'

const provider = async () => new SandboxProvider()

type Org = { name: string; limits?: Record<string, number>; usage?: Record<string, number>; children?: Org[] }

/** A chain `depth` orgs deep, d0/d1/…; a users limit of 50 on d0 and 20 users used by the last. */
function chain(depth: number): Org {
  const root: Org = { name: 'd0', limits: { users: 50 } }
  let tip = root
  for (let i = 1; i < depth; i++) {
    const next: Org = { name: `d${i}` }
    tip.children = [next]
    tip = next
  }
  tip.usage = { users: 20 }
  return root
}

function document(organizations: Org[]) {
  return {
    version: 1,
    workspace: { name: 'Deep', mode: 'pooled', testClock: true },
    organizations,
    accounts: [{ name: 'Deep Billing', currency: 'USD', subscriptions: [{ label: 'main', items: { users: 100 } }] }],
  }
}

async function applyJson(db: Db, value: unknown) {
  return await applyFile(db, await readApplyFile(toJson(value), 'deep.json'), { provider })
}

const ctxOf = async (db: Db) => contextFor(db, await resolveWorkspace(db, 'Deep'))

/**
 * A chain of `depth` applied to a new database, built once per depth and file: the tests
 * that only read it (or re-apply it as no change) share it instead of applying 10,000
 * orgs each (on PostgreSQL that took ~30 s a time on a loaded machine).
 */
const built = new Map<number, Promise<{ db: Db; first: Awaited<ReturnType<typeof applyJson>> }>>()
function chainDb(depth: number) {
  let made = built.get(depth)
  if (!made) {
    made = (async () => {
      const db = newDb()
      return { db, first: await applyJson(db, document([chain(depth)])) }
    })()
    built.set(depth, made)
  }
  return made
}

describe('deep organization trees', () => {
  it.each([400, 10_000])('apply builds a chain %i deep from JSON and re-applies it as no change (R-ORG-1)', async (depth) => {
    const { db, first } = await chainDb(depth)
    expect(first.summary.create).toBeGreaterThanOrEqual(depth)
    const orgs = await (await listOrgs(await ctxOf(db))).orgs
    expect(orgs).toHaveLength(depth)
    expect(orgs.at(-1)).toMatchObject({ name: `d${depth - 1}`, depth: depth - 1 })
    expect(orgs.at(-1)?.path.split('/')).toHaveLength(depth)
    const again = await applyJson(db, document([chain(depth)]))
    expect(again.changed).toBe(false)
    // Deep orgs are named by an abbreviated path in actions, so the result stays linear in size.
    expect(again.actions.filter((a) => a.kind === 'organization').at(-1)?.name).toBe(depth > 64 ? `d0/…/d${depth - 2}/d${depth - 1} (depth ${depth - 1})` : orgs.at(-1)?.path)
  })

  it('an invalid field deep in the tree names its place in the file', async () => {
    const root = chain(2_000)
    let tip = root
    for (let i = 0; i < 1_500; i++) tip = tip.children?.[0] as Org
    tip.limits = { users: -1 }
    const error = await readApplyFile(toJson(document([root])), 'deep.json').catch((e: Error) => e)
    expect(error).toMatchObject({ code: 'INVALID_INPUT', exitCode: 2 })
    expect((error as Error).message).toBe(`organizations[0]${'.children[0]'.repeat(1_500)}.limits.users: expected a non-negative integer`)
  })

  it(`YAML nested 1,200 deep is refused as invalid input naming the ${YAML_MAX_ORG_DEPTH}-level limit, not a crash`, async () => {
    const { stringify } = await loadYaml()
    // The yaml library cannot write 1,200 levels either: build the block YAML by hand.
    const lines = ['workspace: { name: Deep, mode: pooled }', 'organizations:']
    for (let i = 0; i < 1_200; i++) lines.push(`${'  '.repeat(i)}- name: d${i}`, `${'  '.repeat(i)}  children:`)
    lines.pop()
    expect(stringify({ a: 1 })).toBe('a: 1\n')
    const error = await readApplyFile(`${lines.join('\n')}\n`, 'deep.yaml').catch((e: Error) => e)
    expect(error).toMatchObject({ code: 'INVALID_INPUT', exitCode: 2 })
    expect((error as Error).message).toContain(`nest organizations up to ${YAML_MAX_ORG_DEPTH} levels deep`)
    expect((error as Error).message).toContain('--format json')
  })

  it(`export as YAML at ${YAML_MAX_ORG_DEPTH} levels reads back through apply as no change`, async () => {
    const db = newDb()
    await applyJson(db, document([chain(YAML_MAX_ORG_DEPTH)]))
    const yaml = (await loadYaml()).stringify(await exportWorkspace(await ctxOf(db)), { lineWidth: 0 })
    const again = await applyFile(db, await readApplyFile(yaml, 'export.yaml'), { provider })
    expect(again.changed).toBe(false)
  })

  it.each([5_000, 10_000])('export as JSON at depth %i round-trips into a fresh database', async (depth) => {
    const { db } = await chainDb(depth)
    const text = toJson(await exportWorkspace(await ctxOf(db)))
    const other = newDb()
    const rebuilt = await applyFile(other, await readApplyFile(text, 'export.json'), { provider })
    expect(rebuilt.summary.create).toBeGreaterThanOrEqual(depth)
    expect(await (await listOrgs(await ctxOf(other))).orgs.map((o) => o.path)).toEqual(await (await listOrgs(await ctxOf(db))).orgs.map((o) => o.path))
    expect((await applyFile(db, await readApplyFile(text, 'export.json'), { provider })).changed).toBe(false)
  })

  it('org list at depth 10,000: JSON rows in tree order, the human tree drawn 32 levels deep and the rest marked with their depth', async () => {
    const { db } = await chainDb(10_000)
    const { orgs } = await listOrgs(await ctxOf(db))
    expect(orgs.map((o) => o.depth)).toEqual(Array.from({ length: 10_000 }, (_, i) => i))
    // As on a terminal (WSB_TTY=1): box characters; piped output draws the same tree in ASCII.
    process.env.WSB_TTY = '1'
    const lines = renderOrgTree({ orgs }).split('\n')
    delete process.env.WSB_TTY
    expect(lines).toHaveLength(10_000)
    expect(lines.at(-1)).toMatch(/^ {3}( {3}){30}└─ \[depth 9999\] d9999 org_/)
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThan(200)
  })

  it('usage report --by org at depth 10,000: the last org is bound by the limit on d0, 50 − 20 = 30 left (R-ORG-3)', async () => {
    const { db } = await chainDb(10_000)
    const { orgs } = await usageByOrg(await ctxOf(db))
    expect(orgs).toHaveLength(10_000)
    const last = orgs.at(-1)
    expect(last?.products).toEqual([
      { product: 'users', used: 20, subtreeUsed: 20, limit: null, headroom: 30, binding: { kind: 'limit', orgId: orgs[0]?.id, orgPath: 'd0', limit: 50, subtreeUsed: 20 } },
    ])
    // The pool (100 users, 20 used) leaves 80; the limit's 30 binds every org of the chain.
    expect(orgs.every((o) => o.products[0]?.headroom === 30)).toBe(true)
    const narrowed = await usageByOrg(await ctxOf(db), { org: orgs[9_998]?.id })
    expect(narrowed.orgs.map((o) => o.products[0]?.headroom)).toEqual([30, 30])
  })

  it('the human usage report of a large tree summarises: top-level orgs and those near their own limit, with the count left out', async () => {
    const db = newDb()
    const regions: Org[] = Array.from({ length: 30 }, (_, r) => ({
      name: `r${r}`,
      children: Array.from({ length: 10 }, (_, c) => ({ name: `c${c}`, ...(r === 3 && c === 7 ? { limits: { users: 10 }, usage: { users: 9 } } : {}) })),
    }))
    await applyJson(db, document(regions))
    const report = await usageByOrg(await ctxOf(db))
    expect(report.orgs).toHaveLength(330)
    const text = renderOrgUsage(report)
    expect(text.split('\n')[0]).toBe('330 organizations: showing the 31 at the top and at or near (≥ 90%) their own limits.')
    expect(text).toContain('r3/c7')
    expect(text).not.toContain('r3/c6')
    expect(text).toContain('299 more not shown: see them with --all')
    const all = renderOrgUsage(report, { all: true })
    expect(all).toContain('c6')
    expect(all).not.toContain('more not shown')
  })

  it('doctor at depth 10,000 finds the forest and the usage counters consistent (R-ORG-1, R-USE-5)', async () => {
    const { db } = await chainDb(10_000)
    const result = await runDoctor(db)
    expect(result.violations).toEqual([])
    expect(result.ok).toBe(true)
  })
})
