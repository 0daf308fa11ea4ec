// `wsb db copy` for people: what was copied where, table by table, and the checks.
import type { DbCopyResult } from '../core/db/copy.js'
import { paint } from './colour.js'
import { table } from './table.js'

export function renderDbCopy(result: DbCopyResult): string {
  const p = paint()
  const tables = Object.entries(result.copied).filter(([, rows]) => rows > 0)
  return [
    `${p.green('Copied')} ${result.rows} rows from ${result.source} to ${result.target} in ${(result.durationMs / 1000).toFixed(2)} s.`,
    tables.length > 0 ? table(['table', 'rows'], tables.map(([name, rows]) => [name, String(rows)])) : '(the file holds no data)',
    `${p.green('✓')} row counts equal   ${p.green('✓')} doctor clean   ${p.green('✓')} usage verify clean`,
  ].join('\n')
}
