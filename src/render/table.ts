// Tables for humans (cli-table3), coloured only when stdout allows colour.
import Table from 'cli-table3'
import { colourEnabled, paint } from './colour.js'

export type Cell = string | number | null | undefined

export function table(head: string[], rows: Cell[][], options: { align?: ('left' | 'right')[] } = {}): string {
  const colour = colourEnabled(process.stdout)
  const t = new Table({
    head: head.map((h) => paint().bold(h)),
    style: { head: [], border: colour ? ['grey'] : [], compact: true },
    ...(options.align ? { colAligns: options.align } : {}),
  })
  for (const row of rows) t.push(row.map((cell) => (cell === null || cell === undefined ? '' : String(cell))))
  return t.toString()
}

/** "key: value" lines, keys aligned, for one object. */
export function details(pairs: [string, Cell][]): string {
  const width = Math.max(...pairs.map(([key]) => key.length))
  return pairs
    .map(([key, value]) => `${paint().dim(`${key}:`.padEnd(width + 1))} ${value === null || value === undefined ? '—' : value}`)
    .join('\n')
}

export const heading = (text: string): string => paint().bold(text)
