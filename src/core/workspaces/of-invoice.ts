// An invoice named without --workspace in a database of several workspaces: its
// id is unique in the database, and so may its printed number be. Read only when
// the workspace is not given and not the only one (WORKSPACE_REQUIRED otherwise).
import { invalid, notFound } from '../errors.js'
import type { Db } from '../store/connect.js'

/** The id of the one workspace holding invoice `ref` (an id or a printed number, any case); several or none: an error naming them. */
export async function workspaceOfInvoice(db: Db, ref: string): Promise<string> {
  const key = ref.trim()
  // Through invoices' primary key and (workspace_id, display_number): one probe per workspace.
  const rows = (await db.all(
    `SELECT w.id, w.name FROM workspaces w
     WHERE EXISTS (SELECT 1 FROM invoices i WHERE i.workspace_id = w.id AND i.display_number = ?)
        OR EXISTS (SELECT 1 FROM invoices i WHERE i.id = ? AND i.workspace_id = w.id)
     ORDER BY w.created_at, w.id`,
    key.toUpperCase(),
    key,
  )) as { id: string; name: string }[]
  if (rows.length === 1) return (rows[0] as { id: string }).id
  if (rows.length === 0) throw notFound('invoice', ref, {}, `invoice "${ref}" not found in any workspace of this database`)
  const names = rows.map((w) => w.name)
  throw invalid(`invoice number ${key.toUpperCase()} is in ${names.length} workspaces (${names.join(', ')}); choose one with --workspace or WSB_WORKSPACE`, { invoice: ref, workspaces: names }, 'WORKSPACE_REQUIRED')
}
