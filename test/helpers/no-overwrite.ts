// Refusals of outputs that would overwrite the database or an input (issue 21):
// the contract's error naming both, and nothing written, created or removed.
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'vitest'
import { expectFailure, snapshot } from './abuse.js'
import { type CliResult, cleanEnv, engineDb, WSB, wsb } from './cli.js'

/** wsb with stdin read from a file (`< file`) and/or stdout appended to one (`>> file`), as a shell redirects them. */
export function wsbRedirected(db: string, args: string[], redirect: { stdin?: string; stdoutAppend?: string }): CliResult {
  const stdin = redirect.stdin === undefined ? 'pipe' : openSync(redirect.stdin, 'r')
  const stdout = redirect.stdoutAppend === undefined ? 'pipe' : openSync(redirect.stdoutAppend, 'a')
  try {
    const out = spawnSync(process.execPath, [WSB, ...args], { env: cleanEnv({ WSB_DB: engineDb(db) }), stdio: [stdin, stdout, 'pipe'], encoding: 'utf8', timeout: 60_000 })
    return { code: out.status ?? -1, stdout: out.stdout ?? '', stderr: out.stderr, json: () => JSON.parse(out.stdout) }
  } finally {
    if (typeof stdin === 'number') closeSync(stdin)
    if (typeof stdout === 'number') closeSync(stdout)
  }
}

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
