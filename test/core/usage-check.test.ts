// usage check (R-USE-3's question asked ahead: would this increase fit now?):
// it reads the counters and limits of the org's chain only, by id for usual
// depths and the product's whole set for chains deeper than one statement's
// parameters allow; both give the answer a report would get.
import { describe, expect, it } from 'vitest'
import { setLimits } from '../../src/core/orgs/limits.js'
import { addSubscription } from '../../src/core/subscriptions/add.js'
import { checkUsage } from '../../src/core/usage/check.js'
import { account, card, org, use, workspace } from '../builders.js'

describe('usage check', () => {
  it("R-ORG-3 R-USE-3 the tightest limit on the chain binds at 3 deep and at 150 deep; a sibling's usage and limit do not count", async () => {
    const ctx = await workspace('pooled')
    await account(ctx, 'Acme')
    await card(ctx, 'Acme')
    await addSubscription(ctx, { account: 'Acme', items: { users: 10 }, trial: false })
    const ids = [(await org(ctx, 'L0')).id]
    for (let depth = 1; depth <= 150; depth++) ids.push((await org(ctx, `L${depth}`, ids.at(-1))).id)
    const sibling = (await org(ctx, 'Side', ids[1])).id
    await setLimits(ctx, { ref: ids[0] as string, limits: { users: 6 } })
    await setLimits(ctx, { ref: sibling, limits: { users: 1 } })
    await use(ctx, ids[150] as string, 'users', 3)
    await use(ctx, sibling, 'users', 1)
    for (const id of [ids[2], ids[150]] as string[]) {
      const over = await checkUsage(ctx, { org: id, product: 'users', quantity: 3 })
      expect(over, id).toMatchObject({ accepted: false, reason: 'LIMIT_EXCEEDED', headroom: 2, binding: { kind: 'limit', orgId: ids[0], limit: 6 } })
      expect(await checkUsage(ctx, { org: id, product: 'users', quantity: 2 })).toMatchObject({ accepted: true, headroom: 2 })
    }
    expect(await checkUsage(ctx, { org: ids[150] as string, product: 'users', quantity: 1 })).toMatchObject({ level: 3 })
  })
})
