// Naming an organization: by id, by unique name, or by path "Parent/Child".
import { invalid } from '../errors.js'
import { notFoundNear } from '../suggest.js'
import type { OrganizationRow } from '../store/schema/index.js'
import { type OrgTree, pathOf } from './tree.js'

/** NOT_FOUND, with the names and paths it may have meant. */
const unknown = (tree: OrgTree, ref: string) =>
  notFoundNear('organization', ref, [...tree.byId.values()].flatMap((row) => [row.name, ...(row.parentId === null ? [] : [pathOf(tree, row.id)])]))

export function resolveOrg(tree: OrgTree, ref: string): OrganizationRow {
  const byId = tree.byId.get(ref)
  if (byId) return byId
  if (ref.includes('/')) {
    let parentId: string | null = null
    let found: OrganizationRow | undefined
    for (const part of ref.split('/').map((p) => p.trim())) {
      found = (tree.children.get(parentId) ?? []).find((row) => row.name.toLowerCase() === part.toLowerCase())
      if (!found) throw unknown(tree, ref)
      parentId = found.id
    }
    if (found) return found
  }
  const matches = [...tree.byId.values()].filter((row) => row.name.toLowerCase() === ref.trim().toLowerCase())
  if (matches.length === 1) return matches[0] as OrganizationRow
  if (matches.length === 0) throw unknown(tree, ref)
  const paths = matches.map((row) => pathOf(tree, row.id))
  throw invalid(`organization name "${ref}" is ambiguous; use an id or a path: ${paths.join(', ')}`, {
    ref,
    candidates: matches.map((row, i) => ({ id: row.id, path: paths[i] })),
  }, 'AMBIGUOUS_REFERENCE')
}
