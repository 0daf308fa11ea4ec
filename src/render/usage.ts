import type { UsageDecision } from '../core/usage/decision.js'
import type { ImportSummary } from '../core/usage/import.js'
import { NEAR_LIMIT, type OrgBindingView, type OrgUsageSummary, type OrgUsageView, type ProductTotalView, SUMMARY_ABOVE, summariseOrgUsage } from '../core/usage/org-report.js'
import type { VerifyResult } from '../core/usage/verify.js'
import { paint } from './colour.js'
import { details, table } from './table.js'
import { drawTree } from './tree.js'

export function renderDecision(d: UsageDecision, orgName?: string): string {
  const change = d.kind === 'set' ? `set to ${d.requested}` : `${d.delta >= 0 ? '+' : ''}${d.delta}`
  const org = orgName === undefined ? d.orgId : `"${orgName}" (${d.orgId})`
  return `${d.replayed ? 'Replayed (already accepted, nothing applied again)' : 'Accepted'}: ${d.product} ${change} on ${org}\n${details([
    ['level', d.level],
    ['headroom', d.headroom ?? '— (no pool)'],
    ['report', d.reportId],
  ])}`
}

export function renderImport(s: ImportSummary): string {
  const lines = [
    `${s.lines} lines: ${paint().green(`${s.accepted} accepted`)}, ${s.rejected ? paint().red(`${s.rejected} rejected`) : '0 rejected'}, ${s.replayed} replayed, ${s.invalid ? paint().red(`${s.invalid} invalid`) : '0 invalid'} in ${(s.durationMs / 1000).toFixed(2)} s`,
  ]
  for (const p of s.problems) lines.push(`  line ${p.line}: ${p.reason}: ${p.message}`)
  if (s.rejected + s.invalid > s.problems.length) lines.push(`  … ${s.rejected + s.invalid - s.problems.length} more (use --results FILE for every line)`)
  return lines.join('\n')
}

export function renderVerify(v: VerifyResult): string {
  if (v.ok) return `${paint().green('OK')}: ${v.counters} counters match ${v.ledgerRows} ledger rows.`
  return `${paint().red(`${v.mismatches.length} mismatches`)}\n${table(
    ['counter', 'id', 'product', 'stored', 'expected'],
    v.mismatches.map((m) => [m.counter, m.id, m.product, m.stored, m.expected]),
  )}`
}

/**
 * What binds an org's headroom, short enough to stay whole in a table: "pool", "own limit",
 * "limit on USA Operations" (an ancestor's), "no billing account". The numbers are in the row.
 */
export const bindingText = (b: OrgBindingView, orgId: string): string =>
  b.kind === 'pool' ? 'pool' : b.kind === 'limit' ? (b.orgId === orgId ? 'own limit' : `limit on ${b.orgPath}`) : 'no billing account'

export function renderOrgUsage({ orgs }: { orgs: OrgUsageView[] }, options: { all?: boolean } = {}): string {
  if (orgs.length === 0) return 'No organizations.'
  if (!options.all && orgs.length > SUMMARY_ABOVE) return renderSummary(summariseOrgUsage(orgs))
  // The tree drawn with names only gives each org its indented label, in order.
  const ids = new Set(orgs.map((org) => org.id))
  const labels = drawTree(orgs.map((org) => ({ id: org.id, parentId: org.parentId !== null && ids.has(org.parentId) ? org.parentId : null, label: org.name }))).split('\n')
  return usageTable(orgs, (org, i) => labels[i] ?? org.name)
}

function usageTable(orgs: OrgUsageView[], label: (org: OrgUsageView, i: number) => string): string {
  const rows = orgs.flatMap((org, i) =>
    (org.products.length ? org.products : [undefined]).map((p, j) => [
      j === 0 ? label(org, i) : '',
      p?.product ?? '—',
      p?.used ?? '',
      p?.subtreeUsed ?? '',
      p?.limit ?? '',
      p === undefined ? '' : p.headroom === null ? '—' : p.headroom === 0 ? paint().red('0') : p.headroom,
      p === undefined ? '' : bindingText(p.binding, org.id),
    ]),
  )
  // The org, the product and what binds stay whole; the org's own usage gives way first (the
  // subtree's is what limits and pools count), then the limit.
  return table(['organization', 'product', 'own', 'subtree', 'limit', 'headroom', 'bound by'], rows, {
    align: ['left', 'left', 'right', 'right', 'right', 'right', 'left'],
    keep: [0, 1, 6],
    drop: [2, 4],
  })
}

/** A path short enough for a table cell: the first part and the last two, with the depth. */
export function shortPath(path: string, depth: number): string {
  if (depth < 4) return path
  const parts = path.split('/')
  return `${parts[0]}/…/${parts.slice(-2).join('/')} (depth ${depth})`
}

function renderSummary({ shown, omitted, total }: OrgUsageSummary): string {
  const head = `${total} organizations: showing the ${shown.length} at the top and at or near (≥ ${NEAR_LIMIT * 100}%) their own limits.`
  const tail = omitted
    ? `${omitted} more not shown: see them with --all (every row), narrow to one subtree with --org ORG, or get every row with --json.`
    : ''
  return [head, usageTable(shown, (org) => shortPath(org.path, org.depth)), tail].filter(Boolean).join('\n')
}

export function renderProductTotals({ products }: { products: ProductTotalView[] }): string {
  if (products.length === 0) return 'No capacity or usage yet.'
  return table(
    ['product', 'capacity', 'used', 'available', 'pools'],
    products.map((p) => [p.product, p.capacity, p.used, p.available, p.pools]),
    { align: ['left', 'right', 'right', 'right', 'right'] },
  )
}
