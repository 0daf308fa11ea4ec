// Running the built CLI as another user, for tests of file permissions. Root
// ignores permissions, so as root these tests run wsb through setpriv: as
// another uid, or as root without the capabilities that override file modes
// (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH), for which a 0444 file really is
// read-only. Another uid must be able to read the build: in a checkout under a
// private folder (a fresh `git clone` into `mktemp -d`, mode 0700, as CI does)
// it runs a copy of the build in a folder others may enter. Only without root
// and setpriv are the tests that need them skipped.
import { spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { type CliResult, cleanEnv, WSB } from './cli.js'
import { tempDir } from './temp.js'

const DROP = '-dac_override,-dac_read_search'

export type User = { uid: number } | 'root-without-override'

const prefix = (user: User): string[] =>
  user === 'root-without-override'
    ? [`--bounding-set=${DROP}`, `--inh-caps=${DROP}`]
    : [`--reuid=${user.uid}`, `--regid=${user.uid}`, '--clear-groups', `--bounding-set=${DROP}`, `--inh-caps=${DROP}`]

const OTHER = { uid: 65534 }

/** Whether `user` can read the file `path` (through every folder above it). */
const readable = (user: User, path: string) =>
  spawnSync('setpriv', [...prefix(user), '--', process.execPath, '-e', `require('fs').accessSync(${JSON.stringify(path)}, require('fs').constants.R_OK)`]).status === 0

/**
 * The package as the build, bin/ and dist/ with what they load, copied under a
 * new 0755 folder: hard links where the file system allows (a few seconds for
 * node_modules), else whole copies. The code cache stays behind.
 */
function readableCopy(): string {
  const root = dirname(dirname(WSB))
  const copy = tempDir()
  chmodSync(copy, 0o755)
  for (const entry of ['package.json', 'oclif.manifest.json', 'bin', 'dist', 'migrations', 'node_modules']) {
    const from = join(root, entry)
    if (spawnSync('cp', ['-al', from, copy]).status !== 0 && spawnSync('cp', ['-a', from, copy]).status !== 0) throw new Error(`cannot copy ${from} to ${copy}`)
  }
  spawnSync('rm', ['-rf', join(copy, 'dist', '.v8-cache')])
  return join(copy, 'bin', 'run.cjs')
}

let runnable: string | null | undefined

/**
 * The built CLI (bin/run.cjs) another user can run: WSB itself where other
 * users can read it, else a readable copy; null when this process cannot
 * switch users (not root, or no setpriv).
 */
export function wsbForOtherUsers(): string | null {
  if (runnable !== undefined) return runnable
  if (process.getuid?.() !== 0 || spawnSync('setpriv', ['--version']).status !== 0) runnable = null
  else if (readable(OTHER, WSB)) runnable = WSB
  else {
    const copy = readableCopy()
    if (!readable(OTHER, copy)) throw new Error(`uid ${OTHER.uid} cannot read the copy of the build at ${copy}`)
    runnable = copy
  }
  return runnable
}

/** True when this process can run wsb as other users (root with setpriv). */
export const canSwitchUsers = (): boolean => wsbForOtherUsers() !== null

/**
 * Runs wsb as `user` on the database `db`, with its own home (made under `homes`,
 * owned by the user) so nothing of oclif's is shared between users. SHELL is
 * unset, as under cron or in a container, where oclif would ask the password
 * database, which has no entry for these uids.
 */
export function wsbAs(user: User, homes: string, db: string, args: string[], input = '', extra: Record<string, string | undefined> = {}): CliResult {
  const name = user === 'root-without-override' ? 'root' : String(user.uid)
  const home = join(homes, `home-${name}`)
  mkdirSync(home, { recursive: true, mode: 0o755 })
  if (user !== 'root-without-override') spawnSync('chown', [`${user.uid}:${user.uid}`, home])
  const env = cleanEnv({ WSB_DB: db, HOME: home, XDG_DATA_HOME: home, XDG_CACHE_HOME: home, XDG_CONFIG_HOME: home, SHELL: undefined, ...extra })
  const bin = wsbForOtherUsers()
  if (bin === null) throw new Error('wsbAs needs root and setpriv (check canSwitchUsers() first)')
  const out = spawnSync('setpriv', [...prefix(user), '--', process.execPath, bin, ...args], { env, input, encoding: 'utf8', timeout: 60_000 })
  return { code: out.status ?? -1, stdout: String(out.stdout), stderr: String(out.stderr), json: () => JSON.parse(String(out.stdout)) }
}
