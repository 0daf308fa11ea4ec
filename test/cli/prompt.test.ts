// On a real terminal (a pty made by `script`), a missing --mode is asked for.
import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { tempDbPath } from '../helpers/temp.js'
import { cleanEnv, engineDb, WSB, wsb } from '../helpers/cli.js'

const hasScript = spawnSync('script', ['--version']).status === 0

describe.runIf(hasScript)('prompting on a terminal', () => {
  it('workspace create without --mode asks, explains that the mode is permanent, and uses the answer', () => {
    const db = tempDbPath()
    // Down arrow once (assigned), then Enter; typed slowly into the pty.
    const keys = `sleep 2; printf '\\033[B'; sleep 0.5; printf '\\r'; sleep 2`
    const command = `${process.execPath} ${WSB} workspace create Prompted`
    const out = spawnSync('bash', ['-c', `(${keys}) | script -qfec "${command}" /dev/null`], {
      env: cleanEnv({ WSB_DB: engineDb(db), TERM: 'xterm' }),
      encoding: 'utf8',
      timeout: 30_000,
    })
    expect(out.stdout).toContain('permanent')
    expect(out.stdout).toContain('Each top-level organization has its own account')
    const shown = wsb(['workspace', 'show', 'Prompted', '--json'], { db })
    expect(shown.json().mode).toBe('assigned')
  })
})
