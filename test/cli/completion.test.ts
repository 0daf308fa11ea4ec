// Issue 15: shell completion of flag values. The bash script that
// `wsb autocomplete` generates is sourced in a real bash, its completion
// function called with COMP_WORDS/COMP_CWORD set as bash sets them on Tab, and
// COMPREPLY read back: fixed values of flags, and names read from the database
// through the hidden `wsb __complete KIND`.
import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { cleanEnv, engineDb, WSB, wsb } from '../helpers/cli.js'
import { tempDir } from '../helpers/temp.js'

const onPostgres = process.env.WSB_TEST_ENGINE === 'postgres'
const quote = (word: string) => `'${word.replaceAll("'", "'\\''")}'`

let cache: string
let bin: string
let dbPath: string
let db: string

/** COMPREPLY after Tab with these words (the last one is the word being completed). */
function complete(words: string[], env: Record<string, string | undefined> = { WSB_DB: db }): string[] {
  const script = join(cache, 'wsb', 'autocomplete', 'functions', 'bash', 'wsb.bash')
  const line = `source ${quote(script)}; COMP_WORDS=(${words.map(quote).join(' ')}); COMP_CWORD=${words.length - 1}; _wsb_complete; printf '%s\\n' "\${COMPREPLY[@]}"`
  const out = spawnSync('bash', ['--norc', '--noprofile', '-c', line], {
    env: cleanEnv({ PATH: `${bin}:${process.env.PATH}`, XDG_CACHE_HOME: cache, ...env }),
    encoding: 'utf8',
    timeout: 60_000,
  })
  expect(out.stderr).toBe('')
  expect(out.status).toBe(0)
  return out.stdout.split('\n').filter(Boolean).sort()
}

beforeAll(() => {
  cache = tempDir()
  // `wsb` on the PATH, as `npm link` puts it there.
  bin = tempDir()
  writeFileSync(join(bin, 'wsb'), `#!/bin/sh\nexec ${quote(process.execPath)} ${quote(WSB)} "$@"\n`)
  chmodSync(join(bin, 'wsb'), 0o755)
  const made = wsb(['autocomplete', '--refresh-cache'], { env: { XDG_CACHE_HOME: cache } })
  expect(made.code).toBe(0)
  dbPath = join(tempDir(), 'wsb.sqlite')
  db = engineDb(dbPath)
  for (const args of [
    ['workspace', 'create', 'Global Corp', '--mode', 'assigned'],
    ['workspace', 'create', 'Franchise Co', '--mode', 'pooled'],
    ['org', 'create', 'USA Operations', '-w', 'Global Corp'],
    ['org', 'create', 'Sales Team', '--parent', 'USA Operations', '-w', 'Global Corp'],
    ['org', 'create', 'EU', '-w', 'Global Corp'],
    ['org', 'create', 'Sales Team', '--parent', 'EU', '-w', 'Global Corp'],
    ['account', 'create', 'Global Corp USA', '--currency', 'USD', '--org', 'USA Operations', '-w', 'Global Corp'],
    ['account', 'create', 'Franchise East', '--currency', 'EUR', '-w', 'Franchise Co'],
    ['coupon', 'create', 'WELCOME10', '--percent-off', '10', '--duration', 'once', '-w', 'Franchise Co'],
  ])
    expect(wsb(args, { db: dbPath }).code, args.join(' ')).toBe(0)
})

