// A --kind that matches nothing the log has ever held is most likely a typo:
// the listing is still empty (exit 0), but the command says which kinds there are.
import type { Db } from '../store/open.js'

export type KindCheck = {
  /** The --kind values matching no kind at all. */
  unknown: string[]
  /** The kinds (or kind families) there are, sorted, for the message. */
  known: string[]
}

/**
 * Which of `kinds` match no row of `table` (kind itself, or a kind starting
 * with it and `separator`), and the kinds there are, by family (`family`:
 * the part of a kind before the first `separator`, or the whole kind).
 */
export async function checkKinds(
  db: Db,
  workspaceId: string,
  kinds: string[] | undefined,
  source: { table: 'events' | 'notifications'; separator: '.' | '_'; alwaysKnown?: string[]; family: boolean },
): Promise<KindCheck> {
  if (!kinds?.length) return { unknown: [], known: [] }
  const always = source.alwaysKnown ?? []
  const unknown: string[] = []
  for (const kind of kinds) {
    if (always.some((known) => known === kind || known.startsWith(`${kind}${source.separator}`))) continue
    // The separator is taken literally (ESCAPE '\'): '_' alone would match any one character.
    const prefix = `${kind.replace(/[\\%_]/g, (c) => `\\${c}`)}\\${source.separator}%`
    const hit = await db.get(`SELECT 1 AS one FROM ${source.table} WHERE workspace_id = ? AND (kind = ? OR kind LIKE ? ESCAPE '\\') LIMIT 1`, workspaceId, kind, prefix)
    if (!hit) unknown.push(kind)
  }
  if (unknown.length === 0) return { unknown, known: [] }
  // Read only when something is unknown: the message names what there is.
  const rows = (await db.all(`SELECT DISTINCT kind FROM ${source.table} WHERE workspace_id = ?`, workspaceId)) as { kind: string }[]
  const names = [...rows.map((row) => row.kind), ...always].map((kind) => (source.family ? (kind.split(source.separator)[0] as string) : kind))
  return { unknown, known: [...new Set(names)].sort() }
}

/** "No events of kind nonsense (kinds: account, alert, …)", or '' when every kind is known. */
export function unknownKindsNote(what: string, check: KindCheck): string {
  if (check.unknown.length === 0) return ''
  const kinds = check.known.length ? check.known.join(', ') : `none recorded yet`
  return `No ${what} of kind ${check.unknown.join(', ')} (kinds: ${kinds})`
}
