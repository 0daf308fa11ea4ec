// Colour is decided once per stream (SPEC §2): NO_COLOR turns it off, FORCE_COLOR
// turns it on, otherwise it follows whether the stream is a terminal. The painter
// and cli-table3 are both configured from this, so piped output has no escapes.
// The six styles wsb uses, written as chalk writes them with basic colours (its
// level 1): every command loads this module, and chalk brought its colour
// detection (node:tty, with net and streams) into each start-up.

type Stream = { isTTY?: boolean }

export function colourEnabled(stream: Stream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false
  const force = env.FORCE_COLOR
  if (force !== undefined) return force !== '0' && force !== 'false'
  return stream.isTTY === true && env.TERM !== 'dumb'
}

/** SGR codes that open and close each style (chalk's ansi-styles). */
const STYLES = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
} as const

export type Style = keyof typeof STYLES
export type Paint = (...text: unknown[]) => string
export type Painter = Record<Style, Paint>

/** Each `close` already in the text is followed by `open` again, so the text after it keeps the style. */
function reopenAfter(text: string, close: string, open: string): string {
  return text.split(close).join(close + open)
}

/** Each line is closed before its line break (\n or \r\n) and opened again after it. */
function perLine(text: string, open: string, close: string): string {
  return text.replace(/\r?\n/g, (lineBreak) => `${close}${lineBreak}${open}`)
}

function style(name: Style, enabled: boolean): Paint {
  const [on, off] = STYLES[name]
  const open = `\u001b[${on}m`
  const close = `\u001b[${off}m`
  return (...parts) => {
    const text = parts.length === 1 ? `${parts[0]}` : parts.join(' ')
    if (!enabled || !text) return text
    let body = text.includes('\u001b') ? reopenAfter(text, close, open) : text
    if (body.includes('\n')) body = perLine(body, open, close)
    return open + body + close
  }
}

/** The styles, coloured or (enabled false) giving back the text as given. */
export function painter(enabled: boolean): Painter {
  const names = Object.keys(STYLES) as Style[]
  return Object.fromEntries(names.map((name) => [name, style(name, enabled)])) as Painter
}

let stdoutPainter: Painter | undefined
let stderrPainter: Painter | undefined

export function paint(): Painter {
  return (stdoutPainter ??= painter(colourEnabled(process.stdout)))
}

export function paintErr(): Painter {
  return (stderrPainter ??= painter(colourEnabled(process.stderr)))
}
