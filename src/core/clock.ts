// Workspace time (R-WS-3): the real clock, or a frozen test clock that only
// `clock advance` moves. Every time-based rule reads this, never Date.now().
import type { WorkspaceRow } from './store/schema/index.js'

export function workspaceNow(workspace: Pick<WorkspaceRow, 'clockMode' | 'clockNow'>): number {
  return workspace.clockMode === 'test' && workspace.clockNow !== null ? workspace.clockNow : Date.now()
}

export const iso = (ms: number): string => new Date(ms).toISOString()
export const isoOrNull = (ms: number | null | undefined): string | null => (ms == null ? null : iso(ms))

/** A short UTC time for descriptions: the date, and the time of day when it is not midnight. */
export function shortTime(ms: number): string {
  const text = iso(ms)
  return text.endsWith('T00:00:00.000Z') ? text.slice(0, 10) : `${text.slice(0, 10)} ${text.slice(11, 16)}`
}

/** A UTC time to the minute for messages: "2026-01-06 00:00". */
export const isoMinute = (ms: number): string => `${iso(ms).slice(0, 10)} ${iso(ms).slice(11, 16)}`
