// Writes that change what metering checks, raced against reporters (issue 24):
// `org limit set/clear`, `sub update` quantity changes (applied at once in a
// trial, refused below usage) and org moves run one after the other while 8
// reporter processes meter +1 and −1, one transaction per report, into the same
// pool — real processes on PostgreSQL (READ COMMITTED under row locks, those
// writes taking the workspace's metering lock) and on SQLite (BEGIN IMMEDIATE).
//
// "No over-allocation at any instant" is checked exactly: the history must be
// serializable. Reports are ordered as the ledger numbers them (on both engines
// an id is drawn while the report holds its pool's row, so ids follow commit
// order), the writes in the order they ran (one after the other). The check
// searches an interleaving of the two in which every report's decision (accepted
// or rejected, its reason, the level after) and every write's outcome (applied
// or refused) is what the rules give in the state before it, and in which no
// state has usage above the capacity or a limit in force. There is one exactly
// when the run behaved as some serial order of these transactions.
import { spawn } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { cleanEnv, engineDb, WSB, wsb, wsbAsync } from '../helpers/cli.js'
import { engineAll } from '../helpers/engine.js'
import { postgresDatabase } from '../helpers/postgres.js'
import { tempDbPath } from '../helpers/temp.js'

const engines = [
  { engine: 'PostgreSQL', db: async () => await postgresDatabase() },
  { engine: 'SQLite', db: async () => tempDbPath() },
]

const ORGS = ['Parent', 'Parent/A', 'Parent/B', 'Other', 'Mover'] as const
type Org = (typeof ORGS)[number]

type State = { capacity: number; limit: number | null; moverUnderParent: boolean }
type Write =
  | { kind: 'limit'; limit: number | null; applied: boolean }
  | { kind: 'capacity'; capacity: number; applied: boolean }
  | { kind: 'move'; underParent: boolean; applied: boolean }
type Report = { org: Org; delta: number; accepted: boolean; reason: string | null; levelAfter: number }

/** A small deterministic generator, so a failure can be replayed from its seed. */
function random(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** One reporter's lines: mostly +1, some −1, and Mover's +1 always followed by its −1 (so Mover is often empty and can move). */
function reporterLines(p: number, count: number): string[] {
  const next = random(1000 + p)
  const lines: string[] = []
  for (let i = 0; lines.length < count; i++) {
    const pick = next()
    const key = (n: number) => `r${p}-${i}-${n}`
    if (pick < 0.2) {
      lines.push(JSON.stringify({ org: 'Mover', product: 'users', delta: 1, key: key(0) }), JSON.stringify({ org: 'Mover', product: 'users', delta: -1, key: key(1) }))
      continue
    }
    const org = pick < 0.3 ? 'Parent' : pick < 0.55 ? 'Parent/A' : pick < 0.8 ? 'Parent/B' : 'Other'
    lines.push(JSON.stringify({ org, product: 'users', delta: next() < 0.65 ? 1 : -1, key: key(0) }))
  }
  return lines
}

/** A reporter process: `usage import -`, one transaction per line, its lines written a few at a time so it runs while the writes do. */
function reporter(db: string, lines: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [WSB, 'usage', 'import', '-', '--batch-size', '1', '--json'], { env: cleanEnv({ WSB_DB: engineDb(db) }), stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c) => (stdout += c))
    child.stderr.on('data', (c) => (stderr += c))
    child.on('close', (code) => resolve({ code, stdout, stderr }))
    let at = 0
    const timer = setInterval(() => {
      child.stdin.write(`${lines.slice(at, at + 2).join('\n')}\n`)
      at += 2
      if (at >= lines.length) {
        clearInterval(timer)
        child.stdin.end()
      }
    }, 100)
  })
}

const inParent = (org: Org, state: State) => org === 'Parent' || org === 'Parent/A' || org === 'Parent/B' || (org === 'Mover' && state.moverUnderParent)

