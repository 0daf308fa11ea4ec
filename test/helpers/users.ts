// Running the built CLI as another user, for tests of file permissions. Root
// ignores permissions, so as root these tests run wsb through setpriv: as
// another uid, or as root without the capabilities that override file modes
// (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH), for which a 0444 file really is
// read-only. Where neither is possible the tests that need them are skipped.
import { spawnSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { type CliResult, cleanEnv, WSB } from './cli.js'

const DROP = '-dac_override,-dac_read_search'

export type User = { uid: number } | 'root-without-override'

const prefix = (user: User): string[] =>
  user === 'root-without-override'
    ? [`--bounding-set=${DROP}`, `--inh-caps=${DROP}`]
    : [`--reuid=${user.uid}`, `--regid=${user.uid}`, '--clear-groups', `--bounding-set=${DROP}`, `--inh-caps=${DROP}`]

/** True when this process can run wsb as other users (root with setpriv, and the build readable by them). */
export function canSwitchUsers(): boolean {
  if (process.getuid?.() !== 0) return false
  const probe = spawnSync('setpriv', [...prefix({ uid: 65534 }), '--', process.execPath, '-e', `require('fs').accessSync(${JSON.stringify(WSB)}, require('fs').constants.R_OK)`])
  return probe.status === 0
}

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
  const out = spawnSync('setpriv', [...prefix(user), '--', process.execPath, WSB, ...args], { env, input, encoding: 'utf8', timeout: 60_000 })
  return { code: out.status ?? -1, stdout: String(out.stdout), stderr: String(out.stderr), json: () => JSON.parse(String(out.stdout)) }
}
