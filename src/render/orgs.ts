import type { OrgDetail } from '../core/orgs/list.js'
import type { OrgView } from '../core/orgs/view.js'
import { paint } from './colour.js'
import { details } from './table.js'
import { when } from './time.js'
import { drawTree } from './tree.js'

const limitsText = (limits: Record<string, number>) =>
  Object.entries(limits)
    .map(([product, n]) => `${product} ≤ ${n}`)
    .join(', ')

export function renderOrgTree({ orgs }: { orgs: OrgView[] }): string {
  if (orgs.length === 0) return 'No organizations yet. Create one with: wsb org create NAME [--parent ORG]'
  return drawTree(
    orgs.map((org) => {
      const limits = limitsText(org.limits)
      return {
        id: org.id,
        parentId: org.parentId,
        label: `${paint().bold(org.name)} ${paint().dim(org.id)}${limits ? `  ${paint().yellow(`[${limits}]`)}` : ''}`,
      }
    }),
  )
}

export function renderOrg(org: OrgView & Partial<Pick<OrgDetail, 'children'>>): string {
  return details([
    ['organization', `${paint().bold(org.name)} (${org.id})`],
    ['path', org.path],
    ['parent', org.parentId ?? '— (top-level)'],
    ['limits', limitsText(org.limits) || 'none'],
    ...(org.children ? ([['children', org.children.map((c) => c.name).join(', ') || 'none']] as [string, string][]) : []),
    ['created', when(org.createdAt)],
  ])
}
