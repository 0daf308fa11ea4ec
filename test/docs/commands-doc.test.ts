// docs/commands.md is generated from the command definitions (oclif.manifest.json,
// written by `npm run build`) by scripts/docs-commands.mjs; this test keeps the
// committed file equal to what the script renders now, so the reference cannot
// drift from `wsb … --help`. It reads the build: run `npm run build` first.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { commandsDocPath, currentCommandsDoc } from '../../scripts/docs-commands.mjs'

describe('the command reference (docs/commands.md)', () => {
  it('is what `npm run docs` generates from the current commands', () => {
    const generated: string = currentCommandsDoc()
    const committed = readFileSync(commandsDocPath, 'utf8')
    if (committed !== generated) {
      const a = committed.split('\n')
      const b = generated.split('\n')
      const line = a.findIndex((text, index) => text !== b[index])
      expect.fail(
        `docs/commands.md differs from the commands (first at line ${line + 1}: ${JSON.stringify(a[line])} ≠ ${JSON.stringify(b[line])}): run \`npm run docs\` and commit it`,
      )
    }
  })

  it('has a section, usage and every example for each visible command', () => {
    const manifest = JSON.parse(readFileSync(new URL('../../oclif.manifest.json', import.meta.url), 'utf8'))
    const doc = readFileSync(commandsDocPath, 'utf8')
    for (const command of Object.values<any>(manifest.commands).filter((c) => !c.hidden)) {
      const title = `wsb ${command.id.split(':').join(' ')}`
      expect(doc, title).toContain(`### ${title}\n`)
      for (const flag of Object.values<any>(command.flags)) expect(doc, `${title} --${flag.name}`).toContain(`--${flag.name}`)
      for (const example of command.examples ?? []) expect(doc, title).toContain(`$ ${String(example).replace(/<%= config\.bin %>/g, 'wsb')}\n`)
    }
  })
})
