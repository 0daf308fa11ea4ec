// Entry point of the bundled CLI: runs oclif, and reports errors that happen
// outside any command (unknown command, bad topic) under the same contract.
import { readFile } from 'node:fs/promises'
import { userInfo } from 'node:os'
import { fileURLToPath } from 'node:url'
import { Config, flush, run } from '@oclif/core'
import { reportFailure, toFailure } from './cli/failure.js'
import { guardStdout } from './cli/stdout.js'
import { closest } from './core/suggest.js'
import { ExitCode } from './core/errors.js'
import { redact } from './core/redact.js'
import { paintErr } from './render/colour.js'

/**
 * Development runs the TypeScript commands in src/ (bin/dev.js loads tsx): the
 * root is src/, where no built manifest exists, so oclif discovers them there.
 */
async function developmentOptions(dir: string) {
  const pjson = JSON.parse(await readFile(fileURLToPath(new URL('../package.json', dir)), 'utf8'))
  pjson.oclif.commands = './commands'
  pjson.oclif.helpClass = './cli/help.ts'
  return { root: fileURLToPath(new URL('../src', dir)), pjson }
}

/**
 * Everything written to stderr passes the one redaction point: oclif's and the
 * SDKs' debug loggers echo argv (a card number typed by mistake) and options.
 */
function redactStderr(): void {
  const write = process.stderr.write.bind(process.stderr) as (chunk: unknown, ...rest: unknown[]) => boolean
  process.stderr.write = ((chunk: unknown, ...rest: unknown[]) =>
    write(typeof chunk === 'string' ? redact(chunk) : chunk instanceof Uint8Array ? redact(Buffer.from(chunk).toString('utf8')) : chunk, ...rest)) as typeof process.stderr.write
}

/**
 * oclif reads the login shell from the password database when SHELL is unset,
 * and that throws for a uid without an entry (containers run as an arbitrary
 * uid, cron, setpriv). wsb never starts a shell, so an unknown one is enough.
 */
function tolerateUnknownUser(): void {
  if (process.env.SHELL !== undefined) return
  try {
    userInfo()
  } catch {
    process.env.SHELL = ''
  }
}

export async function main(dir: string, options: { development?: boolean } = {}): Promise<void> {
  redactStderr()
  tolerateUnknownUser()
  const argv = process.argv.slice(2)
  guardStdout()
  try {
    await run(argv, options.development ? await developmentOptions(dir) : dir)
    await flush()
  } catch (error) {
    const failure = toFailure(error)
    if (failure.code === 'EXIT') {
      process.exitCode = failure.exitCode
      return
    }
    const unknown = /command (\S+) not found/.exec(failure.message)
    if (unknown?.[1]) {
      failure.code = 'UNKNOWN_COMMAND'
      failure.exitCode = ExitCode.invalidInput
      Object.assign(failure, await explainUnknown(unknown[1], dir))
    }
    process.exitCode = failure.exitCode
    reportFailure(failure, argv.includes('--json'), error, (text) => paintErr().red(text))
  }
}

/**
 * What was typed, in words: a flag before the command, or the known command
 * that extra words followed ("org list extra": org list takes no such argument).
 */
async function explainUnknown(id: string, dir: string): Promise<{ message: string; details: Record<string, unknown> }> {
  if (id.startsWith('-'))
    return { message: `"${id}" comes before any command; flags go after the command (wsb COMMAND ${id}); see wsb --help`, details: { flag: id } }
  const words = id.split(':')
  let known: string | undefined
  let commandIds: string[] | undefined
  try {
    const config = await Config.load(dir)
    commandIds = config.commandIDs
    for (let n = words.length - 1; n > 0 && !known; n--) if (config.findCommand(words.slice(0, n).join(':'))) known = words.slice(0, n).join(' ')
  } catch {
    // Explaining is best effort; the command is unknown either way.
  }
  const typed = words.join(' ')
  const guess = commandIds === undefined ? undefined : closest(id, commandIds)
  if (guess) return { message: `unknown command "${typed}"; did you mean "${guess.replaceAll(':', ' ')}"? See wsb --help`, details: { command: typed, suggestion: guess.replaceAll(':', ' ') } }
  if (!known) {
    if (guess) return { message: `unknown command "${typed}"; did you mean "${guess.replaceAll(':', ' ')}"? See wsb --help`, details: { command: typed, suggestion: guess.replaceAll(':', ' ') } }
    return { message: `unknown command "${typed}"; see wsb --help`, details: { command: typed } }
  }
  const extra = typed.slice(known.length + 1)
  return { message: `"${known}" does not take "${extra}"; see wsb ${known} --help`, details: { command: known, unexpected: extra } }
}
