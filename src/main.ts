// Entry point of the bundled CLI: runs oclif, and reports errors that happen
// outside any command (unknown command, bad topic) under the same contract.
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { flush, run } from '@oclif/core'
import { reportFailure, toFailure } from './cli/failure.js'
import { ExitCode } from './core/errors.js'
import { cardRefusal, looksLikeCardNumber } from './core/payments/cards.js'
import { paintErr } from './render/colour.js'

/**
 * Development runs the TypeScript commands in src/ (bin/dev.js loads tsx): the
 * root is src/, where no built manifest exists, so oclif discovers them there.
 */
async function developmentOptions(dir: string) {
  const pjson = JSON.parse(await readFile(fileURLToPath(new URL('../package.json', dir)), 'utf8'))
  pjson.oclif.commands = './commands'
  return { root: fileURLToPath(new URL('../src', dir)), pjson }
}

export async function main(dir: string, options: { development?: boolean } = {}): Promise<void> {
  const argv = process.argv.slice(2)
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0)
    throw error
  })
  try {
    await run(argv, options.development ? await developmentOptions(dir) : dir)
    await flush()
  } catch (error) {
    const failure = toFailure(error)
    if (failure.code === 'EXIT') {
      process.exitCode = failure.exitCode
      return
    }
    if (/command .* not found/.test(failure.message)) {
      failure.code = 'UNKNOWN_COMMAND'
      failure.exitCode = ExitCode.invalidInput
      failure.message = `${failure.message}; see wsb --help`
    }
    process.exitCode = failure.exitCode
    reportFailure(failure, argv.includes('--json'), error, (text) => paintErr().red(text))
  }
}
