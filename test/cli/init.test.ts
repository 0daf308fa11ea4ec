// Issue 15: `wsb init` creates a database explicitly and nothing else; on one
// that exists it says so and changes nothing. Reading commands point to it.
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'
import { describe, expect, inject, it } from 'vitest'
import { engineDb, wsb } from '../helpers/cli.js'
import { tempDir } from '../helpers/temp.js'

const onPostgres = process.env.WSB_TEST_ENGINE === 'postgres'
const digest = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex')

describe.skipIf(onPostgres)('wsb init (SQLite file)', () => {
  it('creates the file and its folder with the schema, no workspace; --json names what it did', () => {
    const dir = tempDir()
    const file = join(dir, 'new-folder', 'billing.sqlite')
    const out = wsb(['init', '--db', file, '--json'])
    expect(out.code).toBe(0)
    const result = out.json()
    expect(result).toEqual({ engine: 'sqlite', database: file, created: true, migrationsApplied: result.migrations, migrations: result.migrations })
    expect(result.migrations).toBeGreaterThan(0)
    expect(existsSync(file)).toBe(true)
    expect(wsb(['workspace', 'list', '--db', file, '--json']).json()).toEqual({ workspaces: [] })
  })

  it('a second init says the database exists and leaves its bytes as they were (exit 0)', () => {
    const file = join(tempDir(), 'wsb.sqlite')
    expect(wsb(['init', '--db', file]).stdout).toContain(`Created the SQLite database ${file}`)
    expect(wsb(['workspace', 'create', 'Kept', '--mode', 'single', '--db', file]).code).toBe(0)
    const before = digest(file)
    const again = wsb(['init', '--db', file])
    expect(again.code).toBe(0)
    expect(again.stdout).toBe(`The SQLite database ${file} already exists and is up to date; nothing changed.\n`)
    expect(wsb(['init', '--db', file, '--json']).json()).toMatchObject({ created: false, migrationsApplied: 0 })
    expect(digest(file)).toBe(before)
    expect(wsb(['workspace', 'list', '--db', file]).stdout).toContain('Kept')
  })

  it('init with WSB_DB, and the default file when neither is given', () => {
    const dir = tempDir()
    expect(wsb(['init'], { env: { WSB_DB: join(dir, 'env.sqlite') } }).code).toBe(0)
    expect(existsSync(join(dir, 'env.sqlite'))).toBe(true)
    const xdg = tempDir()
    expect(wsb(['init'], { env: { XDG_DATA_HOME: xdg } }).code).toBe(0)
    expect(existsSync(join(xdg, 'wsb', 'wsb.sqlite'))).toBe(true)
  })

  it('a reading command on a missing file: DB_NOT_FOUND (exit 3) pointing to wsb init, nothing created', () => {
    const dir = tempDir()
    const missing = join(dir, 'missing.sqlite')
    const out = wsb(['org', 'list', '--db', missing])
    expect(out.code).toBe(3)
    expect(out.stderr).toContain('wsb init')
    expect(out.stderr).toContain('workspace create')
    expect(wsb(['org', 'list', '--db', missing, '--json']).json().error.message).toContain('wsb init')
    expect(readdirSync(dir)).toEqual([])
  })

  it('init on a file that is not a database refuses it and leaves it alone', () => {
    const dir = tempDir()
    const file = join(dir, 'notes.txt')
    writeFileSync(file, 'not a database, just text that is long enough to be read as a header.....................')
    const before = digest(file)
    const out = wsb(['init', '--db', file, '--json'])
    expect(out.code).toBe(2)
    expect(out.json().error.code).toBe('DB_NOT_SQLITE')
    expect(digest(file)).toBe(before)
  })
})

describe.runIf(onPostgres)('wsb init (PostgreSQL URL)', () => {
  /** A new empty database of this name (dropped first if it exists). */
  async function dropAndCreate(name: string): Promise<void> {
    const admin = new pg.Client({ connectionString: inject('wsbPostgresUrl') })
    await admin.connect()
    await admin.query(`DROP DATABASE IF EXISTS ${name}`)
    await admin.query(`CREATE DATABASE ${name}`)
    await admin.end()
  }

  it('applies the migrations to an empty database, saying it made the schema in it, then says it exists and applies nothing', async () => {
    const server = new URL(inject('wsbPostgresUrl'))
    const name = `${inject('wsbPostgresPrefix')}_init_${process.pid}`
    await dropAndCreate(name)
    server.pathname = `/${name}`
    const url = server.toString()
    // Issue 25: the database existed (CREATE DATABASE above); wsb made its schema, it did not create it.
    const said = wsb(['init', '--db', url])
    expect(said.stdout).toMatch(/^Made wsb's schema in the existing PostgreSQL database postgresql:\/\/[^\n]+ \(\d+ migrations\)\./)
    expect(said.stdout).not.toContain('Created')
    await dropAndCreate(name)
    const first = wsb(['init', '--db', url, '--json'])
    expect(first.code).toBe(0)
    const result = first.json()
    expect(result).toMatchObject({ engine: 'postgres', created: true })
    expect(result.migrationsApplied).toBe(result.migrations)
    expect(result.migrations).toBeGreaterThan(0)
    const again = wsb(['init', '--db', url])
    expect(again.code).toBe(0)
    expect(again.stdout).toContain('already exists and is up to date; nothing changed')
    expect(wsb(['workspace', 'list', '--db', url, '--json']).json()).toEqual({ workspaces: [] })
  })

  it('a database made from the migrated template: already up to date', () => {
    const url = engineDb(join(tempDir(), 'wsb.sqlite'))
    expect(wsb(['init', '--db', url, '--json']).json()).toMatchObject({ engine: 'postgres', created: false, migrationsApplied: 0 })
  })
})
