import { describe, expect, it } from 'vitest'
import { deleteOrg } from '../../src/core/orgs/delete.js'
import { clearLimits, setLimits } from '../../src/core/orgs/limits.js'
import { listOrgs, showOrg } from '../../src/core/orgs/list.js'
import { updateOrg } from '../../src/core/orgs/update.js'
import { subtreeUsage } from '../../src/core/usage/levels.js'
import { org, use, workspace } from '../builders.js'


describe('organizations', () => {
  it('R-ORG-1 builds a forest of any depth and lists it depth-first', () => {
    const ctx = workspace('pooled')
    let parent = org(ctx, 'Level 0')
    for (let depth = 1; depth <= 7; depth++) parent = org(ctx, `Level ${depth}`, parent.id)
    org(ctx, 'Another Root')
    const { orgs } = listOrgs(ctx)
    expect(orgs.map((o) => o.name)).toEqual(['Another Root', ...Array.from({ length: 8 }, (_, i) => `Level ${i}`)])
    expect(orgs.at(-1)).toMatchObject({ depth: 7, parentId: orgs.at(-2)?.id, path: Array.from({ length: 8 }, (_, i) => `Level ${i}`).join('/') })
    expect(orgs[0]).toMatchObject({ parentId: null, depth: 0, workspaceId: ctx.workspace.id, limits: {} })
  })

  it('R-ORG-1 names orgs by id, unique name or path; an ambiguous name asks for a path', () => {
    const ctx = workspace('pooled')
    const usa = org(ctx, 'USA')
    const de = org(ctx, 'Germany')
    const usaSales = org(ctx, 'Sales', usa.id)
    org(ctx, 'Sales', de.id)
    expect(showOrg(ctx, 'usa/sales').id).toBe(usaSales.id)
    expect(showOrg(ctx, usaSales.id).path).toBe('USA/Sales')
    expect(() => showOrg(ctx, 'Sales')).toThrowError(expect.objectContaining({ code: 'AMBIGUOUS_REFERENCE', exitCode: 2 }))
    expect(() => showOrg(ctx, 'USA/Marketing')).toThrowError(expect.objectContaining({ code: 'NOT_FOUND', exitCode: 3 }))
    expect(() => org(ctx, 'sales', usa.id)).toThrowError(expect.objectContaining({ code: 'NAME_TAKEN' }))
  })

  it('R-ORG-1 refuses moving an org under itself or its descendant (no cycles)', () => {
    const ctx = workspace('single')
    const a = org(ctx, 'A')
    const b = org(ctx, 'B', a.id)
    const c = org(ctx, 'C', b.id)
    expect(() => updateOrg(ctx, { ref: a.id, parent: c.id })).toThrowError(expect.objectContaining({ code: 'ORG_CYCLE', exitCode: 4 }))
    expect(() => updateOrg(ctx, { ref: a.id, parent: a.id })).toThrowError(expect.objectContaining({ code: 'ORG_CYCLE' }))
    expect(showOrg(ctx, a.id).parentId).toBeNull()
    const moved = updateOrg(ctx, { ref: c.id, parent: null })
    expect(moved).toMatchObject({ parentId: null, path: 'C' })
    expect(updateOrg(ctx, { ref: 'C', parent: 'A', name: 'C2' })).toMatchObject({ parentId: a.id, path: 'A/C2' })
  })

  it('R-ORG-2 sets and clears per-product limits; an unknown product is not found', () => {
    const ctx = workspace('single')
    const a = org(ctx, 'A')
    expect(setLimits(ctx, { ref: a.id, limits: { users: 40, locations: 10 } }).limits).toEqual({ locations: 10, users: 40 })
    expect(setLimits(ctx, { ref: a.id, limits: { users: 30 } }).limits).toEqual({ locations: 10, users: 30 })
    expect(clearLimits(ctx, { ref: a.id, products: ['locations'] }).limits).toEqual({ users: 30 })
    expect(() => setLimits(ctx, { ref: a.id, limits: { seats: 3 } })).toThrowError(expect.objectContaining({ code: 'NOT_FOUND', exitCode: 3 }))
    expect(showOrg(ctx, a.id).limits).toEqual({ users: 30 })
  })

  it('R-ORG-2 refuses a limit below the subtree usage unless forced', () => {
    const ctx = workspace('single')
    const parent = org(ctx, 'Parent')
    const child = org(ctx, 'Child', parent.id)
    use(ctx, child.id, 'users', 12)
    expect(() => setLimits(ctx, { ref: parent.id, limits: { users: 11 } })).toThrowError(
      expect.objectContaining({ code: 'BELOW_USAGE', details: expect.objectContaining({ usage: 12, limit: 11 }) }),
    )
    expect(setLimits(ctx, { ref: parent.id, limits: { users: 12 } }).limits.users).toBe(12)
    expect(setLimits(ctx, { ref: parent.id, limits: { users: 5 }, force: true }).limits.users).toBe(5)
  })

  it('R-ORG-4 refuses to delete an org whose subtree has usage, then deletes once released', () => {
    const ctx = workspace('single')
    const parent = org(ctx, 'Parent')
    const child = org(ctx, 'Child', parent.id)
    use(ctx, child.id, 'users', 3)
    expect(subtreeUsage(ctx.db, parent.id)).toEqual({ users: 3 })
    expect(() => deleteOrg(ctx, { ref: parent.id, recursive: true })).toThrowError(
      expect.objectContaining({ code: 'ORG_IN_USE', exitCode: 4, details: expect.objectContaining({ usage: { users: 3 } }) }),
    )
    expect(() => deleteOrg(ctx, { ref: child.id })).toThrowError(expect.objectContaining({ code: 'ORG_IN_USE' }))
    use(ctx, child.id, 'users', -3)
    expect(deleteOrg(ctx, { ref: parent.id, recursive: true }).deleted.map((o) => o.path)).toEqual(['Parent/Child', 'Parent'])
    expect(listOrgs(ctx).orgs).toEqual([])
  })

  it('refuses to delete an org with children unless --recursive', () => {
    const ctx = workspace('single')
    const parent = org(ctx, 'Parent')
    org(ctx, 'Child', parent.id)
    expect(() => deleteOrg(ctx, { ref: 'Parent' })).toThrowError(expect.objectContaining({ code: 'ORG_HAS_CHILDREN', exitCode: 4 }))
    expect(listOrgs(ctx).orgs).toHaveLength(2)
  })

  it('R-ORG-4 refuses to move an org whose subtree has usage', () => {
    const ctx = workspace('single')
    const a = org(ctx, 'A')
    const b = org(ctx, 'B')
    use(ctx, b.id, 'locations', 1)
    expect(() => updateOrg(ctx, { ref: b.id, parent: a.id })).toThrowError(expect.objectContaining({ code: 'ORG_IN_USE' }))
  })
})
