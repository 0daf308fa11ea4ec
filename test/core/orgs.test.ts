import { describe, expect, it } from 'vitest'
import { deleteOrg } from '../../src/core/orgs/delete.js'
import { clearLimits, setLimits } from '../../src/core/orgs/limits.js'
import { listOrgs, showOrg } from '../../src/core/orgs/list.js'
import { updateOrg } from '../../src/core/orgs/update.js'
import { subtreeUsage } from '../../src/core/usage/levels.js'
import { org, use, workspace } from '../builders.js'


describe('organizations', () => {
  it('R-ORG-1 builds a forest of any depth and lists it depth-first', async () => {
    const ctx = await workspace('pooled')
    let parent = await org(ctx, 'Level 0')
    for (let depth = 1; depth <= 7; depth++) parent = await org(ctx, `Level ${depth}`, parent.id)
    await org(ctx, 'Another Root')
    const { orgs } = await listOrgs(ctx)
    expect(orgs.map((o) => o.name)).toEqual(['Another Root', ...Array.from({ length: 8 }, (_, i) => `Level ${i}`)])
    expect(orgs.at(-1)).toMatchObject({ depth: 7, parentId: orgs.at(-2)?.id, path: Array.from({ length: 8 }, (_, i) => `Level ${i}`).join('/') })
    expect(orgs[0]).toMatchObject({ parentId: null, depth: 0, workspaceId: ctx.workspace.id, limits: {} })
  })

  it('R-ORG-1 names orgs by id, unique name or path; an ambiguous name asks for a path', async () => {
    const ctx = await workspace('pooled')
    const usa = await org(ctx, 'USA')
    const de = await org(ctx, 'Germany')
    const usaSales = await org(ctx, 'Sales', usa.id)
    await org(ctx, 'Sales', de.id)
    expect(await (await showOrg(ctx,'usa/sales')).id).toBe(usaSales.id)
    expect(await (await showOrg(ctx, usaSales.id)).path).toBe('USA/Sales')
    await expect(async () => await showOrg(ctx, 'Sales')).rejects.toThrowError(expect.objectContaining({ code: 'AMBIGUOUS_REFERENCE', exitCode: 2 }))
    await expect(async () => await showOrg(ctx, 'USA/Marketing')).rejects.toThrowError(expect.objectContaining({ code: 'NOT_FOUND', exitCode: 3 }))
    await expect(async () => org(ctx, 'sales', usa.id)).rejects.toThrowError(expect.objectContaining({ code: 'NAME_TAKEN' }))
  })

  it('R-ORG-1 refuses moving an org under itself or its descendant (no cycles)', async () => {
    const ctx = await workspace('single')
    const a = await org(ctx, 'A')
    const b = await org(ctx, 'B', a.id)
    const c = await org(ctx, 'C', b.id)
    await expect(async () => await updateOrg(ctx, { ref: a.id, parent: c.id })).rejects.toThrowError(expect.objectContaining({ code: 'ORG_CYCLE', exitCode: 4 }))
    await expect(async () => await updateOrg(ctx, { ref: a.id, parent: a.id })).rejects.toThrowError(expect.objectContaining({ code: 'ORG_CYCLE' }))
    expect(await (await showOrg(ctx, a.id)).parentId).toBeNull()
    const moved = await updateOrg(ctx, { ref: c.id, parent: null })
    expect(moved).toMatchObject({ parentId: null, path: 'C' })
    expect(await updateOrg(ctx, { ref: 'C', parent: 'A', name: 'C2' })).toMatchObject({ parentId: a.id, path: 'A/C2' })
  })

  it('R-ORG-2 sets and clears per-product limits; an unknown product is not found', async () => {
    const ctx = await workspace('single')
    const a = await org(ctx, 'A')
    expect(await (await setLimits(ctx, { ref: a.id, limits: { users: 40, locations: 10 } })).limits).toEqual({ locations: 10, users: 40 })
    expect(await (await setLimits(ctx, { ref: a.id, limits: { users: 30 } })).limits).toEqual({ locations: 10, users: 30 })
    expect(await (await clearLimits(ctx,{ ref: a.id,products: ['locations'] })).limits).toEqual({ users: 30 })
    await expect(async () => await setLimits(ctx, { ref: a.id, limits: { seats: 3 } })).rejects.toThrowError(expect.objectContaining({ code: 'NOT_FOUND', exitCode: 3 }))
    expect(await (await showOrg(ctx, a.id)).limits).toEqual({ users: 30 })
  })

  it('R-ORG-2 refuses a limit below the subtree usage unless forced', async () => {
    const ctx = await workspace('single')
    const parent = await org(ctx, 'Parent')
    const child = await org(ctx, 'Child', parent.id)
    await use(ctx, child.id, 'users', 12)
    await expect(async () => await setLimits(ctx, { ref: parent.id, limits: { users: 11 } })).rejects.toThrowError(
      expect.objectContaining({ code: 'BELOW_USAGE', details: expect.objectContaining({ usage: 12, limit: 11 }) }),
    )
    expect(await (await setLimits(ctx, { ref: parent.id, limits: { users: 12 } })).limits.users).toBe(12)
    expect(await (await setLimits(ctx, { ref: parent.id, limits: { users: 5 }, force: true })).limits.users).toBe(5)
  })

  it('R-ORG-4 refuses to delete an org whose subtree has usage, then deletes once released', async () => {
    const ctx = await workspace('single')
    const parent = await org(ctx, 'Parent')
    const child = await org(ctx, 'Child', parent.id)
    await use(ctx, child.id, 'users', 3)
    expect(await subtreeUsage(ctx.db, parent.id)).toEqual({ users: 3 })
    await expect(async () => await deleteOrg(ctx, { ref: parent.id, recursive: true })).rejects.toThrowError(
      expect.objectContaining({ code: 'ORG_IN_USE', exitCode: 4, details: expect.objectContaining({ usage: { users: 3 } }) }),
    )
    await expect(async () => await deleteOrg(ctx, { ref: child.id })).rejects.toThrowError(expect.objectContaining({ code: 'ORG_IN_USE' }))
    await use(ctx, child.id, 'users', -3)
    expect(await (await deleteOrg(ctx, { ref: parent.id, recursive: true })).deleted.map((o) => o.path)).toEqual(['Parent/Child', 'Parent'])
    expect(await (await listOrgs(ctx)).orgs).toEqual([])
  })

  it('refuses to delete an org with children unless --recursive', async () => {
    const ctx = await workspace('single')
    const parent = await org(ctx, 'Parent')
    await org(ctx, 'Child', parent.id)
    await expect(async () => await deleteOrg(ctx, { ref: 'Parent' })).rejects.toThrowError(expect.objectContaining({ code: 'ORG_HAS_CHILDREN', exitCode: 4 }))
    expect(await (await listOrgs(ctx)).orgs).toHaveLength(2)
  })

  it('R-ORG-4 refuses to move an org whose subtree has usage', async () => {
    const ctx = await workspace('single')
    const a = await org(ctx, 'A')
    const b = await org(ctx, 'B')
    await use(ctx, b.id, 'locations', 1)
    await expect(async () => await updateOrg(ctx, { ref: b.id, parent: a.id })).rejects.toThrowError(expect.objectContaining({ code: 'ORG_IN_USE' }))
  })
})
