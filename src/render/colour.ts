// Colour is decided once per stream (SPEC §2): NO_COLOR turns it off, FORCE_COLOR
// turns it on, otherwise it follows whether the stream is a terminal. chalk and
// cli-table3 are both configured from this, so piped output has no escapes.
import { Chalk, type ChalkInstance } from 'chalk'

type Stream = { isTTY?: boolean }

export function colourEnabled(stream: Stream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false
  const force = env.FORCE_COLOR
  if (force !== undefined) return force !== '0' && force !== 'false'
  return stream.isTTY === true && env.TERM !== 'dumb'
}

let stdoutChalk: ChalkInstance | undefined
let stderrChalk: ChalkInstance | undefined

export function paint(): ChalkInstance {
  return (stdoutChalk ??= new Chalk({ level: colourEnabled(process.stdout) ? 1 : 0 }))
}

export function paintErr(): ChalkInstance {
  return (stderrChalk ??= new Chalk({ level: colourEnabled(process.stderr) ? 1 : 0 }))
}
