// Drawing a forest with box characters, from rows listed depth-first.
import { onTerminal } from './terminal.js'
export type TreeRow = { id: string; parentId: string | null; label: string }

/**
 * Levels drawn with box characters. Deeper rows keep the indentation of this
 * level and name their depth instead: a chain 10,000 deep would otherwise
 * print lines 30,000 characters wide (and the whole tree hundreds of MB).
 */
export const MAX_DRAWN_DEPTH = 32

/** Box characters on a terminal; piped, ASCII (`tree --charset=ascii`), so files and awk see plain text. */
const BOX = { mid: '├─ ', last: '└─ ', pipe: '│  ' }
const ASCII = { mid: '|- ', last: '`- ', pipe: '|  ' }

export function drawTree(rows: TreeRow[], ascii = !onTerminal()): string {
  const glyph = ascii ? ASCII : BOX
  const children = new Map<string | null, TreeRow[]>()
  for (const row of rows) {
    const siblings = children.get(row.parentId)
    if (siblings) siblings.push(row)
    else children.set(row.parentId, [row])
  }
  const lines: string[] = []
  // An explicit stack, not recursion: depth is unbounded.
  type Frame = { row: TreeRow; prefix: string; last: boolean; depth: number }
  const stack: Frame[] = []
  const ids = new Set(rows.map((row) => row.id))
  const roots = rows.filter((row) => row.parentId === null || !ids.has(row.parentId))
  for (let i = roots.length - 1; i >= 0; i--) stack.push({ row: roots[i] as TreeRow, prefix: '', last: true, depth: 0 })
  const seen = new Set<string>()
  for (let frame = stack.pop(); frame; frame = stack.pop()) {
    const { row, prefix, last, depth } = frame
    if (seen.has(row.id)) continue
    seen.add(row.id)
    const marker = depth > MAX_DRAWN_DEPTH ? `[depth ${depth}] ` : ''
    lines.push(depth === 0 ? row.label : `${prefix}${last ? glyph.last : glyph.mid}${marker}${row.label}`)
    const kids = children.get(row.id) ?? []
    const next = depth === 0 ? '' : depth >= MAX_DRAWN_DEPTH ? prefix : `${prefix}${last ? '   ' : glyph.pipe}`
    for (let i = kids.length - 1; i >= 0; i--) stack.push({ row: kids[i] as TreeRow, prefix: next, last: i === kids.length - 1, depth: depth + 1 })
  }
  return lines.join('\n')
}
