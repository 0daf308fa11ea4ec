// Help renders each string through EJS only when it holds a tag (cli/help.ts
// withLiterals): every other string must come out exactly as EJS gives it, so
// the help text is the same, only made faster.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { withLiterals } from '../../src/cli/help.js'

const ejs = createRequire(import.meta.url)('ejs') as { render: (template: string, data: object) => string }
const context = { config: { bin: 'wsb' }, command: { id: 'usage:record' } }
const render = (input: string) => ejs.render(input, context)
const manifest = JSON.parse(readFileSync(new URL('../../oclif.manifest.json', import.meta.url), 'utf8')) as { commands: Record<string, Record<string, unknown>> }

/** Every string in the manifest: summaries, descriptions, examples, flag and argument texts. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value]
  if (Array.isArray(value)) return value.flatMap(strings)
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings)
  return []
}

describe('help rendering', () => {
  it('every string of every command renders as EJS renders it', () => {
    const all = strings(manifest.commands)
    expect(all.length).toBeGreaterThan(500)
    const fast = withLiterals(render)
    for (const text of all) expect(fast(text), text).toBe(render(text))
  })

  it('any text without a tag renders as itself through EJS too; text with one still goes through EJS', () => {
    const fast = withLiterals(render)
    const piece = fc.oneof(fc.string(), fc.constantFrom('<', '%', '>', '%%>', '<%%', '-%>', '_%>', '\n', '\r\n', '\\', '"', "'", '$'))
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }), (pieces) => {
        const text = pieces.join('')
        let expected: string
        try {
          expected = render(text)
        } catch {
          return // not a template EJS accepts: withLiterals sends it to EJS, which throws the same
        }
        expect(fast(text)).toBe(expected)
      }),
      { numRuns: 5_000 },
    )
    expect(fast('<%= config.bin %> usage record')).toBe('wsb usage record')
  })
})
