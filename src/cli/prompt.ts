// Asking for a missing value (SPEC §2): only on a terminal, never under CI or
// --json, and on stderr so stdout stays clean. Otherwise the command fails with
// exit 2 naming the flag, and never waits for input.
import { invalid } from '../core/errors.js'

export function canPrompt(json: boolean): boolean {
  return !json && process.stdin.isTTY === true && process.stdout.isTTY === true && process.env.CI === undefined
}

export type Choice<V extends string> = { value: V; name: string; description?: string }

export async function selectOrFail<V extends string>(
  options: { json: boolean; flag: string; message: string; choices: Choice<V>[]; hint?: string },
): Promise<V> {
  if (!canPrompt(options.json))
    throw invalid(
      `missing required flag --${options.flag} (${options.choices.map((c) => c.value).join('|')})${options.hint ? `; ${options.hint}` : ''}`,
      { flag: options.flag, choices: options.choices.map((c) => c.value) },
      'MISSING_INPUT',
    )
  const { select } = await import('@inquirer/prompts')
  try {
    return await select<V>({ message: options.message, choices: options.choices }, { output: process.stderr })
  } catch (error) {
    // Ctrl-C at the prompt is the user's answer, not a failure of wsb: "canceled", exit 130 as for any interrupted program.
    if ((error as Error).name !== 'ExitPromptError') throw error
    process.stderr.write('canceled\n')
    throw Object.assign(new Error('canceled'), { code: 'EEXIT', oclif: { exit: 130 } })
  }
}
