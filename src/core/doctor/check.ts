// What a doctor check is: a named, read-only query of the database against one
// rule of SPEC.md, returning each violation with the ids involved.
import type { Db } from '../store/open.js'
import { contributingStatuses, type WorkspaceRow } from '../store/schema/index.js'

/** One broken invariant (or, for warning checks, one state worth a look). */
export type Violation = { check: string; rule: string; ids: Record<string, string>; message: string }

/** What a check function finds; the check's name and rule are added by `defineCheck`. */
export type Finding = { ids: Record<string, string>; message: string }

/**
 * The workspaces a run looks at. `workspaceId` is null for the whole database.
 * SQL checks bind it as @ws and filter with `inScope(column)`.
 */
export type DoctorScope = { db: Db; workspaces: WorkspaceRow[]; workspaceId: string | null }

export type Check = {
  check: string
  rule: string
  /** What holds when the check passes, for the human report. */
  description: string
  /** Warning checks report states the spec allows but an operator should see (e.g. over capacity after a forced cancel). */
  severity: 'violation' | 'warning'
  run: (scope: DoctorScope) => Promise<Violation[]>
}

export function defineCheck(
  check: string,
  rule: string,
  description: string,
  find: (scope: DoctorScope) => Finding[] | Promise<Finding[]>,
  severity: Check['severity'] = 'violation',
): Check {
  return { check, rule, description, severity, run: async (scope) => (await find(scope)).map((finding) => ({ check, rule, ...finding })) }
}

/** `column` belongs to the workspace in scope (every workspace when @ws is null). */
export const inScope = (column: string): string => `(CAST(@ws AS text) IS NULL OR ${column} = @ws)`

/** SQL list of the statuses that feed a pool and count toward R-BA-5. */
export const liveStatusList = contributingStatuses.map((status) => `'${status}'`).join(', ')

/** Runs a read query with the scope bound as @ws (each @ws becomes a `?` bound to the workspace id, or null for all). */
export async function query<Row>(scope: DoctorScope, sql: string): Promise<Row[]> {
  const parts = sql.split('@ws')
  return scope.db.all<Row>(parts.join('?'), ...parts.slice(1).map(() => scope.workspaceId))
}

/** A comma-separated list from string_agg(x, ',') (both engines have it), sorted, for stable ids and messages. */
export const sortedList = (concatenated: string | null): string[] => (concatenated ? concatenated.split(',').sort() : [])
