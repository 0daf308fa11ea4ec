// Races of real reporters: each is a `wsb usage import - --results - --batch-size 1`
// process (the long-lived CLI path: one transaction per line, the lifecycle
// catch-up between batches), fed one line at a time, the next sent when the
// previous one's result came back. The race proves its own overlap: every
// reporter has its first report committed before any sends its last, and a
// command run `during` the race has reports committed before it starts and
// sent after it ends. Afterwards the ledger holds exactly the acknowledged reports.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { expect } from 'vitest'
import { cleanEnv, engineDb, WSB } from './cli.js'
import { engineAll } from './engine.js'

/** One report as its reporter saw it: when the line was sent, when its result came back, and the result. */
export type Ack = { key: string; sentAt: number; ackedAt: number; accepted: boolean; reason: string | null }
export type Reporter = { tag: string; acks: Ack[]; stderr: string; code: number | null }
/** What a reporter sends as its i-th line (the key is added). */
export type Line = { org: string; product?: string; delta: number }

type Running = Reporter & { child: ChildProcessWithoutNullStreams; sent: number; line: (i: number) => Line; waiting: (() => void)[]; stopping: boolean; exited: Promise<void> }

/**
 * Starts one reporter per entry of `reporters` on `db` (a test's database path,
 * mapped to the project's engine). Resolves once every reporter has had its
 * first report committed; from then on each runs freely until `stop`.
 */
export async function startRace(db: string, reporters: { tag: string; line: (i: number) => Line }[]): Promise<Race> {
  const url = engineDb(db)
  const running = reporters.map(({ tag, line }) => {
    const child = spawn(process.execPath, [WSB, 'usage', 'import', '-', '--results', '-', '--batch-size', '1'], { env: cleanEnv({ WSB_DB: url }), stdio: ['pipe', 'pipe', 'pipe'] })
    const r: Running = { tag, acks: [], stderr: '', code: null, child, sent: 0, line, waiting: [], stopping: false, exited: Promise.resolve() }
    // Killed by a signal: -1, so that `code !== null` always means the process is gone.
    r.exited = new Promise((resolve) => child.on('close', (code) => ((r.code = code ?? -1), resolve())))
    let buffer = ''
    child.stdout.on('data', (chunk) => {
      buffer += chunk
      for (let at = buffer.indexOf('\n'); at >= 0; at = buffer.indexOf('\n')) {
        const result = JSON.parse(buffer.slice(0, at)) as { key: string; accepted: boolean; reason: string | null; line: number }
        buffer = buffer.slice(at + 1)
        const ack = r.acks[result.line - 1] as Ack
        Object.assign(ack, { ackedAt: Date.now(), accepted: result.accepted, reason: result.reason })
        expect(result.key).toBe(ack.key)
        // After the barrier (the second line sent), each result sends the next line.
        if (!r.stopping && r.acks.length > 1) send(r)
        for (const wake of r.waiting.splice(0)) wake()
      }
    })
    child.stderr.on('data', (chunk) => (r.stderr += chunk))
    child.stdin.on('error', () => undefined) // a reporter that died: its exit code tells
    send(r)
    return r
  })
  // The barrier: nobody sends a second line before every first one is committed.
  const race = new Race(running)
  await race.until((acks) => acks.length === 1)
  for (const r of running) send(r)
  return race
}

function send(r: Running): void {
  const key = `${r.tag}-${r.sent}`
  const line = r.line(r.sent++)
  r.acks.push({ key, sentAt: Date.now(), ackedAt: Number.NaN, accepted: false, reason: null })
  r.child.stdin.write(`${JSON.stringify({ product: 'users', ...line, key })}\n`)
}

const done = (r: Running) => r.acks.filter((a) => !Number.isNaN(a.ackedAt))

/** Waits for `r`'s next result; throws if it exits meanwhile. */
async function nextAck(r: Running): Promise<void> {
  if (r.code !== null) throw new Error(`reporter ${r.tag} exited (${r.code}) after ${done(r).length} results: ${r.stderr}`)
  await new Promise<void>((resolve) => {
    r.waiting.push(resolve)
    void r.exited.then(() => resolve())
  })
}

