// Issue 15, in a real terminal: output-for-people.test.ts simulates a terminal
// (WSB_TTY=1 COLUMNS=80, stdout a pipe); here wsb runs in an 80-column tmux pane,
// so stdout is a terminal, the width is the one the terminal reports, and
// wrapping is the terminal's own: tmux marks every line it wrapped, and
// `capture-pane -J` joins them back, so a wrapped row shows as a line wider than
// 80 and as fewer joined lines than screen lines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { engineDb, WSB, wsb } from '../helpers/cli.js'
import { hasTmux, noTmux, Tmux } from '../helpers/tmux.js'
import { tempDbPath } from '../helpers/temp.js'

// Names and rows wider than 80 columns when shown in full (invoice list is 137, events 261 …).
const FILE = `version: 1
workspace: { name: Acme, mode: pooled }
organizations: [ { name: Sales }, { name: Research and Development Department of Europe } ]
accounts:
  - { name: Acme Incorporated Holdings International, currency: USD, subscriptions: [ { label: main, items: { users: 100 } } ] }
  - { name: Globex Corporation of the United States, currency: USD, subscriptions: [ { label: second, items: { users: 5 } } ] }
`

/** Columns of a captured line (box drawing and the ellipsis take one each; no wide characters here). */
const columns = (line: string) => [...line.trimEnd()].length

describe.skipIf(!hasTmux)(`list and show commands in a real 80-column terminal (tmux) (issue 15)${noTmux}`, () => {
  let db: string
  let tmux: Tmux
  beforeAll(() => {
    db = tempDbPath()
    expect(wsb(['apply', '-f', '-'], { db, input: FILE }).code).toBe(0)
    const reports = ['Sales', 'Research and Development Department of Europe'].map((org, i) => JSON.stringify({ org, product: 'users', delta: i + 3 })).join('\n')
    expect(wsb(['usage', 'import', '-'], { db, input: reports }).code).toBe(0)
    tmux = new Tmux()
  })
  afterAll(() => tmux?.kill())

  const lists = [['invoice', 'list'], ['sub', 'list'], ['events'], ['usage', 'report', '--by', 'org'], ['account', 'list'], ['price', 'list']]
  it.each(lists.map((args) => [args.join(' '), args]))('%s: every row on one line of at most 80 columns, as many rows as piped output has', async (_name, args) => {
    // Piped, a list is one header line and one line a row: the rows the table must show.
    const piped = wsb(args as string[], { db }).stdout.trimEnd().split('\n')
    expect(piped.length).toBeGreaterThan(1)
    const pane = tmux.start([process.execPath, WSB, ...(args as string[])], { WSB_DB: engineDb(db) })
    expect(await tmux.exited(pane)).toBe(0)
    expect(tmux.format(pane, '#{pane_width}')).toBe('80')
    const joined = tmux.capture(pane, true)
    const screen = tmux.capture(pane, false)
    expect(joined.filter((line) => columns(line) > 80)).toEqual([])
    expect(joined.length).toBe(screen.length)
    // A row of the table is a line starting with │ after the header's ├ rule.
    const body = joined.slice(joined.findIndex((line) => line.startsWith('├')) + 1)
    expect(body.filter((line) => line.startsWith('│'))).toHaveLength(piped.length - 1)
    expect(joined.join('\n')).toContain('┌')
  })

  it('invoice show and the pool report: no line wider than 80, none wrapped', async () => {
    const invoice = wsb(['invoice', 'list', '--json'], { db }).json().invoices[0].id as string
    for (const args of [['invoice', 'show', invoice], ['usage', 'report']]) {
      const pane = tmux.start([process.execPath, WSB, ...args], { WSB_DB: engineDb(db) })
      expect(await tmux.exited(pane)).toBe(0)
      const joined = tmux.capture(pane, true)
      expect(joined.length).toBeGreaterThan(3)
      expect(joined.filter((line) => columns(line) > 80)).toEqual([])
      expect(joined.length).toBe(tmux.capture(pane, false).length)
    }
  })
})
