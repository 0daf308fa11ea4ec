// R-WS-2: a workspace never shows another workspace's objects. A usage report
// that names another workspace's org id is refused NOT_FOUND; its ledger row
// keeps the text as given, so this workspace's events must not resolve it to
// the other workspace's name, and no JSON field called orgId may hold it.
import { beforeAll, describe, expect, it } from 'vitest'
import { wsb } from '../helpers/cli.js'
import { tempDbPath } from '../helpers/temp.js'

describe('references to another workspace (R-WS-2)', () => {
  const db = tempDbPath()
  let foreignOrg = ''
  const ok = (args: string[]) => {
    const run = wsb(args, { db })
    if (run.code !== 0) throw new Error(`wsb ${args.join(' ')} failed (${run.code}): ${run.stdout}${run.stderr}`)
    return run
  }

  beforeAll(() => {
    for (const name of ['Alpha', 'Beta']) {
      ok(['workspace', 'create', name, '--mode', 'single', '--json'])
      ok(['org', 'create', `${name} Team`, '-w', name])
    }
    foreignOrg = ok(['org', 'show', 'Beta Team', '-w', 'Beta', '--json']).json().id
  })

  it('R-WS-2 R-USE-1 an org id of another workspace is NOT_FOUND, and this workspace\'s events neither name it nor call the text an id', () => {
    const refused = wsb(['usage', 'record', '-w', 'Alpha', '--org', foreignOrg, '--product', 'users', '--delta', '1', '--json'], { db })
    expect(refused.code).toBe(3)
    const error = refused.json().error
    expect(error.code).toBe('NOT_FOUND')
    expect(error.details).toMatchObject({ kind: 'organization', ref: foreignOrg, orgId: null })

    const events = ok(['events', '-w', 'Alpha', '--json']).json().events as { kind: string; refs: Record<string, unknown>; names: Record<string, string> }[]
    const rejected = events.filter((e) => e.refs.orgRef === foreignOrg)
    expect(rejected).toHaveLength(1)
    expect(rejected[0]?.refs.orgId).toBeNull()
    expect(JSON.stringify(events)).not.toContain('Beta Team')
    const human = ok(['events', '-w', 'Alpha']).stdout
    expect(human).not.toContain('Beta Team')
  })

  it('R-USE-1 an unknown org name: details.orgId is null and the text is details.ref; events keep the text as orgRef', () => {
    const refused = wsb(['usage', 'record', '-w', 'Alpha', '--org', 'Location 9', '--product', 'users', '--delta', '1', '--json'], { db })
    expect(refused.code).toBe(3)
    expect(refused.json().error.details).toMatchObject({ kind: 'organization', ref: 'Location 9', orgId: null })
    const events = ok(['events', '-w', 'Alpha', '--json']).json().events as { refs: Record<string, unknown> }[]
    expect(events.filter((e) => e.refs.orgRef === 'Location 9').map((e) => e.refs.orgId)).toEqual([null])
    // A refusal for an unknown product keeps the org's real id.
    const own = ok(['org', 'show', 'Alpha Team', '-w', 'Alpha', '--json']).json().id
    const product = wsb(['usage', 'record', '-w', 'Alpha', '--org', 'Alpha Team', '--product', 'seats', '--delta', '1', '--json'], { db })
    expect(product.json().error.details).toMatchObject({ kind: 'product', orgId: own })
  })
})
