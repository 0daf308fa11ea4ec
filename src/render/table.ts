// Tables for humans (cli-table3), coloured only when stdout allows colour.
// On a terminal a table fits its width, and what identifies a row stays whole:
// columns empty in every row give way first, then the columns a renderer names
// as least useful, then text columns are cut with an ellipsis (never a number:
// a cut number reads as another one), then whole columns are left out with a
// note naming them. When even the columns to keep do not fit, or with --wide,
// each row is printed as a record, one field a line (as `kubectl describe` or
// psql's \x), so nothing is cut and no row wraps. Piped, a list is plain
// tab-separated columns under one header line (as gh does): no box drawing, no
// padding, numbers raw.
import { colourEnabled, paint } from './colour.js'
import { hangingWrap, isWide, load, num, onTerminal, outputWidth, truncate, visibleLength } from './terminal.js'

export type Cell = string | number | null | undefined

export type TableOptions = {
  align?: ('left' | 'right')[]
  /** Columns that identify a row (names, ids a command takes): never cut, left out only when `drop` names them. */
  keep?: number[]
  /** Columns never cut but left out when there is no room (quantities written as text); right-aligned ones are too. */
  whole?: number[]
  /** Columns left out, in this order, while the table cannot fit otherwise (--wide shows them). */
  drop?: number[]
}

/** The narrowest a text column is cut to before whole columns are left out. */
const MIN_COLUMN = 10

const text = (cell: Cell): string => (cell === null || cell === undefined ? '' : typeof cell === 'number' ? num(cell) : cell)

