// Help text wrapped at word boundaries (issue 15). Descriptions are written in
// the source with line breaks at about 100 columns; wrapping each such line
// again at the terminal's width left a short ragged line after every one. Here
// a sentence that continues on the next source line is joined first, then the
// text is wrapped word by word; a line that ends a sentence, an indented table
// row or a list item keeps its own line (rows wrap under their text column).
import stringWidth from 'string-width'

/** Ends a sentence or introduces what follows: the next source line starts a new line. */
const ENDS_LINE = /[.:?!"'…]$/
/** A table row ("  single    one billing account") or a list item ("- x", "• x"): its text column. */
const ROW = /^(\s+\S+\s{2,}|\s*[-*•]\s+)/

const standsAlone = (line: string) => /^\s/.test(line) || ROW.test(line)

/** Source lines → logical lines: continued sentences joined; blank lines kept. */
export function reflow(text: string): string[] {
  const lines: string[] = []
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trimEnd()
    const previous = lines.at(-1)
    if (line === '' || previous === undefined || previous === '' || standsAlone(line) || standsAlone(previous) || ENDS_LINE.test(previous))
      lines.push(line)
    else lines[lines.length - 1] = `${previous} ${line.trim()}`
  }
  return lines
}

/** One logical line wrapped at `width` columns between words; a row's continuation lines hang under its text. */
export function wrapLine(line: string, width: number): string[] {
  if (stringWidth(line) <= width) return [line]
  const lead = ROW.exec(line)?.[0] ?? /^\s*/.exec(line)?.[0] ?? ''
  const hang = ' '.repeat(stringWidth(lead))
  const words = line.slice(lead.length).split(/ +/).filter(Boolean)
  const out: string[] = []
  let current = lead
  let empty = true
  for (const word of words) {
    const candidate = empty ? `${current}${word}` : `${current} ${word}`
    // A word longer than the line stays whole: words are never broken.
    if (stringWidth(candidate) <= width || empty) {
      current = candidate
      empty = false
    } else {
      out.push(current)
      current = `${hang}${word}`
    }
  }
  out.push(current)
  return out
}

/** Text (several source lines) wrapped to `width` columns. */
export function wrapText(text: string, width: number): string {
  return reflow(text)
    .flatMap((line) => (line === '' ? [''] : wrapLine(line, width)))
    .join('\n')
}

/**
 * A shell command wrapped to `width` columns between arguments (never inside a
 * quoted one), each broken line ending in " \" and the rest indented, so it can
 * still be pasted as it is.
 */
export function wrapCommand(command: string, width: number): string {
  if (stringWidth(command) <= width) return command
  const words = command.match(/(?:[^\s"']+|"[^"]*"|'[^']*')+/g) ?? [command]
  const lines: string[] = []
  let current = ''
  for (const word of words) {
    const indent = lines.length === 0 ? '' : '    '
    const candidate = current === '' ? `${indent}${word}` : `${current} ${word}`
    // Room for the " \" that ends a broken line.
    if (current === '' || stringWidth(candidate) + 2 <= width) current = candidate
    else {
      lines.push(`${current} \\`)
      current = `    ${word}`
    }
  }
  lines.push(current)
  return lines.join('\n')
}