/** What the rules decide for a report in a state (R-USE-1, R-USE-2, R-ORG-3: ties go to the pool). */
function decide(report: Report, state: State, levels: Record<Org, number>): { accepted: boolean; reason: string | null } {
  const level = levels[report.org]
  if (report.delta < 0) return level + report.delta >= 0 ? { accepted: true, reason: null } : { accepted: false, reason: 'BELOW_ZERO' }
  const used = ORGS.reduce((sum, org) => sum + levels[org], 0)
  const pool = state.capacity - used
  const subtree = ORGS.filter((org) => inParent(org, state)).reduce((sum, org) => sum + levels[org], 0)
  const limit = state.limit !== null && inParent(report.org, state) ? state.limit - subtree : Number.POSITIVE_INFINITY
  if (report.delta <= Math.min(pool, limit)) return { accepted: true, reason: null }
  return { accepted: false, reason: limit < pool ? 'LIMIT_EXCEEDED' : 'CAPACITY_EXCEEDED' }
}

/** Whether a write's outcome is the rules' in a state: a limit or a capacity below usage is refused, and so is moving an org that has usage. */
function writeFits(write: Write, state: State, levels: Record<Org, number>): boolean {
  const used = ORGS.reduce((sum, org) => sum + levels[org], 0)
  const subtree = ORGS.filter((org) => inParent(org, state)).reduce((sum, org) => sum + levels[org], 0)
  // A quantity decrease may not leave the pool below its usage; an increase always fits.
  const allowed =
    write.kind === 'limit' ? write.limit === null || write.limit >= subtree : write.kind === 'capacity' ? write.capacity >= state.capacity || write.capacity >= used : levels.Mover === 0
  return allowed === write.applied
}

const apply = (state: State, write: Write): State => {
  if (!write.applied) return state
  if (write.kind === 'limit') return { ...state, limit: write.limit }
  if (write.kind === 'capacity') return { ...state, capacity: write.capacity }
  return { ...state, moverUnderParent: write.underParent }
}

/**
 * Searches an interleaving of the reports (in ledger order) and the writes (in
 * the order they ran) in which every outcome is the rules' and no state is over
 * a bound: reachable[k][j] after k reports and j writes. Returns the first
 * report that no interleaving explains, or null when one explains them all.
 */
function serializable(reports: Report[], writes: Write[], initial: State): string | null {
  const states: State[] = [initial]
  for (const write of writes) states.push(apply(states.at(-1) as State, write))
  const levels: Record<Org, number>[] = [{ Parent: 0, 'Parent/A': 0, 'Parent/B': 0, Other: 0, Mover: 0 }]
  for (const report of reports) {
    const before = levels.at(-1) as Record<Org, number>
    const expected = before[report.org] + (report.accepted ? report.delta : 0)
    if (report.levelAfter !== expected) return `a report on ${report.org} recorded level ${report.levelAfter} where the reports before it make ${expected} (a lost update)`
    levels.push({ ...before, [report.org]: expected })
  }
  const within = (state: State, level: Record<Org, number>) => {
    const used = ORGS.reduce((sum, org) => sum + level[org], 0)
    const subtree = ORGS.filter((org) => inParent(org, state)).reduce((sum, org) => sum + level[org], 0)
    return used <= state.capacity && (state.limit === null || subtree <= state.limit)
  }
  let reachable = new Set<number>([0])
  let furthest = 0
  for (let k = 0; k <= reports.length; k++) {
    // Writes that can come here, one after the other.
    for (let j = 0; j <= writes.length; j++) {
      if (!reachable.has(j) || j === writes.length) continue
      const write = writes[j] as Write
      if (writeFits(write, states[j] as State, levels[k] as Record<Org, number>) && within(states[j + 1] as State, levels[k] as Record<Org, number>)) reachable.add(j + 1)
    }
    if (k === reports.length) break
    const report = reports[k] as Report
    const next = new Set<number>()
    for (const j of reachable) {
      const decision = decide(report, states[j] as State, levels[k] as Record<Org, number>)
      if (decision.accepted === report.accepted && decision.reason === report.reason && within(states[j] as State, levels[k + 1] as Record<Org, number>)) next.add(j)
    }
    if (next.size === 0) return `report ${k + 1} of ${reports.length} (${report.delta > 0 ? '+' : ''}${report.delta} on ${report.org}, ${report.accepted ? 'accepted' : report.reason}) fits no state the writes before it could have left`
    reachable = next
    furthest = k + 1
  }
  return reachable.has(writes.length) ? null : `after all ${furthest} reports, the writes cannot all have run`
}

