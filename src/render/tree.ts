// Drawing a forest with box characters, from rows listed depth-first.
export type TreeRow = { id: string; parentId: string | null; label: string }

export function drawTree(rows: TreeRow[]): string {
  const children = new Map<string | null, TreeRow[]>()
  for (const row of rows) children.set(row.parentId, [...(children.get(row.parentId) ?? []), row])
  const lines: string[] = []
  const visit = (row: TreeRow, prefix: string, last: boolean, root: boolean) => {
    lines.push(root ? row.label : `${prefix}${last ? '└─ ' : '├─ '}${row.label}`)
    const kids = children.get(row.id) ?? []
    const next = root ? '' : `${prefix}${last ? '   ' : '│  '}`
    kids.forEach((kid, i) => visit(kid, next, i === kids.length - 1, false))
  }
  const ids = new Set(rows.map((row) => row.id))
  const roots = rows.filter((row) => row.parentId === null || !ids.has(row.parentId))
  roots.forEach((root) => visit(root, '', true, true))
  return lines.join('\n')
}
