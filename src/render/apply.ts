import type { ApplyAction, ApplyResult } from '../core/apply/apply.js'
import { paint } from './colour.js'

const sign = { create: '+', update: '~', unchanged: '=' } as const

function line(action: ApplyAction): string {
  const colour = action.action === 'create' ? paint().green : action.action === 'update' ? paint().yellow : paint().dim
  return colour(`${sign[action.action]} ${action.kind} ${action.name}${action.changes ? `: ${action.changes.join(', ')}` : ''}`)
}

export function renderApply(result: ApplyResult): string {
  const head = result.dryRun ? `Plan for workspace "${result.workspace.name}" (dry run, nothing written):` : `Applied to workspace "${result.workspace.name}":`
  if (!result.changed) return `${head}\nNo changes (${result.summary.unchanged} objects already match).`
  const changes = result.actions.filter((a) => a.action !== 'unchanged').map(line)
  const { create, update, unchanged } = result.summary
  // A plan speaks of what is to come; an applied run of what was done.
  const tally = result.dryRun ? `${create} to create, ${update} to update, ${unchanged} unchanged.` : `${create} created, ${update} updated, ${unchanged} unchanged.`
  return `${head}\n${changes.join('\n')}\n${tally}`
}
