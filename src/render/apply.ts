import type { ApplyAction, ApplyResult } from '../core/apply/apply.js'
import { paint } from './colour.js'

const sign = { create: '+', update: '~', unchanged: '=' } as const

function line(action: ApplyAction): string {
  const colour = action.action === 'create' ? paint().green : action.action === 'update' ? paint().yellow : paint().dim
  const text = colour(`${sign[action.action]} ${action.kind} ${action.name}${action.changes ? `: ${action.changes.join(', ')}` : ''}`)
  return action.note ? `${text}\n    ${action.note}` : text
}

export function renderApply(result: ApplyResult): string {
  const head = result.dryRun ? `Plan for workspace "${result.workspace.name}" (dry run, nothing written):` : `Applied to workspace "${result.workspace.name}":`
  // What the file describes but apply leaves as it is (an ended subscription) is always said, changes or not.
  const leftAlone = result.actions.filter((a) => a.action === 'unchanged' && a.note).map(line)
  const alone = leftAlone.length ? `, ${leftAlone.length} left alone as said above` : ''
  if (!result.changed) return [head, ...leftAlone, `No changes (${result.summary.unchanged - leftAlone.length} objects already match${alone}).`].join('\n')
  const changes = result.actions.filter((a) => a.action !== 'unchanged').map(line)
  const { create, update, unchanged } = result.summary
  // A plan speaks of what is to come; an applied run of what was done.
  const tally = result.dryRun ? `${create} to create, ${update} to update, ${unchanged} unchanged.` : `${create} created, ${update} updated, ${unchanged} unchanged.`
  return [head, ...changes, ...leftAlone, tally].join('\n')
}
