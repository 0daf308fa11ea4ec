// The JSON shape of a workspace (SPEC §2: id, name, mode, clock{mode, now}).
import { iso, workspaceNow } from '../clock.js'
import type { BillingMode, SellerIdentity, WorkspaceRow } from '../store/schema/index.js'

export type WorkspaceView = {
  id: string
  name: string
  mode: BillingMode
  clock: { mode: 'real' | 'test'; now: string }
  createdAt: string
  /** The issuer printed on invoices; null until `workspace seller set`. */
  seller: SellerIdentity | null
}

export function workspaceView(row: WorkspaceRow): WorkspaceView {
  return {
    id: row.id,
    name: row.name,
    mode: row.mode,
    clock: { mode: row.clockMode, now: iso(workspaceNow(row)) },
    createdAt: iso(row.createdAt),
    seller: row.seller ?? null,
  }
}
