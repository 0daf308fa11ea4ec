// Issue 15: events read page by page and streamed. Pages are keyed (500 rows per
// source), so 1,300 rows cross page boundaries; every form lists the same events
// in the same order, --after continues exactly, --follow shows another process's report.
import { spawn } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { cleanEnv, engineDb, WSB, wsb } from '../helpers/cli.js'
import { ACME, acmeDb } from '../helpers/acme.js'
import { tempDbPath } from '../helpers/temp.js'

/**
 * `events --follow --ndjson` in another process: `shown(text)` waits until it has printed `text`
 * (failing after 30 s of nothing), `stop()` interrupts it and returns all it printed.
 */
function follow(db: string, args: string[]) {
  const child = spawn(process.execPath, [WSB, 'events', '--follow', '--ndjson', ...args], { env: cleanEnv({ WSB_DB: engineDb(db) }), stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => (stdout += d))
  child.stderr.on('data', (d) => (stderr += d))
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()))
  return {
    shown: async (text: string) => {
      for (let i = 0; i < 300 && !stdout.includes(text); i++) await new Promise((resolve) => setTimeout(resolve, 100))
      if (!stdout.includes(text)) throw new Error(`events --follow did not show ${text} within 30 s:\n${stdout}${stderr}`)
    },
    stop: async () => {
      child.kill('SIGINT')
      await exited
      return stdout
    },
  }
}

