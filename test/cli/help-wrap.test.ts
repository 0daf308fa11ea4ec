// Issue 15: help text wrapped at word boundaries. Every command's --help at 80
// columns: no line wider than 80, no word split across lines (the words of each
// description, flag summary and example come out whole and in order), and no
// ragged line inside a sentence (a line is broken only when the next word would
// not fit).
import { readFileSync } from 'node:fs'
import stringWidth from 'string-width'
import { describe, expect, it } from 'vitest'
import { wsbAsync } from '../helpers/cli.js'
import { wrapCommand, wrapText } from '../../src/render/help-text.js'

type Flag = { summary?: string; description?: string; hidden?: boolean }
const manifest = JSON.parse(readFileSync(new URL('../../oclif.manifest.json', import.meta.url), 'utf8')) as {
  commands: Record<string, { summary?: string; description?: string; examples?: string[]; flags: Record<string, Flag>; hidden?: boolean }>
}
const pjson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { oclif: { topics: Record<string, unknown> } }

const words = (text: string) => text.replaceAll('<%= config.bin %>', 'wsb').split(/\s+/).filter(Boolean).join(' ')
const WIDTH = 80

/** The lines of one section (FLAGS, DESCRIPTION …) of a help text, up to the next heading. */
function section(help: string, heading: string): string[] {
  const lines = help.split('\n')
  const start = lines.indexOf(heading)
  if (start < 0) return []
  const end = lines.findIndex((line, i) => i > start && /^[A-Z][A-Z ]+$/.test(line))
  return lines.slice(start + 1, end < 0 ? undefined : end)
}

async function help(args: string[]): Promise<string> {
  const out = await wsbAsync([...args, '--help'], { env: { COLUMNS: String(WIDTH) } })
  expect(out.code, args.join(' ')).toBe(0)
  return out.stdout
}

describe('help wrapped at word boundaries (COLUMNS=80)', () => {
  const ids = Object.keys(manifest.commands).filter((id) => !manifest.commands[id]?.hidden)

  it('every command: no line over 80 columns; description, flag summaries and examples come out word for word', async () => {
    expect(ids.length).toBeGreaterThan(40)
    const helps = new Map<string, string>()
    // A few at a time: each is a process start.
    for (let i = 0; i < ids.length; i += 4)
      await Promise.all(ids.slice(i, i + 4).map(async (id) => helps.set(id, await help(id.split(':')))))
    for (const id of ids) {
      const text = helps.get(id) as string
      const command = manifest.commands[id]!
      for (const line of text.split('\n')) expect(stringWidth(line), `${id}: ${line}`).toBeLessThanOrEqual(WIDTH)
      if (command.description) {
        const shown = section(text, 'DESCRIPTION').join('\n')
        expect(words(shown), id).toBe(words(`${command.summary ?? ''}\n${command.description}`))
      }
      const flagText = words([...section(text, 'FLAGS'), ...section(text, 'GLOBAL FLAGS')].join('\n'))
      for (const [name, flag] of Object.entries(command.flags)) {
        if (flag.hidden) continue
        expect(flagText, `${id} --${name}`).toContain(words(flag.summary ?? flag.description ?? ''))
      }
      const examples = words(section(text, 'EXAMPLES').join('\n').replaceAll(/ \\\n/g, '\n'))
      for (const example of command.examples ?? []) expect(examples, id).toContain(words(example.startsWith('<%= config.bin %>') ? `$ ${example}` : example))
    }
  })

  it('the root help and every topic: no line over 80 columns', async () => {
    const topics = Object.keys(pjson.oclif.topics)
    for (const args of [[], ...topics.map((t) => t.split(':'))]) {
      const text = await help(args)
      for (const line of text.split('\n')) expect(stringWidth(line), `${args.join(' ')}: ${line}`).toBeLessThanOrEqual(WIDTH)
    }
  })

  it('a description line is broken only where the next word would not fit, and a sentence ending a source line ends its line', async () => {
    const text = await help(['apply'])
    const lines = section(text, 'DESCRIPTION').filter((line) => line !== '')
    // The source breaks this text at about 100 columns mid-sentence; at 80 every line but the last is full.
    const body = lines.slice(1)
    for (const [i, line] of body.slice(0, -1).entries()) {
      const next = body[i + 1]!.trim().split(' ')[0]!
      expect(stringWidth(line) + 1 + stringWidth(next), line).toBeGreaterThan(WIDTH)
    }
    const usage = section(await help(['usage', 'report']), 'DESCRIPTION').map((line) => line.trim())
    for (const start of ['--by pool (default)', '--by org:', '--org ORG narrows', '--by product:', '--rejections:'])
      expect(usage.some((line) => line.startsWith(start)), start).toBe(true)
  })
})

describe('wrapping rules (render/help-text)', () => {
  it('a table row wraps under its text column; a list item under its text', () => {
    const text = 'Modes:\n  assigned  each top-level organization has its own account and pool (silos, any currency)\n- a list item that is long enough to need a second line, here'
    expect(wrapText(text, 60).split('\n')).toEqual([
      'Modes:',
      '  assigned  each top-level organization has its own account',
      '            and pool (silos, any currency)',
      '- a list item that is long enough to need a second line,',
      '  here',
    ])
  })

  it('a word longer than the width stays whole on its own line', () => {
    expect(wrapText('see https://example.com/a/very/long/path/that/cannot/fit here', 20).split('\n')).toEqual([
      'see',
      'https://example.com/a/very/long/path/that/cannot/fit',
      'here',
    ])
  })

  it('a long command breaks between arguments, never inside quotes, each broken line ending in a backslash', () => {
    expect(wrapCommand('$ wsb workspace create "Franchise CI" --mode pooled --test-clock --clock-start 2026-01-01', 40).split('\n')).toEqual([
      '$ wsb workspace create "Franchise CI" \\',
      '    --mode pooled --test-clock \\',
      '    --clock-start 2026-01-01',
    ])
  })
})
