// Every command documents itself: summary, examples, and the global flags.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { wsb } from '../helpers/cli.js'

const manifest = JSON.parse(readFileSync(new URL('../../oclif.manifest.json', import.meta.url), 'utf8')) as {
  commands: Record<string, { summary?: string; examples?: string[]; flags: Record<string, unknown> }>
}

describe('help', () => {
  it('wsb --help lists the topics', () => {
    const out = wsb(['--help'])
    expect(out.code).toBe(0)
    for (const topic of ['workspace', 'org', 'account', 'events']) expect(out.stdout).toContain(topic)
  })

  it('every command has a summary, examples, --json and --db', () => {
    // autocomplete is @oclif/plugin-autocomplete's command, wrapped (it opens no database and prints no data).
    // serve is a server: what it prints is a log, one line per event (--log-format json), never one document.
    const ids = Object.keys(manifest.commands).filter((id) => id !== 'autocomplete')
    expect(ids.length).toBeGreaterThan(10)
    for (const id of ids) {
      const command = manifest.commands[id]
      expect(command?.summary, id).toBeTruthy()
      expect(command?.examples?.length, id).toBeGreaterThan(0)
      expect(Object.keys(command?.flags ?? {}), id).toEqual(expect.arrayContaining(id === 'serve' ? ['log-format', 'db'] : ['json', 'db']))
    }
  })

  it('a command --help shows its examples and flags', () => {
    const out = wsb(['org', 'limit', 'set', '--help'])
    expect(out.code).toBe(0)
    expect(out.stdout).toContain('EXAMPLES')
    expect(out.stdout).toContain('users=80 locations=30')
    expect(out.stdout).toContain('--workspace')
  })
})
