// A chain of organizations 10,000 deep through the built binary (issue 11,
// item 7): apply, export, org list, usage report and doctor all work (R-ORG-1).
// On PostgreSQL 3,000 deep: what depth could break is engine-neutral code (the
// walks of the tree, JSON and YAML nesting) that SQLite's 10,000 exercise; what
// PostgreSQL adds (recursive queries, no depth limit there) 3,000 exercises in a
// third of the time (10,000 took 91 s there on a loaded 2-core machine).
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { cleanEnv, engineDb, WSB } from '../helpers/cli.js'
import { onPostgresProject } from '../helpers/guard.js'
import { tempDbPath, tempDir } from '../helpers/temp.js'

const depth = onPostgresProject ? 3_000 : 10_000

/** The JSON text of a chain d0/d1/… `depth` deep, with a users limit of 50 on d0 and 20 used by the last org. */
function chainFile(depth: number): string {
  const open = Array.from({ length: depth - 1 }, (_, i) => `{"name":"d${i}"${i === 0 ? ',"limits":{"users":50}' : ''},"children":[`).join('')
  const close = ']}'.repeat(depth - 1)
  return `{"workspace":{"name":"Deep","mode":"pooled","testClock":true},"organizations":[${open}{"name":"d${depth - 1}","usage":{"users":20}}${close}],"accounts":[{"name":"Deep Billing","currency":"USD","subscriptions":[{"label":"main","items":{"users":100}}]}]}`
}

function run(args: string[], db: string) {
  const out = spawnSync(process.execPath, [WSB, ...args], { env: cleanEnv({ WSB_DB: engineDb(db), NO_COLOR: '1' }), encoding: 'utf8', maxBuffer: 1 << 28, timeout: 120_000 })
  return { code: out.status, stdout: out.stdout, stderr: out.stderr }
}

describe(`a tree ${depth.toLocaleString('en')} deep through the CLI`, () => {
  it('apply, re-apply, export --json | apply, org list, usage report --by org and doctor succeed; YAML export refuses past 256 levels with exit 2', () => {
    const db = tempDbPath()
    const file = join(tempDir(), 'deep.json')
    writeFileSync(file, chainFile(depth))
    const applied = run(['apply', '-f', file, '--json'], db)
    expect([applied.code, applied.stderr]).toEqual([0, ''])
    expect(JSON.parse(applied.stdout).summary.create).toBeGreaterThanOrEqual(depth)
    const again = run(['apply', '-f', file, '--json'], db)
    expect(JSON.parse(again.stdout).changed).toBe(false)

    const exported = run(['export', '--json'], db)
    expect(exported.code).toBe(0)
    const other = tempDbPath()
    const rebuilt = spawnSync(process.execPath, [WSB, 'apply', '-f', '-', '--json'], { env: cleanEnv({ WSB_DB: engineDb(other) }), input: exported.stdout, encoding: 'utf8', maxBuffer: 1 << 28 })
    expect(rebuilt.status).toBe(0)

    const yaml = run(['export'], db)
    expect(yaml.code).toBe(2)
    expect(yaml.stderr).toContain(`the organization tree is ${depth} levels deep; YAML export goes to 256 levels`)

    const list = run(['org', 'list'], db)
    expect(list.code).toBe(0)
    const lines = list.stdout.trimEnd().split('\n')
    expect(lines).toHaveLength(depth)
    expect(lines.at(-1)).toContain(`[depth ${depth - 1}] d${depth - 1}`)

    const report = run(['usage', 'report', '--by', 'org'], db)
    expect(report.code).toBe(0)
    expect(report.stdout.split('\n')[0]).toBe(`${depth} organizations: showing the 1 at the top and at or near (≥ 90%) their own limits.`)
    expect(report.stdout).toContain(`${depth - 1} more not shown`)

    const doctor = run(['doctor', '--json'], db)
    expect(doctor.code).toBe(0)
    expect(JSON.parse(doctor.stdout).ok).toBe(true)
  }, 180_000)
})