/** Waits until `check(r's committed reports)` holds; fails once `r` has had `limit` reports without. */
async function waitFor(r: Running, check: (acks: Ack[]) => boolean, limit = Number.POSITIVE_INFINITY): Promise<void> {
  while (!check(done(r))) {
    if (done(r).length >= limit) throw new Error(`reporter ${r.tag}: still not so after ${limit} reports`)
    await nextAck(r)
  }
}

export class Race {
  constructor(private readonly running: Running[]) {}

  /** Waits until `check(committed reports of one reporter)` holds for every reporter (failing after `limit` reports of one). */
  async until(check: (acks: Ack[]) => boolean, limit = 2_000): Promise<void> {
    try {
      await Promise.all(this.running.map(async (r) => await waitFor(r, check, limit)))
    } catch (error) {
      this.kill()
      throw error
    }
  }

  /** Ends every reporter at once (a failed race must not leave them running). */
  kill(): void {
    for (const r of this.running) {
      r.stopping = true
      r.child.kill('SIGKILL')
      r.child.stdin.destroy()
    }
  }

  /**
   * Runs `command` while the reporters run; returns when it started and ended,
   * once every reporter has a report committed that it sent after the end.
   */
  async during<T>(command: () => Promise<T>): Promise<{ result: T; startedAt: number; endedAt: number }> {
    const startedAt = Date.now()
    let result: T
    try {
      result = await command()
    } catch (error) {
      this.kill()
      throw error
    }
    const endedAt = Date.now()
    await this.until((acks) => acks.some((a) => a.sentAt > endedAt), Number.POSITIVE_INFINITY)
    return { result, startedAt, endedAt }
  }

  /** Lets each reporter's line in flight commit, ends their input, and returns what each saw. */
  async stop(): Promise<Reporter[]> {
    for (const r of this.running) r.stopping = true
    await this.until(() => true)
    await Promise.all(this.running.map(async (r) => await waitFor(r, (acks) => acks.length === r.acks.length)))
    for (const r of this.running) r.child.stdin.end()
    await Promise.all(this.running.map((r) => r.exited))
    return this.running.map(({ tag, acks, stderr, code }) => ({ tag, acks, stderr, code }))
  }
}

/**
 * The reporters overlapped: the last report each sent left after the first
 * report of every other was committed, so all were committing at one instant.
 */
export function expectOverlap(reporters: Reporter[]): void {
  const firstCommitted = Math.max(...reporters.map((r) => (r.acks[0] as Ack).ackedAt))
  const lastSent = Math.min(...reporters.map((r) => (r.acks.at(-1) as Ack).sentAt))
  expect(firstCommitted, 'every reporter had a report committed before any sent its last').toBeLessThan(lastSent)
}

/** Each reporter ended cleanly (exit 0, nothing on stderr but its summary) and every line got its result. */
export function expectClean(reporters: Reporter[]): void {
  for (const r of reporters) {
    expect(r.code, `${r.tag}: ${r.stderr}`).toBe(0)
    expect(r.stderr, r.tag).toMatch(/^\d+ lines: \d+ accepted, \d+ rejected, 0 replayed, 0 invalid in [\d.]+ s\n/)
    expect(r.acks.every((a) => !Number.isNaN(a.ackedAt)), r.tag).toBe(true)
  }
}

/**
 * The ledger holds exactly the acknowledged reports, by key: each accepted one
 * as accepted, each rejected one rejected for the reason given; nothing more
 * (no lost acknowledged report, no report that nobody was told of).
 */
export function expectLedgerHolds(db: string, reporters: Reporter[]): void {
  const acked = reporters.flatMap((r) => r.acks.map((a) => [a.key, a.accepted ? 'accepted' : `rejected ${a.reason}`]))
  const rows = engineAll<{ key: string; outcome: string; reason: string | null }>(db, 'SELECT key, outcome, reason FROM usage_ledger WHERE key IS NOT NULL')
  const ledger = rows.map((row) => [row.key, row.outcome === 'accepted' ? 'accepted' : `${row.outcome} ${row.reason}`])
  const order = (a: string[], b: string[]) => ((a[0] as string) < (b[0] as string) ? -1 : 1)
  expect(ledger.sort(order)).toEqual(acked.sort(order))
}
