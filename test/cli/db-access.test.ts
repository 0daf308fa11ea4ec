// Databases this process may not write: another user's file in a shared folder,
// and a database on read-only media. Reading works, writing is DB_UNWRITABLE
// (exit 2), and nothing is ever created beside the file: a -wal or -shm left
// by a refused user would lock its owner out of their own database.
import { chmodSync, existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { expectFailure, snapshot } from '../helpers/abuse.js'
import { wsb } from '../helpers/cli.js'
import { tempDir } from '../helpers/temp.js'
import { canSwitchUsers, wsbAs } from '../helpers/users.js'

const owner = { uid: 65534 }
const other = { uid: 65533 }

/** A folder other users can reach; tempDir() makes 0700 folders. */
function sharedDir(mode: number): string {
  const dir = tempDir()
  chmodSync(dir, mode)
  return dir
}

describe('databases this user may not write', () => {
  it.skipIf(!canSwitchUsers())('another user refused on a 0644 file in a sticky 1777 folder leaves no -wal/-shm, and the owner can still write', () => {
    const dir = sharedDir(0o1777)
    const homes = sharedDir(0o755)
    const db = join(dir, 'wsb.sqlite')
    const created = wsbAs(owner, homes, db, ['workspace', 'create', 'Acme', '--mode', 'single'])
    expect(created.code, created.stderr).toBe(0)
    expect(readdirSync(dir)).toEqual(['wsb.sqlite'])
    // wsb creates its databases 0600; this owner shares theirs for reading.
    chmodSync(db, 0o644)
    const before = snapshot(db)

    expectFailure(wsbAs(other, homes, db, ['org', 'create', 'Sales']), { exit: 2, code: 'DB_UNWRITABLE' })
    const json = expectFailure(wsbAs(other, homes, db, ['org', 'create', 'Sales', '--json']), { exit: 2, code: 'DB_UNWRITABLE', details: { path: db } })
    expect(json.message).toContain(db)
    expect(readdirSync(dir), 'a refused open creates nothing beside the file').toEqual(['wsb.sqlite'])
    // Reading is allowed (the file is 0644), and leaves nothing either.
    const listed = wsbAs(other, homes, db, ['workspace', 'list', '--json'])
    expect(listed.code, listed.stderr).toBe(0)
    expect(listed.json().workspaces.map((w: { name: string }) => w.name)).toEqual(['Acme'])
    expect(readdirSync(dir)).toEqual(['wsb.sqlite'])
    expect(snapshot(db)).toEqual(before)

    const written = wsbAs(owner, homes, db, ['org', 'create', 'Sales', '--json'])
    expect(written.code, written.stdout + written.stderr).toBe(0)
    expect(wsbAs(owner, homes, db, ['org', 'list', '--json']).json().orgs.map((o: { name: string }) => o.name)).toEqual(['Sales'])
  })

  it.skipIf(!canSwitchUsers())('a uid without a password entry and no HOME gets NO_HOME (exit 2), in words and in JSON, and creates nothing; with HOME it works', () => {
    const homes = sharedDir(0o755)
    const db = join(sharedDir(0o1777), 'wsb.sqlite')
    const unset = { HOME: undefined }
    expectFailure(wsbAs(other, homes, db, ['workspace', 'list'], '', unset), { exit: 2, code: 'NO_HOME' })
    const json = expectFailure(wsbAs(other, homes, db, ['workspace', 'list', '--json'], '', unset), { exit: 2, code: 'NO_HOME' })
    expect(json.message).toContain('set HOME')
    expect(existsSync(db), 'refused before anything is opened').toBe(false)
    const made = wsbAs(other, homes, db, ['workspace', 'create', 'Acme', '--mode', 'single', '--json'])
    expect(made.code, made.stderr).toBe(0)
    expect(made.json()).toMatchObject({ name: 'Acme', mode: 'single' })
  })

  it.skipIf(!canSwitchUsers())('read-only media (0444 file in a 0555 folder): doctor, export, usage report/verify and list/show commands work; writes are DB_UNWRITABLE', () => {
    const dir = sharedDir(0o755)
    const homes = sharedDir(0o755)
    const db = join(dir, 'wsb.sqlite')
    const cli = (...args: string[]) => {
      const out = wsb([...args, '--json'], { db })
      if (out.code !== 0) throw new Error(`wsb ${args.join(' ')}: ${out.stdout}${out.stderr}`)
      return out.json()
    }
    const ws = cli('workspace', 'create', 'Franchise', '--mode', 'pooled', '--test-clock', '--clock-start', '2026-01-01')
    cli('account', 'create', 'A', '--currency', 'USD')
    cli('pm', 'add', 'A', 'pm_card_visa')
    const sub = cli('sub', 'add', 'A', '--item', 'users=10')
    cli('org', 'create', 'Downtown')
    cli('usage', 'record', '--org', 'Downtown', '--product', 'users', '--delta', '4')
    // A renewal falls due: on read-only media it cannot run, and reading must not try.
    const raw = new Database(db)
    raw.prepare('UPDATE workspaces SET clock_now = clock_now + ? WHERE id = ?').run(90 * 86_400_000, ws.id)
    raw.close()
    chmodSync(db, 0o444)
    chmodSync(dir, 0o555)
    const before = snapshot(db)
    const run = (...args: string[]) => wsbAs('root-without-override', homes, db, args)
    const ok = (...args: string[]) => {
      const out = run(...args)
      expect(out.code, `${args.join(' ')}\n${out.stdout}${out.stderr}`).toBe(0)
      return out
    }

    expect(ok('doctor', '--json').json()).toMatchObject({ ok: true, workspaces: 1 })
    // The state as stored: the clock moved, the renewal not run.
    expect(ok('export').stdout).toMatch(/clockStart: 2026-04-01[\s\S]*name: Downtown\n\s+usage:\n\s+users: 4/)
    const pools = ok('usage', 'report', '--json').json().pools
    expect(pools).toHaveLength(1)
    expect(pools[0].products).toEqual([expect.objectContaining({ product: 'users', capacity: 10, used: 4, available: 6 })])
    expect(ok('usage', 'verify', '--json').json()).toMatchObject({ ok: true })
    expect(ok('org', 'list', '--json').json().orgs.map((o: { name: string }) => o.name)).toEqual(['Downtown'])
    expect(ok('sub', 'show', sub.id, '--json').json()).toMatchObject({ id: sub.id })
    for (const list of [['workspace', 'list'], ['account', 'list'], ['sub', 'list'], ['invoice', 'list'], ['pm', 'list', 'A'], ['product', 'list'], ['price', 'list'], ['clock', 'show'], ['account', 'show', 'A']])
      ok(...list, '--json')
    ok('org', 'list')

    expectFailure(run('org', 'create', 'Uptown', '--json'), { exit: 2, code: 'DB_UNWRITABLE', details: { path: db } })
    expectFailure(run('usage', 'record', '--org', 'Downtown', '--product', 'users', '--delta', '1'), { exit: 2, code: 'DB_UNWRITABLE' })
    expectFailure(run('clock', 'advance', '--by', '1d', '--json'), { exit: 2, code: 'DB_UNWRITABLE' })
    expect(snapshot(db)).toEqual(before)
    expect(readdirSync(dir)).toEqual(['wsb.sqlite'])
  })

  it.skipIf(!canSwitchUsers())('read-only media while the owner holds the database open: what is only in the -wal is read too', () => {
    const dir = sharedDir(0o755)
    const homes = sharedDir(0o755)
    const db = join(dir, 'wsb.sqlite')
    expect(wsb(['workspace', 'create', 'Acme', '--mode', 'single'], { db }).code).toBe(0)
    const holder = new Database(db)
    try {
      holder.pragma('wal_autocheckpoint = 0')
      holder.prepare('SELECT count(*) FROM workspaces').get()
      expect(wsb(['org', 'create', 'North'], { db }).code).toBe(0)
      chmodSync(db, 0o444)
      chmodSync(dir, 0o555)
      const files = readdirSync(dir).sort()
      expect(files).toEqual(['wsb.sqlite', 'wsb.sqlite-shm', 'wsb.sqlite-wal'])
      const out = wsbAs('root-without-override', homes, db, ['org', 'list', '--json'])
      expect(out.code, out.stderr).toBe(0)
      expect(out.json().orgs.map((o: { name: string }) => o.name)).toEqual(['North'])
      expect(readdirSync(dir).sort()).toEqual(files)
    } finally {
      chmodSync(dir, 0o755)
      holder.close()
    }
  })
})
