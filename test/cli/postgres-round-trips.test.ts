// Round trips of interactive commands on PostgreSQL (issue 24): each command is
// one connection and a budgeted number of statements it waits for, counted from
// the bytes the built CLI sends to the server (test/helpers/pg-round-trips.ts).
// The workspace is the demo's Global Corp (examples/global-assigned.yaml, a VAT
// rate, three months on the test clock), as bench/pg-cold.ts times it. A budget
// is raised on purpose only, with the reason in the commit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { countingRelay, type CountingRelay } from '../helpers/pg-round-trips.js'
import { wsbAsync } from '../helpers/cli.js'
import { postgresDatabase } from '../helpers/postgres.js'

const EXAMPLE = new URL('../../examples/global-assigned.yaml', import.meta.url).pathname
const env = (db: string) => ({ WSB_DB: db, WSB_WORKSPACE: 'Global Corp' })

/** Round trips a command may wait for after connecting: see the test titles. */
const BUDGET = { orgList: 6, preview: 79 }

describe('round trips of interactive commands on PostgreSQL', () => {
  let url: string
  let relay: CountingRelay
  let sub: string

  beforeAll(async () => {
    url = await postgresDatabase()
    for (const args of [['apply', '-f', EXAMPLE], ['tax', 'rate', 'set', '--country', 'DE', '--rate', '19', '--name', 'VAT']]) {
      const out = await wsbAsync(args, { env: env(url) })
      expect(out.code, out.stderr).toBe(0)
    }
    sub = (await wsbAsync(['sub', 'list', '--account', 'Global Corp GmbH', '--json'], { env: env(url) })).json().subscriptions[0].id
    expect((await wsbAsync(['clock', 'advance', '--by', '3mo'], { env: env(url) })).code).toBe(0)
    relay = await countingRelay(url)
  }, 120_000)

  afterAll(async () => {
    await relay?.close()
  })

  async function counted(args: string[]) {
    relay.reset()
    const out = await wsbAsync(args, { env: env(relay.url) })
    expect(out.code, out.stderr).toBe(0)
    const direct = await wsbAsync(args, { env: env(url) })
    // Counting changes nothing of what the command prints.
    expect(out.stdout).toBe(direct.stdout)
    return { ...relay.counts(), out }
  }

  it(`R-WS-4 org list: one connection, at most ${BUDGET.orgList} statements (schema check, the workspace with its due time, its snapshot of orgs and limits, the check after)`, async () => {
    const { connections, queries, texts, out } = await counted(['org', 'list', '--json'])
    expect(out.json().orgs.length).toBeGreaterThan(0)
    expect(connections).toBe(1)
    expect(queries, texts.join('\n')).toBeLessThanOrEqual(BUDGET.orgList)
  })

  it(`R-INV-3 invoice preview --change walking to the GmbH's renewal: one connection, at most ${BUDGET.preview} statements`, async () => {
    const { connections, queries, out } = await counted(['invoice', 'preview', 'Global Corp GmbH', '--change', `${sub}:users=30`, '--json'])
    expect(out.json().status).toBe('preview')
    expect(connections).toBe(1)
    expect(queries).toBeLessThanOrEqual(BUDGET.preview)
  })
})
