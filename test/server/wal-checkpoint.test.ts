// WAL checkpoints off the write path (R-API-4, SQLite): the server's writer
// never checkpoints inside a commit; a checkpointer thread copies the WAL into
// the database file PASSIVE, and the writer's own finishing pass lets the next
// commit reuse the WAL from its start. Observed through SQLite's documented
// WAL-index header (the -shm file): mxFrame, the frames in the WAL, and
// nBackfill, how many of them are in the database file.
import { readFileSync, statSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { catchUpWal, checkpointPassive, setAutoCheckpoint, WRITER_AUTOCHECKPOINT_PAGES } from '../../src/core/store/checkpoint.js'
import { openDb } from '../../src/core/store/open.js'
import { wsb } from '../helpers/cli.js'
import { engineAll } from '../helpers/engine.js'
import { call, pooled, seed, serve } from '../helpers/serve.js'
import { tempDbPath } from '../helpers/temp.js'

/** The WAL-index header: frames in the WAL (mxFrame, offset 16) and frames copied into the database (nBackfill, offset 96). */
function walIndex(db: string): { frames: number; backfilled: number } {
  const shm = readFileSync(`${db}-shm`)
  return { frames: shm.readUInt32LE(16), backfilled: shm.readUInt32LE(96) }
}

/** Small commits, each writing a page or two, on `db`'s own table for this test. */
function commits(db: ReturnType<typeof openDb>, count: number): void {
  const insert = db.sqlite.prepare('INSERT INTO wal_probe (body) VALUES (?)')
  for (let i = 0; i < count; i++) db.sqlite.transaction(() => insert.run('x'.repeat(3_000)))()
}

describe('WAL checkpoints off the write path', () => {
  it('R-API-4 a writer with the server bound does not checkpoint in its commits; a PASSIVE pass elsewhere copies the WAL, and after its own finishing pass the writer reuses the WAL', () => {
    const path = tempDbPath()
    const writer = openDb(path)
    writer.sqlite.exec('CREATE TABLE wal_probe (id INTEGER PRIMARY KEY, body TEXT NOT NULL)')
    setAutoCheckpoint(writer, WRITER_AUTOCHECKPOINT_PAGES)
    commits(writer, 1_500)
    const pageSize = writer.sqlite.pragma('page_size', { simple: true }) as number
    // SQLite's default (1,000 pages) would have checkpointed and reused the WAL inside these commits.
    expect(walIndex(path).frames).toBeGreaterThan(1_500)
    expect(walIndex(path).backfilled).toBe(0)
    expect(statSync(`${path}-wal`).size).toBeGreaterThan(1_500 * pageSize)

    // A read that began before the checkpointer's pass holds the WAL (as a request reading while it runs would).
    const reader = openDb(path, { quickCheck: false })
    reader.sqlite.exec('BEGIN')
    reader.sqlite.prepare('SELECT count(*) FROM wal_probe').get()
    const checkpointer = openDb(path, { quickCheck: false })
    const caughtUp = catchUpWal(checkpointer)
    expect(caughtUp.busy).toBe(false)
    expect(caughtUp.checkpointed).toBe(caughtUp.frames)
    expect(walIndex(path)).toEqual({ frames: caughtUp.frames, backfilled: caughtUp.frames })

    // Written after the checkpointer's pass, while the read still holds the WAL: appended.
    commits(writer, 3)
    reader.sqlite.exec('COMMIT')
    const after = walIndex(path)
    expect(after.frames).toBeGreaterThan(caughtUp.frames)
    expect(after.backfilled).toBe(caughtUp.frames)
    // Not all copied: a commit cannot start the WAL over, it appends.
    commits(writer, 1)
    expect(walIndex(path).frames).toBeGreaterThan(after.frames)
    // The writer's finishing pass copies only those few frames; its next commit starts the WAL over.
    const finished = checkpointPassive(writer)
    expect(finished).toEqual({ frames: walIndex(path).frames, checkpointed: walIndex(path).frames, busy: false })
    commits(writer, 1)
    expect(walIndex(path).frames).toBeLessThan(10)

    expect(reader.sqlite.prepare('SELECT count(*) AS n FROM wal_probe').get()).toEqual({ n: 1_505 })
    for (const db of [reader, checkpointer, writer]) db.close()
  })

  it('R-API-4 wsb serve copies its WAL into the database file while it runs, though its commits hold far fewer than 1,000 pages; every report is kept', async () => {
    const db = tempDbPath()
    const ws = seed(db, pooled('Wal', 1_000_000, [{ name: 'Top', children: [{ name: 'Team' }] }]))
    const server = await serve(db)
    try {
      const reports = Array.from({ length: 200 }, (_, i) => ({ org: 'Top/Team', product: 'users', delta: 1, key: `w-${i}` }))
      const answer = await call(server.url, 'POST', '/v1/usage/batch', { key: ws.write, body: reports })
      expect(answer.status).toBe(200)
      expect(answer.body.accepted).toBe(200)
      const written = walIndex(db).frames
      expect(written).toBeGreaterThan(0)
      expect(written).toBeLessThan(1_000)
      // The checkpointer's next turn copies them (no commit crossed SQLite's 1,000-page mark to do it).
      let index = walIndex(db)
      for (let waited = 0; index.backfilled < written && waited < 30_000; waited += 50) {
        await new Promise((resolve) => setTimeout(resolve, 50))
        index = walIndex(db)
      }
      expect(index.backfilled).toBeGreaterThanOrEqual(written)
    } finally {
      expect((await server.stop()).code).toBe(0)
    }
    const verify = wsb(['usage', 'verify', '--workspace', ws.workspaceId, '--json'], { db })
    expect(verify.code).toBe(0)
    const kept = engineAll<{ n: number }>(db, "SELECT count(*) AS n FROM usage_ledger WHERE outcome = 'accepted' AND key LIKE 'w-%'")
    expect(Number(kept[0]?.n)).toBe(200)
  })
})
