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

  it('--wide: nothing cut; piped: tab-separated under one header line, numbers raw', () => {
    process.env.WSB_TTY = '1'
    process.env.COLUMNS = '60'
    setWide(true)
    expect(table(head, rows)).toContain('x'.repeat(120))
    process.env.WSB_TTY = '0'
    expect(table(['product', 'capacity'], [['users', 5_000_000]])).toBe('product\tcapacity\nusers\t5000000')
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
