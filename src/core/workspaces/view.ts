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

/** `seller`: the row's, or read apart for a row resolved without it (resolve.ts leaves it out). */
export function workspaceView(row: WorkspaceRow, seller: SellerIdentity | null = row.seller ?? null): WorkspaceView {
  return {
    id: row.id,
    name: row.name,
    mode: row.mode,
    clock: { mode: row.clockMode, now: iso(workspaceNow(row)) },
    createdAt: iso(row.createdAt),
    seller,
  }
}
