// Where human output goes decides its form (issue 15): on a terminal, tables fit
// its width and numbers are grouped; piped, lists are plain tab-separated columns
// and numbers stay raw, so cut/awk/spreadsheets read them.
//
// WSB_TTY=1 (or 0) overrides the terminal check: for tests, which run the CLI with
// pipes. A pty (`script -qc`) is the real thing but needs util-linux, a shell and
// seconds per run on a loaded machine; the renderer's decision is the same code
// either way, and COLUMNS gives the simulated width.
import { createRequire } from 'node:module'

// string-width (and cli-table3, which uses it; render/table.ts) load on first
// use, not with every command through the base command: a command that prints
// JSON, one plain ASCII line or nothing never evaluates them (cold start,
// bench/coldstart.ts). A required package stays outside the bundles and loads
// from node_modules, as the migrator does (core/store/migrate.ts).
let required: NodeJS.Require | undefined
export const load = (id: string): unknown => (required ??= createRequire(import.meta.url))(id)
let measure: ((text: string) => number) | undefined
const stringWidth = (text: string): number => (measure ??= load('string-width') as typeof import('string-width'))(text)
/** Printable ASCII only: one column a character, no need to measure. */
const PLAIN = /^[\x20-\x7e]*$/

let wide = false

/** --wide: every column in full, whatever the width; on a terminal, tables as one field a line per record. */
export function setWide(value: boolean): void {
  wide = value
}

export const isWide = (): boolean => wide

export function onTerminal(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.WSB_TTY === '1') return true
  if (env.WSB_TTY === '0') return false
  return process.stdout.isTTY === true
}

/** The width to fit: the terminal's, else COLUMNS, else 80; unlimited when piped or --wide. */
export function outputWidth(env: NodeJS.ProcessEnv = process.env): number {
  return wide ? Number.POSITIVE_INFINITY : terminalWidth(env)
}

/** The terminal's width whatever --wide says (text wrapped between words loses nothing); unlimited when piped. */
export function terminalWidth(env: NodeJS.ProcessEnv = process.env): number {
  if (!onTerminal(env)) return Number.POSITIVE_INFINITY
  const columns = process.stdout.isTTY ? process.stdout.columns : undefined
  const fromEnv = Number(env.COLUMNS)
  return columns && columns > 0 ? columns : Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 80
}

const ANSI = /\u001b\[[0-9;]*m/g

/** Columns a terminal gives the text: colour escapes take none, CJK and other wide characters two (string-width). */
export const visibleLength = (text: string): number => (PLAIN.test(text) ? text.length : stringWidth(text))

/** One line cut to `width` columns, the last one an ellipsis; colour escapes kept and reset; a wide character never cut in half. */
export function truncate(text: string, width: number): string {
  if (visibleLength(text) <= width) return text
  if (width <= 0) return ''
  let out = ''
  let shown = 0
  let coloured = false
  for (let i = 0; i < text.length; ) {
    const match = text[i] === '\u001b' ? /^\u001b\[[0-9;]*m/.exec(text.slice(i)) : null
    if (match) {
      out += match[0]
      coloured = true
      i += match[0].length
      continue
    }
    const char = String.fromCodePoint(text.codePointAt(i) as number)
    const columns = visibleLength(char)
    if (shown + columns > width - 1) break
    out += char
    shown += columns
    i += char.length
  }
  return `${out}…${coloured ? '\u001b[0m' : ''}`
}

/**
 * `lead` then `text`, wrapped between words at the terminal's width (--wide too: nothing is lost), each further
 * line indented under the text (a key: value line whose value is long). Words
 * are never broken; each line of `text` starts a line of its own.
 */
export function hangingWrap(lead: string, text: string): string {
  const width = terminalWidth()
  const hang = ' '.repeat(visibleLength(lead))
  const out: string[] = []
  for (const [n, part] of text.split('\n').entries()) {
    let line = n === 0 ? lead : hang
    let empty = true
    // A word in parentheses stays with the one before it: "Acme (acct_…)" is never parted from its name.
    const words = part.split(/ +/).reduce<string[]>((all, word) => (word.startsWith('(') && all.length ? [...all.slice(0, -1), `${all.at(-1)} ${word}`] : [...all, word]), [])
    for (const word of words) {
      const candidate = empty ? `${line}${word}` : `${line} ${word}`
      if (empty || visibleLength(candidate) <= width) line = candidate
      else {
        out.push(line)
        line = `${hang}${word}`
      }
      empty = false
    }
    out.push(line)
  }
  return out.join('\n')
}

/** Every line of a text fitted to the output width (a safety net below the tables' own fitting). */
export function fitLines(text: string): string {
  const width = outputWidth()
  if (!Number.isFinite(width)) return text
  return text
    .split('\n')
    .map((line) => truncate(line, width))
    .join('\n')
}

/** Made on first use: building a number format costs every command's start-up ~5 ms (ICU). */
let grouping: Intl.NumberFormat | undefined

/** A number for people: digit grouping on a terminal (5,000,000), raw when piped. */
export const num = (value: number): string =>
  onTerminal() ? (grouping ??= new Intl.NumberFormat('en-US', { maximumFractionDigits: 20 })).format(value) : String(value)

/**
 * One page of a streamed list, from its table text. Piped, pages after the
 * first are more tab-separated rows under the one header; on a terminal each
 * page is its own table, fitted to the width (or, with --wide, more records).
 */
export function pageOf(tableText: string, options: { header: boolean }): string {
  if (!onTerminal()) return options.header ? tableText : tableText.slice(tableText.indexOf('\n') + 1)
  // --wide on a terminal prints records: a blank line parts a page's first from the last one before it.
  return `${wide && !options.header ? '\n' : ''}${fitLines(tableText)}`
}
