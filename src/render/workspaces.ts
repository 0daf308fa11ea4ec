import type { SellerIdentity } from '../core/store/schema/index.js'
import type { WorkspaceDetail } from '../core/workspaces/show.js'
import type { WorkspaceView } from '../core/workspaces/view.js'
import { renderPools } from './pools.js'
import { paint } from './colour.js'
import { details, table } from './table.js'
import { when } from './time.js'

const clock = (w: WorkspaceView) => (w.clock.mode === 'test' ? `test clock at ${when(w.clock.now)}` : 'real clock')

export function renderWorkspace(w: WorkspaceView): string {
  return details([
    ['workspace', `${paint().bold(w.name)} (${w.id})`],
    ['mode', `${w.mode} (permanent)`],
    ['clock', clock(w)],
    ['created', when(w.createdAt)],
  ])
}

export function renderWorkspaces({ workspaces }: { workspaces: WorkspaceView[] }): string {
  if (workspaces.length === 0) return 'No workspaces yet. Create one with: wsb workspace create NAME --mode single|assigned|pooled'
  return table(
    ['id', 'name', 'mode', 'clock'],
    workspaces.map((w) => [w.id, w.name, w.mode, clock(w)]),
    { keep: [0, 1] },
  )
}

export function renderWorkspaceDetail(w: WorkspaceDetail): string {
  return `${renderWorkspace(w)}\n${details([
    ['organizations', w.organizations],
    ['accounts', w.accounts],
  ])}\n${w.seller ? renderSeller(w.seller) : 'seller: not set (wsb workspace seller set --legal-name …)'}\n\n${renderPools(w)}`
}

/** A stored logo by its file name, type and size; an older wsb's path says it is not stored. */
function logoText(logo: SellerIdentity['logo']): string {
  if (logo === null) return '—'
  if (typeof logo === 'string') return `${logo} (a path, not stored: set it again with --logo to keep its bytes)`
  return `${logo.file ?? 'inline image'} (${logo.mediaType === 'image/png' ? 'PNG' : 'JPEG'}, ${Math.max(1, Math.round(logo.bytes / 1024))} KiB, stored)`
}

export function renderSeller(s: SellerIdentity): string {
  return details([
    ['seller', paint().bold(s.legalName)],
    ['address', s.addressLines.join(', ') || '—'],
    ['country', s.country ?? '—'],
    ['tax id', s.taxId ?? '—'],
    ['email', s.email ?? '—'],
    ['logo', logoText(s.logo)],
    ['footer', s.footer ?? '—'],
    ['terms', s.paymentTermsDays === 0 ? 'due on receipt' : `due in ${s.paymentTermsDays} days`],
  ])
}
