// The painter writes what chalk (level 1, basic colours) wrote for the styles wsb
// uses, so coloured output stays byte for byte the same without chalk's start-up.
import { Chalk } from 'chalk'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { colourEnabled, painter, type Style } from '../../src/render/colour.js'

const styles: Style[] = ['bold', 'dim', 'red', 'green', 'yellow', 'cyan']

describe('colour (SPEC §2)', () => {
  it('each style as chalk at level 1: nested codes reopened, each line closed and reopened (\\n and \\r\\n)', () => {
    const fresh = () => painter(true)
    const chalk = new Chalk({ level: 1 })
    const piece = fc.oneof(
      fc.string(),
      fc.constantFrom('\n', '\r\n', '\r', '\u001b[22m', '\u001b[39m', '\u001b[1m', '\u001b[31m', '', ' '),
    )
    fc.assert(
      fc.property(fc.constantFrom(...styles), fc.array(piece, { maxLength: 8 }), (style, pieces) => {
        const text = pieces.join('')
        expect(fresh()[style](text)).toBe(chalk[style](text))
      }),
      { numRuns: 2000 },
    )
    for (const style of styles) {
      expect(fresh()[style]('a', 'b')).toBe(chalk[style]('a', 'b'))
      expect(fresh()[style](42)).toBe(chalk[style](42))
      expect(fresh().red(fresh()[style]('x\ny'))).toBe(chalk.red(chalk[style]('x\ny')))
    }
  })

  it('no colour: the text as given (NO_COLOR, a pipe, TERM=dumb)', () => {
    expect(colourEnabled({ isTTY: true }, { NO_COLOR: '1', FORCE_COLOR: '1' })).toBe(false)
    expect(colourEnabled({ isTTY: false }, {})).toBe(false)
    expect(colourEnabled({ isTTY: true }, { TERM: 'dumb' })).toBe(false)
    expect(colourEnabled({ isTTY: false }, { FORCE_COLOR: '0' })).toBe(false)
    expect(colourEnabled({ isTTY: true }, { TERM: 'xterm' })).toBe(true)
    const plain = new Chalk({ level: 0 })
    for (const style of styles) {
      expect(painter(false)[style]('a\nb\u001b[39m')).toBe('a\nb\u001b[39m')
      expect(painter(false)[style]('a', 2)).toBe(plain[style]('a', 2))
    }
  })
})