describe('events streamed page by page (issue 15)', () => {
  it('1,300 usage reports: --json, --ndjson and piped text list the same events once each, in order; --after continues after an id', () => {
    const db = acmeDb()
    const lines = Array.from({ length: 1300 }, (_, i) => JSON.stringify({ org: 'Sales', product: 'users', delta: i % 2 === 0 ? 1 : -1 })).join('\n')
    expect(wsb(['usage', 'import', '-', '--batch-size', '400'], { db, input: lines }).code).toBe(0)
    const json = wsb(['events', '--json'], { db })
    const events = json.json().events as { id: string; kind: string; names: Record<string, string> }[]
    expect(json.stdout).toBe(`${JSON.stringify({ events }, null, 2)}\n`)
    const ids = events.map((e) => e.id)
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids.filter((id) => id.startsWith('rpt_'))).toHaveLength(1300)
    expect(Object.values(events.find((e) => e.kind === 'org.created')?.names ?? {})).toEqual(['Sales'])
    const ndjson = wsb(['events', '--ndjson'], { db }).stdout.trimEnd().split('\n').map((l) => JSON.parse(l).id)
    expect(ndjson).toEqual(ids)
    const piped = wsb(['events'], { db }).stdout.trimEnd().split('\n')
    // The id (what --after takes) first.
    expect(piped[0]).toBe('id\tat\tkind\tids\tdata')
    expect(piped).toHaveLength(ids.length + 1)
    expect(piped.slice(1).map((line) => line.split('\t')[0])).toEqual(ids)
    const after = wsb(['events', '--after', ids[700] as string, '--ndjson'], { db }).stdout.trimEnd().split('\n').map((l) => JSON.parse(l).id)
    expect(after).toEqual(ids.slice(701))
    // --limit with --after: the next N after the cursor, in both forms (it ignored the cursor before).
    const nextAfter = wsb(['events', '--after', ids[700] as string, '--limit', '5', '--json'], { db }).json().events.map((e: { id: string }) => e.id)
    expect(nextAfter).toEqual(ids.slice(701, 706))
    const fewAfter = wsb(['events', '--after', ids.at(-3) as string, '--limit', '5', '--ndjson'], { db }).stdout.trimEnd().split('\n').map((l) => JSON.parse(l).id)
    expect(fewAfter).toEqual(ids.slice(-2))
    // A cursor before --since does not widen the window.
    const since = (events[800] as unknown as { at: string }).at
    const windowed = wsb(['events', '--after', ids[10] as string, '--since', since, '--ndjson'], { db }).stdout.trimEnd().split('\n').map((l) => JSON.parse(l).at as string)
    expect(windowed.length).toBeGreaterThan(0)
    expect(windowed.every((at) => at >= since)).toBe(true)
    expect(windowed).toEqual((events as unknown as { at: string }[]).filter((e) => e.at >= since).map((e) => e.at))
    expect(wsb(['events', '--kind', 'usage.accepted', '--json'], { db }).json().events).toHaveLength(1300)
    expect(wsb(['events', '--after', 'evt_999999'], { db }).code).toBe(3)
    expect(wsb(['events', '--after', 'nonsense'], { db }).code).toBe(2)
  })

  it('on a terminal without --limit: the latest 100 and a note saying how to see others', () => {
    const db = acmeDb()
    const lines = Array.from({ length: 150 }, () => JSON.stringify({ org: 'Sales', product: 'users', delta: 0 })).join('\n')
    wsb(['usage', 'import', '-'], { db, input: lines })
    const out = wsb(['events', '--wide'], { db, env: { WSB_TTY: '1', COLUMNS: '80' } }).stdout
    expect(out.split('\n').filter((l) => l.includes('usage.accepted'))).toHaveLength(100)
    expect(out).toContain('(the latest 100; --limit N, --since TIME or --after ID for others)')
  })

  it('events --follow shows every event other processes commit, once each, also one stamped at the instant of a report already shown (frozen test clock)', async () => {
    const db = tempDbPath()
    expect(wsb(['apply', '-f', '-'], { db, input: ACME.replace('mode: single', 'mode: single, testClock: true, clockStart: 2026-03-01T00:00:00Z') }).code).toBe(0)
    const { shown, stop } = follow(db, [])
    // The follower has listed what is there (the newest event shown) before anything below is written:
    // what it shows next, it can only have found by following.
    await shown((wsb(['events', '--json'], { db }).json().events as { id: string }[]).at(-1)?.id as string)
    const report = wsb(['usage', 'record', '--org', 'Sales', '--product', 'users', '--delta', '3', '--key', 'k1', '--json'], { db }).json()
    await shown(report.reportId)
    // Stamped at the same frozen instant as the report: sorts before it in the listing's order.
    const org = wsb(['org', 'create', 'Late Org', '--json'], { db }).json()
    await shown(org.id)
    const replay = wsb(['usage', 'record', '--org', 'Sales', '--product', 'users', '--delta', '3', '--key', 'k1', '--json'], { db }).json()
    expect(replay.replayed).toBe(true)
    await shown('"usage.replayed"')
    const seen = (await stop()).trimEnd().split('\n').map((l) => JSON.parse(l) as { id: string; kind: string; at: string; refs: Record<string, string> })
    expect(new Set(seen.map((e) => e.id)).size).toBe(seen.length)
    const listed = wsb(['events', '--json'], { db }).json().events as { id: string }[]
    expect(seen.map((e) => e.id).sort(), JSON.stringify(seen)).toEqual(listed.map((e) => e.id).sort())
    expect(seen.find((e) => e.kind === 'org.created' && e.refs.orgId === org.id)?.at).toBe(seen.find((e) => e.id === report.reportId)?.at)
  })

  it('events --follow prints a report that another process records after it started, until interrupted', async () => {
    const db = acmeDb()
    const first = wsb(['usage', 'record', '--org', 'Sales', '--product', 'users', '--delta', '1', '--json'], { db }).json()
    const { shown, stop } = follow(db, ['--kind', 'usage'])
    // The follower has shown the one report there was before the next is recorded: it can only find that one by following.
    await shown(first.reportId)
    const recorded = wsb(['usage', 'record', '--org', 'Sales', '--product', 'users', '--delta', '3', '--json'], { db }).json()
    await shown(recorded.reportId)
    const seen = (await stop()).trimEnd().split('\n').map((l) => JSON.parse(l))
    expect(seen.map((e) => e.id)).toEqual([first.reportId, recorded.reportId])
    expect(seen.find((e) => e.id === recorded.reportId)).toMatchObject({ kind: 'usage.accepted', data: { delta: 3 } })
  })
})