describe.each(engines)('writes that change capacity, limits and the tree, raced by 8 reporters on $engine', ({ engine, db: newDb }) => {
  it(`R-USE-3 R-ORG-3 R-SUB-5 limit set/clear, trial quantity changes and org moves beside 8 reporters into one pool (${engine}): the history is serializable, never over a bound; usage verify and doctor clean`, async () => {
    const db = await newDb()
    const cli = (...args: string[]) => wsb([...args, '--json'], { db })
    expect(cli('workspace', 'create', 'Race', '--mode', 'pooled').code).toBe(0)
    expect(cli('account', 'create', 'A', '--currency', 'USD').code).toBe(0)
    const sub = cli('sub', 'add', 'A', '--item', 'users=30').json()
    // In a trial a quantity change applies at once, a decrease included (R-SUB-4, R-SUB-5).
    expect(sub.status).toBe('trialing')
    for (const [name, parent] of [['Parent'], ['A', 'Parent'], ['B', 'Parent'], ['Other'], ['Mover']] as [string, string?][])
      expect(cli('org', 'create', name, ...(parent ? ['--parent', parent] : [])).code).toBe(0)

    const lines = Array.from({ length: 8 }, (_, p) => reporterLines(p, 100))
    let reporting = true
    const reporters = Promise.all(lines.map((l) => reporter(db, l))).finally(() => (reporting = false))

    // The writes, one after the other while the reporters run (and at least 10).
    const next = random(7)
    const writes: Write[] = []
    let duringReports = 0
    for (let i = 0; reporting || i < 10; i++) {
      const step = i % 5
      let write: Write
      let args: string[]
      // Bounds drawn at or just above the usage seen a moment before: tight enough that a report
      // committed between a write's check and its commit would leave the pool or Parent over it.
      const seen = engineAll<{ used: number; parent: number | null }>(
        db,
        `SELECT (SELECT coalesce(sum(used), 0) FROM pool_usage) AS used, (SELECT max(l.subtree) FROM usage_levels l JOIN organizations o ON o.id = l.org_id WHERE o.name = 'Parent') AS parent`,
      )[0]
      const near = (n: number | null | undefined) => Number(n ?? 0) + Math.floor(next() * 3) - 1
      if (step === 0) {
        const limit = Math.max(0, near(seen?.parent))
        write = { kind: 'limit', limit, applied: true }
        args = ['org', 'limit', 'set', 'Parent', `users=${limit}`]
      } else if (step === 1 || step === 3) {
        // Up by a few, or down to about the usage (a trial applies both at once).
        const capacity = Math.max(1, step === 1 ? near(seen?.used) + 4 : near(seen?.used))
        write = { kind: 'capacity', capacity, applied: true }
        args = ['sub', 'update', sub.id, '--item', `users=${capacity}`]
      } else if (step === 2) {
        write = { kind: next() < 0.5 ? 'move' : 'limit', underParent: true, limit: null, applied: true } as Write
        args = write.kind === 'move' ? ['org', 'update', 'Mover', '--parent', 'Parent'] : ['org', 'limit', 'clear', 'Parent', 'users']
      } else {
        write = { kind: 'move', underParent: false, applied: true }
        args = ['org', 'update', 'Mover', '--top-level']
      }
      const result = await wsbAsync([...args, '--json'], { db })
      if (result.code !== 0) {
        // Refused by a rule, never a retry or a stack trace.
        expect(result.code, `${args.join(' ')}: ${result.stdout}${result.stderr}`).toBe(4)
        expect(['BELOW_USAGE', 'ORG_IN_USE']).toContain(result.json().error.code)
        write.applied = false
      }
      writes.push(write)
      if (reporting) duringReports++
    }
    const outs = await reporters
    for (const out of outs) {
      expect(out.stderr).toBe('')
      expect(out.code).toBe(0)
    }
    expect(duringReports).toBeGreaterThanOrEqual(3)
    expect(writes.filter((w) => w.applied).length).toBeGreaterThan(3)

    const ids = Object.fromEntries(ORGS.map((path) => [cli('org', 'show', path).json().id as string, path])) as Record<string, Org>
    const ledger = engineAll<{ org_id: string; delta: number; outcome: string; reason: string | null; level_after: number }>(
      db,
      `SELECT org_id, delta, outcome, reason, level_after FROM usage_ledger ORDER BY id`,
    )
    const total = lines.reduce((sum, l) => sum + l.length, 0)
    expect(ledger).toHaveLength(total)
    const reports = ledger.map((row): Report => ({ org: ids[row.org_id] as Org, delta: Number(row.delta), accepted: row.outcome === 'accepted', reason: row.reason, levelAfter: Number(row.level_after) }))
    expect(reports.filter((r) => r.reason === 'CAPACITY_EXCEEDED' || r.reason === 'LIMIT_EXCEEDED').length).toBeGreaterThan(0)
    expect(serializable(reports, writes, { capacity: 30, limit: null, moverUnderParent: false })).toBeNull()

    expect(cli('usage', 'verify').json()).toMatchObject({ ok: true, ledgerRows: total, mismatches: [] })
    expect(cli('doctor').json()).toMatchObject({ ok: true, violations: [] })
  }, 300_000)
})

