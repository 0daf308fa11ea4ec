import { describe, expect, it } from 'vitest'
import { createOrg } from '../../src/core/orgs/create.js'
import { resolveOrg } from '../../src/core/orgs/resolve.js'
import { loadTree } from '../../src/core/orgs/tree.js'
import { createWorkspace } from '../../src/core/workspaces/create.js'
import { listWorkspaces } from '../../src/core/workspaces/list.js'
import { resolveWorkspace } from '../../src/core/workspaces/resolve.js'
import { updateWorkspace } from '../../src/core/workspaces/update.js'
import { newDb, workspace } from '../builders.js'

describe('workspaces', () => {
  it('R-WS-1 creates a workspace in each billing mode', async () => {
    const db = newDb()
    for (const mode of ['single', 'assigned', 'pooled'] as const) {
      const ws = await createWorkspace(db, { name: `ws ${mode}`, mode })
      expect(ws).toMatchObject({ name: `ws ${mode}`, mode, clock: { mode: 'real' } })
      expect(ws.id).toMatch(/^ws_[0-9a-z]{12}$/)
    }
    expect(await (await listWorkspaces(db)).workspaces.map((w) => w.mode)).toEqual(['single', 'assigned', 'pooled'])
  })

  it('R-WS-1 refuses any mode change with MODE_IMMUTABLE, even to the same mode, and changes nothing', async () => {
    const ctx = await workspace('assigned')
    for (const mode of ['single', 'pooled', 'assigned']) {
      await expect(async () => await updateWorkspace(ctx.db, ctx.workspace, { mode, name: 'renamed' })).rejects.toThrowError(
        expect.objectContaining({ code: 'MODE_IMMUTABLE', exitCode: 4 }),
      )
    }
    expect(await resolveWorkspace(ctx.db, ctx.workspace.id)).toMatchObject({ mode: 'assigned', name: 'assigned workspace' })
  })

  it('renames a workspace and refuses a name already taken', async () => {
    const db = newDb()
    const a = await workspace('single', { db, name: 'Alpha' })
    await workspace('pooled', { db, name: 'Beta' })
    expect(await (await updateWorkspace(db,a.workspace,{ name: 'Gamma' })).name).toBe('Gamma')
    await expect(async () => await updateWorkspace(db, await resolveWorkspace(db, 'Gamma'), { name: 'beta' })).rejects.toThrowError(
      expect.objectContaining({ code: 'NAME_TAKEN' }),
    )
  })

  it('R-WS-3 a test clock starts frozen at --clock-start', async () => {
    const ctx = await workspace('single', { start: Date.parse('2026-02-28T12:00:00Z') })
    expect(ctx.workspace.clockMode).toBe('test')
    expect(ctx.now).toBe(Date.parse('2026-02-28T12:00:00Z'))
  })

  it('resolves the only workspace without a reference, and asks for one when there are several', async () => {
    const db = newDb()
    await expect(async () => await resolveWorkspace(db, undefined)).rejects.toThrowError(expect.objectContaining({ exitCode: 3 }))
    const first = await workspace('single', { db, name: 'One' })
    expect(await (await resolveWorkspace(db, undefined)).id).toBe(first.workspace.id)
    await workspace('pooled', { db, name: 'Two' })
    await expect(async () => await resolveWorkspace(db, undefined)).rejects.toThrowError(expect.objectContaining({ code: 'WORKSPACE_REQUIRED', exitCode: 2 }))
    expect(await (await resolveWorkspace(db,'two')).name).toBe('Two')
    await expect(async () => await resolveWorkspace(db, 'Three')).rejects.toThrowError(expect.objectContaining({ code: 'NOT_FOUND', exitCode: 3 }))
  })

  it('R-WS-2 nothing is visible across workspaces', async () => {
    const db = newDb()
    const a = await workspace('single', { db, name: 'A' })
    const b = await workspace('single', { db, name: 'B' })
    const inA = await createOrg(a, { name: 'Shared Name' })
    const inB = await createOrg(b, { name: 'Shared Name' })
    expect(inA.id).not.toBe(inB.id)
    await expect(async () => resolveOrg(await loadTree(db, b.workspace.id), inA.id)).rejects.toThrowError(expect.objectContaining({ code: 'NOT_FOUND' }))
    expect(resolveOrg(await loadTree(db, b.workspace.id), 'Shared Name').id).toBe(inB.id)
  })
})
