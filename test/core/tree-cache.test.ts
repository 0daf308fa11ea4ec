// The org tree kept between reads (core/orgs/tree-cache.ts): `usage report --by org`
// and `usage check` (wsb serve's GET /v1/usage/orgs and /v1/check) reuse a loaded
// tree while the workspace's tree version stays the same. Every change of the tree,
// by this connection or another one (another process), must show in the next read;
// a tree read inside a write that rolls back must never be kept.
import { describe, expect, it } from 'vitest'
import { contextFor } from '../../src/core/context.js'
import { createOrg } from '../../src/core/orgs/create.js'
import { deleteOrg } from '../../src/core/orgs/delete.js'
import { loadTree } from '../../src/core/orgs/tree.js'
import { readTree } from '../../src/core/orgs/tree-cache.js'
import { updateOrg } from '../../src/core/orgs/update.js'
import { checkUsage } from '../../src/core/usage/check.js'
import { usageByOrg } from '../../src/core/usage/org-report.js'
import { org, secondConnection, workspace } from '../builders.js'

const paths = async (ctx: Parameters<typeof usageByOrg>[0]) => (await usageByOrg(ctx)).orgs.map((o) => o.path)

describe('the org tree kept between reads', () => {
  it('R-ORG-3 usage report --by org shows each change another connection makes: an org created, renamed, moved, deleted', async () => {
    const ctx = await workspace('pooled')
    await org(ctx, 'Acme')
    await org(ctx, 'Beta')
    expect(await paths(ctx)).toEqual(['Acme', 'Beta'])
    const other = contextFor(await secondConnection(ctx.db), ctx.workspace)
    await createOrg(other, { name: 'Sales', parent: 'Acme' })
    expect(await paths(ctx)).toEqual(['Acme', 'Acme/Sales', 'Beta'])
    await updateOrg(other, { ref: 'Acme/Sales', name: 'Field' })
    expect(await paths(ctx)).toEqual(['Acme', 'Acme/Field', 'Beta'])
    await updateOrg(other, { ref: 'Acme/Field', parent: 'Beta' })
    expect(await paths(ctx)).toEqual(['Acme', 'Beta', 'Beta/Field'])
    // R-USE check resolves through the same kept tree.
    await expect(checkUsage(ctx, { org: 'Acme/Field', product: 'seats', quantity: 1 })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await deleteOrg(other, { ref: 'Beta/Field' })
    expect(await paths(ctx)).toEqual(['Acme', 'Beta'])
    other.db.close()
  })

  it('R-ORG-3 a tree read inside a write that rolls back is not kept: the next change with the same version number shows', async () => {
    const ctx = await workspace('pooled')
    await org(ctx, 'Acme')
    expect(await paths(ctx)).toEqual(['Acme'])
    await expect(
      ctx.db.write(async () => {
        await createOrg(ctx, { name: 'Ghost' })
        expect(await paths(ctx)).toEqual(['Acme', 'Ghost'])
        throw new Error('rolled back on purpose')
      }),
    ).rejects.toThrow('rolled back on purpose')
    // Another connection's change takes the tree's number to where the rolled-back write had it.
    const other = contextFor(await secondConnection(ctx.db), ctx.workspace)
    await createOrg(other, { name: 'Real' })
    expect(await paths(ctx)).toEqual(['Acme', 'Real'])
    other.db.close()
  })

  it('a tree is kept while nothing changes, and read afresh after a change', async () => {
    const ctx = await workspace('pooled')
    await org(ctx, 'Acme')
    const first = await readTree(ctx.db, ctx.workspace.id)
    expect(await readTree(ctx.db, ctx.workspace.id)).toBe(first)
    await org(ctx, 'Beta')
    const after = await readTree(ctx.db, ctx.workspace.id)
    expect(after).not.toBe(first)
    expect([...after.byId.values()].map((row) => row.name).sort()).toEqual([...(await loadTree(ctx.db, ctx.workspace.id)).byId.values()].map((row) => row.name).sort())
  })
})
