// Creating a workspace (R-WS-1, R-WS-3): its permanent mode, its clock, and the
// seeded product catalog (R-PR-1).
import { seedCatalog } from '../catalog/seed.js'
import { one } from '../store/db.js'
import { refused } from '../errors.js'
import { recordEvent } from '../events/record.js'
import { newId } from '../ids.js'
import type { Db } from '../store/open.js'
import { type BillingMode, workspaces } from '../store/schema/index.js'
import { type WorkspaceView, workspaceView } from './view.js'
import { sameName } from '../names.js'

export type CreateWorkspaceInput = {
  name: string
  mode: BillingMode
  testClock?: boolean
  /** Start of a test clock, epoch ms; defaults to now. */
  clockStart?: number
  /** Wall time, for tests of real-clock behaviour. */
  now?: number
}

export async function createWorkspace(db: Db, input: CreateWorkspaceInput): Promise<WorkspaceView> {
  return await db.write(async () => {
    const taken = (await db.orm
      .select({ id: workspaces.id, name: workspaces.name })
      .from(workspaces))
      .find((row) => sameName(row.name, input.name))
    if (taken) throw refused('NAME_TAKEN', `a workspace named "${input.name}" already exists (${taken.id})`, { id: taken.id })
    const now = input.now ?? Date.now()
    const testClock = input.testClock === true || input.clockStart !== undefined
    const start = testClock ? (input.clockStart ?? now) : now
    const row = one(await db.orm
      .insert(workspaces)
      .values({
        id: newId('workspace'),
        name: input.name,
        mode: input.mode,
        clockMode: testClock ? 'test' : 'real',
        clockNow: testClock ? start : null,
        createdAt: start,
      })
      .returning())
    await seedCatalog(db, row.id, start)
    await recordEvent(db, {
      workspaceId: row.id,
      at: start,
      kind: 'workspace.created',
      refs: { workspaceId: row.id },
      data: { name: row.name, mode: row.mode, clock: row.clockMode },
    })
    return workspaceView(row)
  })
}