describe('shell completion of flag values (bash, real)', () => {
  it('fixed values of option flags: statuses, modes, intervals, buckets, views', () => {
    expect(complete(['wsb', 'invoice', 'list', '--status', ''])).toEqual(['open', 'paid', 'uncollectible', 'void'])
    expect(complete(['wsb', 'sub', 'list', '--status', 'p'])).toEqual(['past_due'])
    expect(complete(['wsb', 'workspace', 'create', 'X', '--mode', ''])).toEqual(['assigned', 'pooled', 'single'])
    expect(complete(['wsb', 'price', 'set', 'users', '--interval', ''])).toEqual(['month', 'year'])
    expect(complete(['wsb', 'usage', 'history', '--bucket', ''])).toEqual(['day', 'hour', 'month', 'week'])
    expect(complete(['wsb', 'usage', 'report', '--by', 'o'])).toEqual(['org'])
    expect(complete(['wsb', 'coupon', 'create', 'C', '--duration', 'r'])).toEqual(['repeating'])
  })

  it('--flag=value, as bash splits it at "="', () => {
    expect(complete(['wsb', 'workspace', 'create', 'X', '--mode', '='])).toEqual(['assigned', 'pooled', 'single'])
    expect(complete(['wsb', 'workspace', 'create', 'X', '--mode', '=', 'po'])).toEqual(['pooled'])
  })

  it('workspace names for --workspace and -w, escaped for the shell', () => {
    expect(complete(['wsb', 'org', 'list', '--workspace', ''])).toEqual(['Franchise\\ Co', 'Global\\ Corp'])
    expect(complete(['wsb', 'sub', 'list', '-w', 'gl'])).toEqual(['Global\\ Corp'])
  })

  it('account, org (by path where a name repeats), product and coupon names of the workspace on the line', () => {
    expect(complete(['wsb', 'sub', 'list', '-w', 'Global Corp', '--account', ''])).toEqual(['Global\\ Corp\\ USA'])
    expect(complete(['wsb', 'sub', 'list', '--account', ''])).toEqual(['Franchise\\ East', 'Global\\ Corp\\ USA'])
    expect(complete(['wsb', 'usage', 'report', '-w', 'Global Corp', '--org', ''])).toEqual([
      'EU',
      'EU/Sales\\ Team',
      'USA\\ Operations',
      'USA\\ Operations/Sales\\ Team',
    ])
    expect(complete(['wsb', 'org', 'create', 'New', '-w', 'Global\\ Corp', '--parent', 'us'])).toEqual(['USA\\ Operations', 'USA\\ Operations/Sales\\ Team'])
    expect(complete(['wsb', 'usage', 'record', '-w', 'Global Corp', '--product', 's'])).toEqual(['sso_connections'])
    expect(complete(['wsb', 'account', 'discount', 'Franchise East', '-w', 'Franchise Co', '--coupon', ''])).toEqual(['WELCOME10'])
  })

  it('names as positional arguments: the account of account show / sub add, the org of org show, after flags and their values', () => {
    expect(complete(['wsb', 'account', 'show', ''])).toEqual(['Franchise\\ East', 'Global\\ Corp\\ USA'])
    expect(complete(['wsb', 'sub', 'add', '-w', 'Franchise Co', 'f'])).toEqual(['Franchise\\ East'])
    expect(complete(['wsb', 'org', 'show', '--workspace', '=', 'Global Corp', '--json', 'e'])).toEqual(['EU', 'EU/Sales\\ Team'])
    expect(complete(['wsb', 'workspace', 'show', 'G'])).toEqual(['Global\\ Corp'])
    // pm add ACCOUNT PAYMENT_METHOD: the second argument is not a name wsb can offer.
    expect(complete(['wsb', 'pm', 'add', 'Franchise East', ''])).not.toContain('Franchise\\ East')
    expect(complete(['wsb', 'autocomplete', ''])).toEqual(['bash', 'powershell', 'zsh'])
  })

  it('commands and flag names still complete as before', () => {
    expect(complete(['wsb', 'inv'])).toContain('invoice')
    expect(complete(['wsb', 'invoice', 'list', '--st'])).toEqual(['--status'])
    // A value nothing is known about: nothing, rather than command names.
    expect(complete(['wsb', 'account', 'create', 'X', '--currency', ''])).toEqual([])
  })
})

describe.skipIf(onPostgres)('completion and the database file (SQLite)', () => {
  it('--db on the line is the database read (WSB_DB unset)', () => {
    expect(complete(['wsb', 'org', 'show', '--db', dbPath, '-w', 'Global Corp', '--workspace', ''], { WSB_DB: undefined })).toEqual(['Franchise\\ Co', 'Global\\ Corp'])
    expect(complete(['wsb', 'usage', 'report', '--db', '=', dbPath, '--org', 'eu'], { WSB_DB: undefined })).toEqual(['EU', 'EU/Sales\\ Team'])
  })

  it('no database: no names, nothing created, no error on the terminal', () => {
    const dir = tempDir()
    expect(complete(['wsb', 'sub', 'list', '--account', ''], { WSB_DB: join(dir, 'missing.sqlite') })).toEqual([])
    expect(complete(['wsb', 'sub', 'list', '--db', join(dir, 'typo', 'x.sqlite'), '--account', ''], { WSB_DB: undefined })).toEqual([])
    expect(readdirSync(dir)).toEqual([])
  })

  it('wsb __complete: one name a line; silent (stdout and stderr) and exit 0 when anything is wrong', () => {
    const out = wsb(['__complete', 'accounts', '-w', 'Global Corp'], { db: dbPath })
    expect(out).toMatchObject({ code: 0, stdout: 'Global Corp USA\n', stderr: '' })
    const missing = join(tempDir(), 'none.sqlite')
    for (const args of [['__complete', 'orgs', '--db', missing], ['__complete', 'bogus', '--db', dbPath], ['__complete', '--db', dbPath], ['__complete', 'orgs', '--db', '']])
      expect(wsb(args), args.join(' ')).toMatchObject({ code: 0, stdout: '', stderr: '' })
    expect(existsSync(missing)).toBe(false)
    expect(wsb(['--help']).stdout).not.toContain('__complete')
  })
})

describe('the generated zsh script', () => {
  it('completes names for --workspace/-w, --account, --org through wsb __complete; fixed values stay the plugin\'s', () => {
    const zsh = readFileSync(join(cache, 'wsb', 'autocomplete', 'functions', 'zsh', '_wsb'), 'utf8')
    expect(zsh.split('\n')[0]).toBe('#compdef wsb')
    expect(zsh).toContain('{-w,--workspace}"[Workspace id or name. Default: the only workspace in the database.]:workspace:_wsb_complete_names workspaces"')
    expect(zsh).toMatch(/--account"\[[^\n]*\]:account:_wsb_complete_names accounts"/)
    expect(zsh).toMatch(/--org"\[[^\n]*\]:org:_wsb_complete_names orgs"/)
    expect(zsh).toContain('status options:(open paid uncollectible void)')
    expect(zsh).toContain('wsb __complete $kind $args')
  })
})