describe('the serializability check itself', () => {
  const start: State = { capacity: 2, limit: null, moverUnderParent: false }
  const plus = (org: Org, accepted: boolean, levelAfter: number, reason: string | null = null): Report => ({ org, delta: 1, accepted, reason, levelAfter })

  it('explains a history where a capacity decrease falls between two reports', () => {
    // +1, +1 accepted at capacity 2; the decrease to 2 is fine anywhere; a third +1 is refused.
    const reports = [plus('Other', true, 1), plus('Other', true, 2), plus('Other', false, 2, 'CAPACITY_EXCEEDED')]
    expect(serializable(reports, [{ kind: 'capacity', capacity: 2, applied: true }], start)).toBeNull()
  })

  it('finds the over-allocation of a report decided on a capacity already lowered (a stale read)', () => {
    // Capacity 3 → 1 applied while usage was 1: after it, a second +1 cannot be accepted, before it the decrease is refused.
    const reports = [plus('Other', true, 1), plus('Other', true, 2)]
    expect(serializable(reports, [{ kind: 'capacity', capacity: 1, applied: true }], { ...start, capacity: 3 })).toMatch(/report 2 of 2|cannot all have run/)
  })

  it('finds a lost update: two accepted reports that both recorded level 1', () => {
    expect(serializable([plus('Other', true, 1), plus('Other', true, 1)], [], start)).toMatch(/lost update/)
  })

  it('finds a limit that a report on a moved org escaped: accepted under a parent whose limit was full', () => {
    const writes: Write[] = [{ kind: 'limit', limit: 1, applied: true }, { kind: 'move', underParent: true, applied: true }]
    // Parent uses 1 of its limit of 1; Mover, moved under Parent, is accepted +1: no interleaving explains it (before the move the limit was set only after Parent's report, which left 0).
    const reports = [plus('Parent', true, 1), plus('Mover', true, 1)]
    expect(serializable(reports, writes, { capacity: 10, limit: null, moverUnderParent: false })).not.toBeNull()
  })
})
