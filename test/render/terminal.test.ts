// Issue 15: the renderer's terminal decisions, in process (WSB_TTY stands for a terminal).
import { afterEach, describe, expect, it } from 'vitest'
import { table } from '../../src/render/table.js'
import { num, setWide, truncate, visibleLength } from '../../src/render/terminal.js'

const saved = { tty: process.env.WSB_TTY, columns: process.env.COLUMNS }
afterEach(() => {
  for (const [key, value] of [['WSB_TTY', saved.tty], ['COLUMNS', saved.columns]] as const)
    if (value === undefined) delete process.env[key]
    else process.env[key] = value
  setWide(false)
})

describe('tables that fit (issue 15)', () => {
  const head = ['id', 'account', 'status', 'note']
  const rows = [['inv_04k7hyc6hwrh', 'Franchisee A with a long legal name GmbH', 'paid', 'x'.repeat(120)]]

  it('on a 60-column terminal: every line at most 60, the kept id whole, the long cells cut with an ellipsis', () => {
    process.env.WSB_TTY = '1'
    process.env.COLUMNS = '60'
    const lines = table(head, rows, { keep: [0, 2] }).split('\n')
    expect(Math.max(...lines.map(visibleLength))).toBeLessThanOrEqual(60)
    expect(lines.join('\n')).toContain('inv_04k7hyc6hwrh')
    expect(lines.join('\n')).toContain('…')
    expect(lines).toHaveLength(5)
  })

  it('--wide: nothing cut; on a terminal one field a line per record (issue 25); piped: tab-separated under one header line, numbers raw', () => {
    process.env.WSB_TTY = '1'
    process.env.COLUMNS = '60'
    setWide(true)
    const wide = table(head, [...rows, ['inv_2', 'Globex', 'open', 'y']])
    expect(wide).toContain('x'.repeat(120))
    expect(wide).not.toMatch(/[│┌]/)
    expect(wide.split('\n\n')).toHaveLength(2)
    expect(wide.split('\n').slice(0, 3)).toEqual(['id:      inv_04k7hyc6hwrh', 'account: Franchisee A with a long legal name GmbH', 'status:  paid'])
    process.env.WSB_TTY = '0'
    expect(table(['product', 'capacity'], [['users', 5_000_000]])).toBe('product\tcapacity\nusers\t5000000')
  })

  it('issue 25: one field a line: a row that leaves its name blank as a repeat of the row above says the name again (not "—")', () => {
    process.env.WSB_TTY = '1'
    process.env.COLUMNS = '80'
    setWide(true)
    const text = table(['organization', 'product', 'used'], [['Sales', 'locations', 1], ['', 'users', 2], ['Ops', '—', '']], { keep: [0, 1] })
    expect(text.split('\n\n').map((record) => record.split('\n')[0])).toEqual(['organization: Sales', 'organization: Sales', 'organization: Ops'])
    expect(text.split('\n\n')[2]).toContain('product:      —')
  })

  it('issue 25: identifying columns are never cut; columns blank in every row give way first, then numbers leave whole, never cut', () => {
    process.env.WSB_TTY = '1'
    process.env.COLUMNS = '80'
    const ids = ['acct_n202g4jj0p4k', 'acct_x9y8z7w6v5u4']
    const rows = ids.map((id, i) => [id, i ? 'Franchisee B' : 'Franchisee A', '—', 0, 'a note that may be cut '.repeat(3), 123_456_789])
    const text = table(['id', 'name', 'country', 'limit', 'note', 'amount'], rows, { keep: [0, 1], align: ['left', 'left', 'left', 'right', 'left', 'right'] })
    const lines = text.split('\n')
    expect(Math.max(...lines.map(visibleLength))).toBeLessThanOrEqual(80)
    for (const [i, id] of ids.entries()) expect(lines.find((line) => line.includes(id))).toContain(rows[i]?.[1])
    // The blank country and limit columns left; the note was cut, the amount kept whole.
    expect(lines[1]).not.toContain('country')
    expect(lines[1]).not.toContain('limit')
    expect(text).toContain('123,456,789')
    expect(text).toContain('…')
    expect(text).toContain('(country, limit not shown at this width; --wide shows every column)')
  })

  it('issue 25: when even the identifying columns do not fit, each row is a record: nothing is cut', () => {
    process.env.WSB_TTY = '1'
    process.env.COLUMNS = '40'
    const text = table(['id', 'name', 'status'], [['acct_n202g4jj0p4k', 'Research and Development Europe', 'active']], { keep: [0, 1] })
    expect(text).toBe('id:     acct_n202g4jj0p4k\nname:   Research and Development Europe\nstatus: active')
  })

  it('digit grouping for people at a terminal only', () => {
    process.env.WSB_TTY = '1'
    expect(num(5_000_000)).toBe('5,000,000')
    process.env.WSB_TTY = '0'
    expect(num(5_000_000)).toBe('5000000')
  })

  it('truncate keeps colour escapes and resets them after the ellipsis', () => {
    expect(truncate('\u001b[31mabcdef\u001b[39m', 4)).toBe('\u001b[31mabc…\u001b[0m')
    expect(truncate('abc', 4)).toBe('abc')
  })
})

describe('wide characters (issue 15, on the demo: グローバル株式会社 at 80 columns)', () => {
  it('CJK takes two columns: a kept Japanese name stays whole and the table still fits; a cut never halves a character', () => {
    process.env.WSB_TTY = '1'
    process.env.COLUMNS = '60'
    expect(visibleLength('グローバル株式会社')).toBe(18)
    expect(visibleLength('\u001b[1m製品部\u001b[22m')).toBe(6)
    const lines = table(['id', 'name', 'note'], [['acct_c13m18wpf0ac', 'グローバル株式会社', 'x'.repeat(80)]], { keep: [0, 1] }).split('\n')
    expect(lines.join('\n')).toContain('グローバル株式会社')
    expect(Math.max(...lines.map(visibleLength))).toBeLessThanOrEqual(60)
    // 5 columns: two wide characters (4) and the ellipsis; a third would need 6.
    expect(truncate('製品部門です', 5)).toBe('製品…')
    expect(visibleLength(truncate('製品部門です', 6))).toBeLessThanOrEqual(6)
  })
})
