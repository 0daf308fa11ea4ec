// `wsb doctor` for people: one line per check (✓ or ✗), a summary, then the
// violations and warnings with the ids involved.
import type { DoctorResult, Violation } from '../core/doctor/run.js'
import { paint } from './colour.js'
import { heading, table } from './table.js'
import { hangingWrap } from './terminal.js'

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`

function findingsTable(findings: Violation[]): string {
  return table(
    ['rule', 'check', 'ids', 'problem'],
    findings.map((f) => [
      f.rule,
      f.check,
      Object.entries(f.ids)
        .map(([name, id]) => `${name}=${id}`)
        .join(' '),
      f.message,
    ]),
    // What a finding is about stays whole: its rule, its check and the ids to look at.
    { keep: [0, 1, 2] },
  )
}

export function renderDoctor(result: DoctorResult): string {
  const p = paint()
  const ruleWidth = Math.max(...result.checks.map((c) => c.rule.length))
  const checkWidth = Math.max(...result.checks.map((c) => c.check.length))
  const lines = result.checks.map((c) => {
    const mark = c.passed ? p.green('✓') : p.red('✗')
    const note = c.violations > 0 ? p.red(count(c.violations, 'violation')) : c.warnings > 0 ? p.yellow(count(c.warnings, 'warning')) : ''
    // The description wraps under itself: the rule and the check's name stay whole on any terminal.
    return hangingWrap(`${mark} ${c.rule.padEnd(ruleWidth)}  ${c.check.padEnd(checkWidth)}  `, `${c.description}${note ? ` — ${note}` : ''}`)
  })
  const verdict = result.ok ? p.green('no violations') : p.red(count(result.violations.length, 'violation'))
  lines.push(
    '',
    `${count(result.checks.length, 'check')} on ${count(result.workspaces, 'workspace')}: ${verdict}${result.warnings.length ? `, ${p.yellow(count(result.warnings.length, 'warning'))}` : ''}.`,
  )
  if (result.violations.length) lines.push('', heading('Violations'), findingsTable(result.violations))
  if (result.warnings.length) lines.push('', heading('Warnings'), findingsTable(result.warnings))
  return lines.join('\n')
}
