// A database deleted or replaced under a running `usage import` (issue 11,
// item 4): the import notices at its next batch, stops with DB_REPLACED and a
// non-zero exit, and never acknowledges reports into a file no one will read.
import { spawn } from 'node:child_process'
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { cleanEnv, WSB, wsb } from '../helpers/cli.js'
import { tempDir } from '../helpers/temp.js'

const SETUP = 'workspace: { name: Slow Pipe, mode: single }\norganizations: [ { name: Ops } ]\naccounts: [ { name: Ops Co, currency: USD, subscriptions: [ { label: main, trial: false, items: { users: 100000 } } ] } ]\n'
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const line = (n: number) => `${JSON.stringify({ org: 'Ops', product: 'users', delta: 1, key: `k${n}` })}\n`

/** Waits until the results file holds `lines` acknowledgements. */
async function acknowledged(file: string, lines: number) {
  for (let i = 0; i < 1200; i++) {
    if (existsSync(file) && readFileSync(file, 'utf8').split('\n').filter(Boolean).length >= lines) return
    await pause(50)
  }
  throw new Error(`${file} never held ${lines} acknowledgements`)
}

async function importWhile(db: string, disturb: () => void) {
  const child = spawn(process.execPath, [WSB, 'usage', 'import', '-', '--json', '--results', join(db, '..', 'acks.ndjson')], { env: cleanEnv({ WSB_DB: db }), stdio: ['pipe', 'pipe', 'pipe'] })
  let stdout = ''
  child.stdout.on('data', (chunk) => (stdout += chunk))
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
  for (let n = 1; n <= 10; n++) child.stdin.write(line(n))
  // The first batch is committed when the input pauses, and its lines acknowledged in --results:
  // waited for, not timed, since a loaded machine may take seconds to start the process.
  await acknowledged(join(db, '..', 'acks.ndjson'), 10)
  disturb()
  for (let n = 11; n <= 20; n++) child.stdin.write(line(n))
  await pause(400)
  child.stdin.end()
  const code = await exited
  const acks = readFileSync(join(db, '..', 'acks.ndjson'), 'utf8').split('\n').filter(Boolean).map((text) => JSON.parse(text).line)
  return { code, acks, json: () => JSON.parse(stdout) }
}

describe('usage import and a database that changes under it', () => {
  it('R-USE-3 the file deleted mid-import: DB_REPLACED (exit 1), lines up to 10 named as committed, nothing later acknowledged', async () => {
    const dir = tempDir()
    const db = join(dir, 'wsb.sqlite')
    expect(wsb(['apply', '-f', '-'], { db, input: SETUP }).code).toBe(0)
    const out = await importWhile(db, () => {
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${db}${suffix}`, { force: true })
    })
    expect(out.code).toBe(1)
    expect(out.json().error).toMatchObject({ code: 'DB_REPLACED', details: { reason: 'deleted', committedThroughLine: 10 } })
    expect(out.acks).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
  })

  it('R-USE-3 the file replaced by another mid-import: DB_REPLACED, and the new file is intact and untouched', async () => {
    const dir = tempDir()
    const db = join(dir, 'wsb.sqlite')
    const other = join(dir, 'other.sqlite')
    expect(wsb(['apply', '-f', '-'], { db, input: SETUP }).code).toBe(0)
    expect(wsb(['apply', '-f', '-'], { db: other, input: SETUP }).code).toBe(0)
    const out = await importWhile(db, () => renameSync(other, db))
    expect(out.code).toBe(1)
    expect(out.json().error).toMatchObject({ code: 'DB_REPLACED', details: { reason: 'replaced', committedThroughLine: 10 } })
    expect(out.acks).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    expect(wsb(['doctor', '--json'], { db }).code).toBe(0)
    expect(wsb(['usage', 'verify', '--json'], { db }).json()).toMatchObject({ ok: true })
    const [level] = wsb(['usage', 'report', '--by', 'org', '--json'], { db }).json().orgs
    expect(level.products.find((p: { product: string }) => p.product === 'users').used).toBe(0)
  })
})