const ANSI = /\u001b\[[0-9;]*m/g
/** A cell that says nothing: empty, a dash, or zero. */
const blank = (cell: string) => ['', '—', '-', '0'].includes(cell.replace(ANSI, '').trim())

/** The width of a table whose columns have these content widths: │ cell │ cell │ is 3 per column plus 1. */
const tableWidth = (widths: number[]) => widths.reduce((sum, w) => sum + w + 3, 1)

export function table(head: string[], rows: Cell[][], options: TableOptions = {}): string {
  if (!onTerminal()) return tabSeparated(head, rows)
  const all = rows.map((row) => row.map(text))
  if (isWide()) return records(head, all, options.keep)
  const layout = fit(head, all, outputWidth(), options)
  if (layout === undefined) return records(head, all, options.keep)
  const { shown, widths } = layout
  const pick = <T>(row: T[]) => shown.map((i) => row[i] as T)
  const colour = colourEnabled(process.stdout)
  // Loaded here, on a terminal only: piped lists and JSON never need it (render/terminal.ts).
  const Table = load('cli-table3') as typeof import('cli-table3')
  const t = new Table({
    head: pick(head).map((h, i) => paint().bold(truncate(h, widths[i] as number))),
    style: { head: [], border: colour ? ['grey'] : [], compact: true },
    colWidths: widths.map((w) => w + 2),
    wordWrap: false,
    truncate: '…',
    ...(options.align ? { colAligns: pick(options.align) } : {}),
  })
  for (const row of all) t.push(pick(row).map((cell, i) => truncate(cell, widths[i] as number)))
  const hidden = head.filter((_, i) => !shown.includes(i))
  return hidden.length ? `${t.toString()}\n${hiddenNote(hidden)}` : t.toString()
}

/** Which columns are left out and how to see them; on two lines when one would cut the hint. */
function hiddenNote(hidden: string[]): string {
  const one = `(${hidden.join(', ')} not shown at this width; --wide shows every column)`
  const lines = visibleLength(one) <= outputWidth() ? [one] : [`(${hidden.join(', ')} not shown at this width;`, ' --wide shows every column)']
  return lines.map((line) => paint().dim(truncate(line, outputWidth()))).join('\n')
}

/**
 * The columns shown and their content widths within `total`, or undefined when
 * the columns to keep do not fit even alone. In order: columns blank in every
 * row leave (those `drop` names first, in its order), then `drop`'s others, then
 * text columns are cut (the widest first, down to MIN_COLUMN), then the other
 * columns leave from the right, cut text before numbers and text shown whole.
 */
function fit(head: string[], rows: string[][], total: number, options: TableOptions): { shown: number[]; widths: number[] } | undefined {
  const keep = new Set(options.keep ?? [])
  const drop = options.drop ?? []
  const natural = head.map((h, i) => Math.max(visibleLength(h), ...rows.map((row) => visibleLength(row[i] ?? ''))))
  // Kept columns, numbers and columns to show whole are never cut; a text column can be cut to MIN_COLUMN.
  const cuttable = (i: number) => !keep.has(i) && options.align?.[i] !== 'right' && !options.whole?.includes(i)
  const narrowest = (i: number) => (cuttable(i) ? Math.min(natural[i] as number, MIN_COLUMN) : (natural[i] as number))
  const shown = head.map((_, i) => i)
  const leave = (i: number) => shown.splice(shown.indexOf(i), 1)
  const fitsWhole = () => tableWidth(shown.map((i) => natural[i] as number)) <= total
  const fitsCut = () => tableWidth(shown.map(narrowest)) <= total
  const blanks = head.map((_, i) => i).filter((i) => !keep.has(i) && rows.every((row) => blank(row[i] ?? '')))
  for (const i of [...drop.filter((i) => blanks.includes(i)), ...blanks.filter((i) => !drop.includes(i)).reverse()]) {
    if (fitsWhole()) break
    leave(i)
  }
  for (const i of drop) {
    if (fitsCut()) break
    if (shown.includes(i)) leave(i)
  }
  // Then whole columns leave from the right: text cut to its narrowest before numbers and whole text.
  const rest = [...shown].reverse().filter((i) => !keep.has(i))
  for (const i of [...rest.filter(cuttable), ...rest.filter((i) => !cuttable(i))]) {
    if (fitsCut()) break
    leave(i)
  }
  if (!fitsCut()) return undefined
  return { shown, widths: cutWidths(shown.map((i) => natural[i] as number), shown.map(cuttable), total) }
}

/** Content widths that fit `total`: the widest cuttable column loses one character at a time, down to MIN_COLUMN. */
function cutWidths(widths: number[], cuttable: boolean[], total: number): number[] {
  let excess = tableWidth(widths) - total
  while (excess > 0) {
    const i = widths.map((_, i) => i).filter((i) => cuttable[i] && (widths[i] as number) > MIN_COLUMN).sort((a, b) => (widths[b] as number) - (widths[a] as number))[0]
    if (i === undefined) break
    widths[i] = (widths[i] as number) - 1
    excess--
  }
  return widths
}

/**
 * One record per row, one field a line, records apart by a blank line: every cell whole, whatever
 * the width. A table leaves an identifying cell blank when it repeats the row above (an org's
 * second product); a record stands alone, so it says it again.
 */
function records(head: string[], rows: string[][], keep: number[] = []): string {
  const keys = head.map((h, i) => h || `column ${i + 1}`)
  const carried = rows.map((row) => [...row])
  // The first identifying column names the row; only an empty cell there is a repeat.
  const first = keep[0]
  if (first !== undefined) for (const [r, row] of carried.entries()) if (r > 0 && row[first] === '') row[first] = carried[r - 1]?.[first] ?? ''
  return carried.map((row) => details(keys.map((key, i) => [key, row[i] || null]))).join('\n\n')
}

function tabSeparated(head: string[], rows: Cell[][]): string {
  const field = (cell: Cell) => (cell === null || cell === undefined ? '' : String(cell)).replace(/[\t\r\n]+/g, ' ')
  return [head, ...rows].map((row) => row.map(field).join('\t')).join('\n')
}

/** "key: value" lines, keys aligned, for one object; on a terminal a long value wraps under itself, nothing is cut. */
export function details(pairs: [string, Cell][]): string {
  const width = Math.max(...pairs.map(([key]) => visibleLength(key)))
  return pairs
    .map(([key, value]) => hangingWrap(`${paint().dim(`${key}:${' '.repeat(width - visibleLength(key))}`)} `, value === null || value === undefined || value === '' ? '—' : text(value)))
    .join('\n')
}

/** A heading in bold, wrapped between words at the terminal's width (a name in it is never cut). */
export const heading = (line: string): string =>
  hangingWrap('', line)
    .split('\n')
    .map((part) => paint().bold(part))
    .join('\n')
