import { describe, expect, it } from 'vitest'
import { deleteOrg } from '../../src/core/orgs/delete.js'
import { clearLimits, setLimits } from '../../src/core/orgs/limits.js'
import { listOrgs, showOrg } from '../../src/core/orgs/list.js'
import { updateOrg } from '../../src/core/orgs/update.js'
import { subtreeUsage } from '../../src/core/usage/levels.js'
import { org, use, workspace } from '../builders.js'


describe('organizations', () => {
  it('R-ORG-1 builds a forest of any depth and lists it depth-first', async () => {
    const ctx = workspace('pooled')
    let parent = org(await ctx, 'Level 0')
    for (let depth = 1; depth <= 7; depth++) parent = org(await ctx, `Level ${depth}`, (await parent).id)
    await org(await ctx, 'Another Root')
    const { orgs } = await listOrgs(await ctx)
    expect(orgs.map((o) => o.name)).toEqual(['Another Root', ...Array.from({ length: 8 }, (_, i) => `Level ${i}`)])
    expect(orgs.at(-1)).toMatchObject({ depth: 7, parentId: orgs.at(-2)?.id, path: Array.from({ length: 8 }, (_, i) => `Level ${i}`).join('/') })
    expect(orgs[0]).toMatchObject({ parentId: null, depth: 0, workspaceId: (await ctx).workspace.id, limits: {} })
  })

  it('R-ORG-1 names orgs by id, unique name or path; an ambiguous name asks for a path', async () => {
    const ctx = workspace('pooled')
    const usa = org(await ctx, 'USA')
    const de = org(await ctx, 'Germany')
    const usaSales = org(await ctx, 'Sales', (await usa).id)
    await org(await ctx, 'Sales', (await de).id)
    expect(await (await showOrg(await ctx,'usa/sales')).id).toBe((await usaSales).id)
    expect(await (await showOrg(await ctx,(await usaSales).id)).path).toBe('USA/Sales')
    await expect(async () => await showOrg(await ctx, 'Sales')).rejects.toThrowError(expect.objectContaining({ code: 'AMBIGUOUS_REFERENCE', exitCode: 2 }))
    await expect(async () => await showOrg(await ctx, 'USA/Marketing')).rejects.toThrowError(expect.objectContaining({ code: 'NOT_FOUND', exitCode: 3 }))
    await expect(async () => org(await ctx, 'sales', (await usa).id)).rejects.toThrowError(expect.objectContaining({ code: 'NAME_TAKEN' }))
  })

  it('R-ORG-1 refuses moving an org under itself or its descendant (no cycles)', async () => {
    const ctx = workspace('single')
    const a = org(await ctx, 'A')
    const b = org(await ctx, 'B', (await a).id)
    const c = org(await ctx, 'C', (await b).id)
    await expect(async () => await updateOrg(await ctx, { ref: (await a).id, parent: (await c).id })).rejects.toThrowError(expect.objectContaining({ code: 'ORG_CYCLE', exitCode: 4 }))
    await expect(async () => await updateOrg(await ctx, { ref: (await a).id, parent: (await a).id })).rejects.toThrowError(expect.objectContaining({ code: 'ORG_CYCLE' }))
    expect(await (await showOrg(await ctx,(await a).id)).parentId).toBeNull()
    const moved = await updateOrg(await ctx, { ref: (await c).id, parent: null })
    expect(moved).toMatchObject({ parentId: null, path: 'C' })
    expect(await updateOrg(await ctx, { ref: 'C', parent: 'A', name: 'C2' })).toMatchObject({ parentId: (await a).id, path: 'A/C2' })
  })

  it('R-ORG-2 sets and clears per-product limits; an unknown product is not found', async () => {
    const ctx = workspace('single')
    const a = org(await ctx, 'A')
    expect(await (await setLimits(await ctx,{ ref: (await a).id,limits: { users: 40,locations: 10 } })).limits).toEqual({ locations: 10, users: 40 })
    expect(await (await setLimits(await ctx,{ ref: (await a).id,limits: { users: 30 } })).limits).toEqual({ locations: 10, users: 30 })
    expect(await (await clearLimits(await ctx,{ ref: (await a).id,products: ['locations'] })).limits).toEqual({ users: 30 })
    await expect(async () => await setLimits(await ctx, { ref: (await a).id, limits: { seats: 3 } })).rejects.toThrowError(expect.objectContaining({ code: 'NOT_FOUND', exitCode: 3 }))
    expect(await (await showOrg(await ctx,(await a).id)).limits).toEqual({ users: 30 })
  })

  it('R-ORG-2 refuses a limit below the subtree usage unless forced', async () => {
    const ctx = workspace('single')
    const parent = org(await ctx, 'Parent')
    const child = org(await ctx, 'Child', (await parent).id)
    await use(await ctx, (await child).id, 'users', 12)
    await expect(async () => await setLimits(await ctx, { ref: (await parent).id, limits: { users: 11 } })).rejects.toThrowError(
      expect.objectContaining({ code: 'BELOW_USAGE', details: expect.objectContaining({ usage: 12, limit: 11 }) }),
    )
    expect(await (await setLimits(await ctx,{ ref: (await parent).id,limits: { users: 12 } })).limits.users).toBe(12)
    expect(await (await setLimits(await ctx,{ ref: (await parent).id,limits: { users: 5 },force: true })).limits.users).toBe(5)
  })

  it('R-ORG-4 refuses to delete an org whose subtree has usage, then deletes once released', async () => {
    const ctx = workspace('single')
    const parent = org(await ctx, 'Parent')
    const child = org(await ctx, 'Child', (await parent).id)
    await use(await ctx, (await child).id, 'users', 3)
    expect(await subtreeUsage((await ctx).db, (await parent).id)).toEqual({ users: 3 })
    await expect(async () => await deleteOrg(await ctx, { ref: (await parent).id, recursive: true })).rejects.toThrowError(
      expect.objectContaining({ code: 'ORG_IN_USE', exitCode: 4, details: expect.objectContaining({ usage: { users: 3 } }) }),
    )
    await expect(async () => await deleteOrg(await ctx, { ref: (await child).id })).rejects.toThrowError(expect.objectContaining({ code: 'ORG_IN_USE' }))
    await use(await ctx, (await child).id, 'users', -3)
    expect(await (await deleteOrg(await ctx,{ ref: (await parent).id,recursive: true })).deleted.map((o) => o.path)).toEqual(['Parent/Child', 'Parent'])
    expect(await (await listOrgs(await ctx)).orgs).toEqual([])
  })

  it('refuses to delete an org with children unless --recursive', async () => {
    const ctx = workspace('single')
    const parent = org(await ctx, 'Parent')
    await org(await ctx, 'Child', (await parent).id)
    await expect(async () => await deleteOrg(await ctx, { ref: 'Parent' })).rejects.toThrowError(expect.objectContaining({ code: 'ORG_HAS_CHILDREN', exitCode: 4 }))
    expect(await (await listOrgs(await ctx)).orgs).toHaveLength(2)
  })

  it('R-ORG-4 refuses to move an org whose subtree has usage', async () => {
    const ctx = workspace('single')
    const a = org(await ctx, 'A')
    const b = org(await ctx, 'B')
    await use(await ctx, (await b).id, 'locations', 1)
    await expect(async () => await updateOrg(await ctx, { ref: (await b).id, parent: (await a).id })).rejects.toThrowError(expect.objectContaining({ code: 'ORG_IN_USE' }))
  })
})
