// Tables for humans (cli-table3), coloured only when stdout allows colour.
// On a terminal a table fits its width: the widest shrinkable columns give way
// first and their cells end in an ellipsis, so a row never wraps. Piped, a list
// is plain tab-separated columns under one header line (as gh does): no box
// drawing, no padding, numbers raw.
import { colourEnabled, paint } from './colour.js'
import { load, num, onTerminal, outputWidth, truncate, visibleLength } from './terminal.js'

export type Cell = string | number | null | undefined

export type TableOptions = {
  align?: ('left' | 'right')[]
  /** Columns that keep their width while others can give way (ids, amounts, names). */
  keep?: number[]
  /** Columns left out, in this order, while the table cannot fit otherwise (--wide shows them). */
  drop?: number[]
}

/** The narrowest a shrinkable column gets before columns to keep give way too. */
const MIN_COLUMN = 10

const text = (cell: Cell): string => (cell === null || cell === undefined ? '' : typeof cell === 'number' ? num(cell) : cell)

export function table(head: string[], rows: Cell[][], options: TableOptions = {}): string {
  if (!onTerminal()) return tabSeparated(head, rows)
  const all = rows.map((row) => row.map(text))
  const shown = visibleColumns(head, all, outputWidth(), options)
  const pick = <T>(row: T[]) => shown.map((i) => row[i] as T)
  const keep = (options.keep ?? []).map((i) => shown.indexOf(i)).filter((i) => i >= 0)
  const cells = all.map(pick)
  const widths = fitWidths(pick(head), cells, outputWidth(), keep)
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
  for (const row of cells) t.push(row.map((cell, i) => truncate(cell, widths[i] as number)))
  const hidden = head.filter((_, i) => !shown.includes(i))
  return hidden.length ? `${t.toString()}\n${hiddenNote(hidden)}` : t.toString()
}

/** Which columns are left out and how to see them; on two lines when one would cut the hint. */
function hiddenNote(hidden: string[]): string {
  const one = `(${hidden.join(', ')} not shown at this width; --wide shows every column)`
  const lines = visibleLength(one) <= outputWidth() ? [one] : [`(${hidden.join(', ')} not shown at this width;`, ' --wide shows every column)']
  return lines.map((line) => paint().dim(truncate(line, outputWidth()))).join('\n')
}

/** The columns shown: all, unless even their narrowest widths overflow; then the `drop` ones go, in order. */
function visibleColumns(head: string[], rows: string[][], total: number, options: TableOptions): number[] {
  const natural = head.map((h, i) => Math.max(visibleLength(h), ...rows.map((row) => visibleLength(row[i] ?? ''))))
  const narrowest = (i: number) => ((options.keep ?? []).includes(i) ? (natural[i] as number) : Math.min(natural[i] as number, MIN_COLUMN))
  const shown = head.map((_, i) => i)
  const need = () => shown.reduce((sum, i) => sum + narrowest(i) + 3, 1)
  for (const i of options.drop ?? []) {
    if (need() <= total) break
    shown.splice(shown.indexOf(i), 1)
  }
  return shown
}

function tabSeparated(head: string[], rows: Cell[][]): string {
  const field = (cell: Cell) => (cell === null || cell === undefined ? '' : String(cell)).replace(/[\t\r\n]+/g, ' ')
  return [head, ...rows].map((row) => row.map(field).join('\t')).join('\n')
}

/**
 * Content widths whose table (│ cell │ cell │: 3 per column plus 1) fits `total`.
 * The widest shrinkable column loses one character at a time; when all of them
 * are at MIN_COLUMN, the columns to keep give way the same way.
 */
function fitWidths(head: string[], rows: string[][], total: number, keep: number[]): number[] {
  const widths = head.map((h, i) => Math.max(visibleLength(h), ...rows.map((row) => visibleLength(row[i] ?? ''))))
  const budget = total - (3 * head.length + 1)
  let excess = widths.reduce((a, b) => a + b, 0) - budget
  const widest = (candidates: number[], floor: number) =>
    candidates.filter((i) => (widths[i] as number) > floor).sort((a, b) => (widths[b] as number) - (widths[a] as number))[0]
  const all = head.map((_, i) => i)
  const shrinkable = all.filter((i) => !keep.includes(i))
  while (excess > 0) {
    const i = widest(shrinkable, MIN_COLUMN) ?? widest(all, 1)
    if (i === undefined) break
    widths[i] = (widths[i] as number) - 1
    excess--
  }
  return widths
}

/** "key: value" lines, keys aligned, for one object; on a terminal each line fits its width. */
export function details(pairs: [string, Cell][]): string {
  const width = Math.max(...pairs.map(([key]) => key.length))
  const limit = outputWidth()
  return pairs
    .map(([key, value]) => truncate(`${paint().dim(`${key}:`.padEnd(width + 1))} ${value === null || value === undefined ? '—' : text(value)}`, limit))
    .join('\n')
}

export const heading = (line: string): string => paint().bold(truncate(line, outputWidth()))
