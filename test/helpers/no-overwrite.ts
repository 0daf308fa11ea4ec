// Refusals of outputs that would overwrite the database or an input (issue 21):
// the contract's error naming both, and nothing written, created or removed.
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'vitest'
import { expectFailure, snapshot } from './abuse.js'
import { type CliResult, wsb } from './cli.js'

/** Every file of `dir` with the hash of its bytes: equal before and after when nothing was written, created or removed. */
export function folder(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).sort().map((name) => [name, createHash('sha256').update(readFileSync(join(dir, name))).digest('hex')]))
}

/** Runs `args` (with and without --json), expecting the refusal naming `output` and `guarded`, with nothing written anywhere. */
export function expectRefused(db: string, dirs: string[], args: string[], output: string, guarded: string, run: (args: string[]) => CliResult = (a) => wsb(a, { db })) {
  const before = { state: snapshot(db), files: dirs.map(folder) }
  for (const json of [true, false]) {
    const out = run(json ? [...args, '--json'] : args)
    const error = expectFailure(out, { exit: 2, code: 'INVALID_INPUT' }, args.join(' '))
    expect(error.message, args.join(' ')).toContain(output)
    expect(error.message, args.join(' ')).toContain(guarded)
    expect(error.message).toContain('never writes over the database or a file it reads')
  }
  expect(snapshot(db), `${args.join(' ')}: the database must not change`).toEqual(before.state)
  expect(dirs.map(folder), `${args.join(' ')}: nothing written, created or removed`).toEqual(before.files)
}
