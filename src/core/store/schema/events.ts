// The append-only event log (R-EV-1). `at` is workspace time; `recorded_at` wall time.
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { workspaces } from './workspaces.js'

export const events = sqliteTable(
  'events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    at: integer('at').notNull(),
    kind: text('kind').notNull(),
    /** The ids involved, as a JSON object, e.g. {"orgId":"org_…"}. */
    refs: text('refs', { mode: 'json' }).$type<Record<string, string>>().notNull(),
    data: text('data', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    recordedAt: integer('recorded_at').notNull(),
  },
  (t) => [index('events_workspace_at').on(t.workspaceId, t.at), index('events_workspace_kind').on(t.workspaceId, t.kind)],
)

export type EventRow = typeof events.$inferSelect
