// Db.runLater (store/db.ts): a write whose outcome no one reads. On PostgreSQL
// it goes with the transaction's next statement or its end (values written
// inline); on SQLite it runs at once. Either way the transaction's later
// statements see it, it commits or rolls back with the transaction, and its
// failure fails the transaction.
import { describe, expect, it } from 'vitest'
import { recordEvent } from '../../src/core/events/record.js'
import { listEvents } from '../../src/core/events/list.js'
import { workspace } from '../builders.js'

const INSERT = 'INSERT INTO events (workspace_id, at, kind, refs, data, recorded_at) VALUES (?, ?, ?, ?, ?, ?)'

describe('writes left for later (runLater)', () => {
  it('R-EV-1 an event left for later is seen by the next statement of its write, by the query builder, and committed with it', async () => {
    const ctx = await workspace('pooled')
    const seen = await ctx.db.write(async () => {
      await recordEvent(ctx.db, { workspaceId: ctx.workspace.id, at: ctx.now, kind: 'test.one', data: { n: 1 } })
      await recordEvent(ctx.db, { workspaceId: ctx.workspace.id, at: ctx.now, kind: 'test.two', data: { n: 2 } })
      const raw = await ctx.db.get<{ n: number }>("SELECT count(*) AS n FROM events WHERE kind LIKE 'test.%'")
      await recordEvent(ctx.db, { workspaceId: ctx.workspace.id, at: ctx.now, kind: 'test.three', data: { n: 3 } })
      const built = await listEvents(ctx.db, ctx.workspace.id, { kinds: ['test'] })
      return { raw: raw?.n, built: built.events.map((e) => e.kind) }
    })
    expect(seen).toEqual({ raw: 2, built: ['test.one', 'test.two', 'test.three'] })
    expect((await listEvents(ctx.db, ctx.workspace.id, { kinds: ['test'] })).events.map((e) => e.data.n)).toEqual([1, 2, 3])
  })

  it('R-EV-1 text written inline arrives byte for byte: quotes, dollar quotes, backslashes, question marks, other scripts', async () => {
    const ctx = await workspace('pooled')
    const tricky = `O'Brien $w$ $w0$ $$ \\x00 ? $1 "quoted" 株式会社 ü 🙂`
    await ctx.db.write(async () => {
      await recordEvent(ctx.db, { workspaceId: ctx.workspace.id, at: ctx.now, kind: 'test.text', refs: { orgId: tricky }, data: { name: tricky, amount: -12345 } })
    })
    const [event] = (await listEvents(ctx.db, ctx.workspace.id, { kinds: ['test'] })).events
    expect(event?.refs).toEqual({ orgId: tricky })
    expect(event?.data).toEqual({ name: tricky, amount: -12345 })
  })

  it('a write left for later that fails fails its transaction, and nothing of the transaction is committed', async () => {
    const ctx = await workspace('pooled')
    const name = ctx.workspace.name
    // events.workspace_id references workspaces: a workspace that does not exist is refused.
    await expect(
      ctx.db.write(async () => {
        await ctx.db.run('UPDATE workspaces SET name = ? WHERE id = ?', 'Renamed', ctx.workspace.id)
        await ctx.db.runLater(INSERT, 'ws_missing', 0, 'test.bad', '{}', '{}', 0)
      }),
    ).rejects.toThrow()
    expect((await ctx.db.get<{ name: string }>('SELECT name FROM workspaces WHERE id = ?', ctx.workspace.id))?.name).toBe(name)
  })

  it('a write left for later that fails fails a dry run too, as it would have failed at once', async () => {
    const ctx = await workspace('pooled')
    await expect(ctx.db.write(async () => await ctx.db.runLater(INSERT, 'ws_missing', 0, 'test.bad', '{}', '{}', 0), { dryRun: true })).rejects.toThrow()
    const rolledBack = await ctx.db.write(
      async () => {
        await ctx.db.runLater(INSERT, ctx.workspace.id, 0, 'test.dry', '{}', '{}', 0)
        return 'done'
      },
      { dryRun: true },
    )
    expect(rolledBack).toBe('done')
    expect((await listEvents(ctx.db, ctx.workspace.id, { kinds: ['test'] })).events).toEqual([])
  })
})
