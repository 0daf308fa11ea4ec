// Entry point of the bundled CLI: runs oclif, and reports errors that happen
// outside any command (unknown command, bad topic) under the same contract.
import { existsSync, readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { userInfo } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Config, flush, run } from '@oclif/core'
import { reportFailure, toFailure } from './cli/failure.js'
import { guardStdout } from './cli/stdout.js'
import { closest } from './core/suggest.js'
import { refuseCardNumberIn } from './core/card-number.js'
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
 * The stream is wrapped when first used: making it loads Node's stream (and,
 * for a pipe or terminal, net and tty) code, which a run that writes nothing
 * to stderr need not pay for.
 */
function redactStderr(): void {
  const wrap = (stream: NodeJS.WriteStream): NodeJS.WriteStream => {
    const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean
    stream.write = ((chunk: unknown, ...rest: unknown[]) =>
      write(typeof chunk === 'string' ? redact(chunk) : chunk instanceof Uint8Array ? redact(Buffer.from(chunk).toString('utf8')) : chunk, ...rest)) as typeof stream.write
    return stream
  }
  const get = Object.getOwnPropertyDescriptor(process, 'stderr')?.get
  if (get === undefined) {
    wrap(process.stderr)
    return
  }
  let stderr: NodeJS.WriteStream | undefined
  Object.defineProperty(process, 'stderr', { configurable: true, enumerable: true, get: () => (stderr ??= wrap(get.call(process))) })
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

/** Words that can name a command file: no flags, paths or ids. */
const COMMAND_WORD = /^[a-z0-9_][a-z0-9_-]*$/

/**
 * Whether argv names one of wsb's own commands or topics: its first word is a
 * command bundle or a folder of them in dist/commands. Their runs and their
 * help name no plugin's command; `help` and `autocomplete` come from (or talk
 * to) oclif's plugins, and the root help lists the plugins' commands.
 */
function namesOwnCommand(commandsDir: string, argv: string[]): boolean {
  const first = argv[0]
  if (first === undefined || !COMMAND_WORD.test(first) || first === 'help' || first === 'autocomplete') return false
  return existsSync(`${join(commandsDir, first)}.cjs`) || existsSync(join(commandsDir, first))
}

/**
 * What oclif loads its configuration from. For one of our own commands or
 * topics, wsb's package.json without its plugins: finding and reading them
 * (plugin-help, plugin-autocomplete) took a fifth of every cold start, and they
 * serve only `help`, `autocomplete` and the root help, which load them all.
 */
function loadOptions(dir: string, argv: string[]): string | { root: string; pjson: Record<string, unknown>; userPlugins: false } {
  const root = dirname(dirname(fileURLToPath(dir)))
  let pjson: { engines?: { node?: string }; oclif?: { commands?: unknown; plugins?: string[] } }
  try {
    pjson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
  } catch {
    return dir
  }
  warnOnOldNode(pjson.engines?.node)
  if (typeof pjson.oclif?.commands !== 'string' || !namesOwnCommand(join(root, pjson.oclif.commands), argv)) return dir
  return { root, pjson: { ...pjson, oclif: { ...pjson.oclif, plugins: [] } }, userPlugins: false }
}

/**
 * oclif warned when Node does not satisfy the package's engines, with semver
 * loaded for it on every run; wsb's range is a minimum major version (>=20).
 */
function warnOnOldNode(range: string | undefined): void {
  const minimum = /^>=\s*(\d+)$/.exec(range?.trim() ?? '')?.[1]
  if (minimum !== undefined && Number(process.versions.node.split('.')[0]) < Number(minimum))
    process.emitWarning(`Node version must be ${range} to use this CLI. Current node version: ${process.versions.node}`)
}

export async function main(dir: string, options: { development?: boolean } = {}): Promise<void> {
  redactStderr()
  tolerateUnknownUser()
  const argv = process.argv.slice(2)
  guardStdout()
  try {
    // R-PM-2: a card number typed anywhere is refused before oclif reads argv (and DEBUG prints it).
    for (const arg of argv) refuseCardNumberIn(arg)
    await run(argv, options.development ? await developmentOptions(dir) : loadOptions(dir, argv))
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
