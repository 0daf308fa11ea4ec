// A real terminal for tests: a private tmux server (its own socket in a temp
// dir, no config file) whose panes are 80 columns wide. Each command runs in a
// pane under pane-run.mjs (no shell), so Ctrl-C typed into the pane reaches it as
// a terminal sends it; the pane, kept after exit, tells the terminal's modes
// (line wrap) the process left behind, and pane-run.mjs its exit status.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { cleanEnv } from './cli.js'
import { tempDir } from './temp.js'

export const hasTmux = spawnSync('tmux', ['-V']).status === 0
export const noTmux = hasTmux ? '' : ' (skipped: tmux is not installed, so there is no real terminal to run in)'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const PANE_RUN = fileURLToPath(new URL('./pane-run.mjs', import.meta.url))

export class Tmux {
  private readonly dir = tempDir()
  private readonly socket = join(this.dir, 'tmux.sock')
  private sessions = 0
  // The server's environment: no COLUMNS or LINES, so width comes from the terminal itself.
  private readonly env = cleanEnv({ COLUMNS: undefined, LINES: undefined, TERM: 'xterm-256color' })

  private tmux(args: string[]): string {
    const out = spawnSync('tmux', ['-S', this.socket, '-f', '/dev/null', ...args], { env: this.env, encoding: 'utf8', timeout: 30_000 })
    if (out.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${out.stderr}`)
    return out.stdout
  }

  /** Starts `argv` in a new 80×50 pane with `env` added, stdin the terminal or `stdin` (a file or FIFO); the pane stays after the process exits. Returns its target. */
  start(argv: string[], env: Record<string, string> = {}, stdin = '-'): string {
    const name = `t${++this.sessions}`
    const vars = Object.entries(env).flatMap(([key, value]) => ['-e', `${key}=${value}`])
    const size = { columns: 80, rows: 50 }
    // remain-on-exit set before the pane starts: a fast command cannot take its pane with it.
    this.tmux(['start-server', ';', 'set-option', '-g', 'remain-on-exit', 'on', ';', 'new-session', '-d', '-s', name, '-x', String(size.columns), '-y', String(size.rows), ...vars, process.execPath, PANE_RUN, this.statusFile(name), stdin, ...argv])
    return name
  }

  /** A tmux format (#{pane_width}, #{wrap_flag} …) of the pane. */
  format(target: string, format: string): string {
    return this.tmux(['display-message', '-p', '-t', target, format]).trimEnd()
  }

  /** The pane's whole text (history included), without tmux's "Pane is dead" line and trailing empty lines; `joined`: lines the terminal wrapped joined back into one. */
  capture(target: string, joined: boolean): string[] {
    const lines = this.tmux(['capture-pane', '-p', '-t', target, '-S', '-', ...(joined ? ['-J'] : [])])
      .split('\n')
      .filter((line) => !line.startsWith('Pane is dead'))
    while (lines.length && (lines.at(-1) as string).trim() === '') lines.pop()
    return lines
  }

  sendKeys(target: string, ...keys: string[]): void {
    this.tmux(['send-keys', '-t', target, ...keys])
  }

  private statusFile(target: string): string {
    return join(this.dir, `${target}.status`)
  }

  /** Waits until the pane's command has exited and its pane has closed: the exit status ("signal SIGINT" if killed by one). */
  async exited(target: string, timeoutMs = 60_000): Promise<number | string> {
    for (const start = Date.now(); Date.now() - start < timeoutMs; await sleep(100)) {
      if (existsSync(this.statusFile(target)) && this.format(target, '#{pane_dead}') === '1') {
        const status = readFileSync(this.statusFile(target), 'utf8')
        return /^\d+$/.test(status) ? Number(status) : status
      }
    }
    const recorded = existsSync(this.statusFile(target)) ? `it exited (${readFileSync(this.statusFile(target), "utf8")}) but the pane did not close` : "it is still running"
    throw new Error(`the process in tmux pane ${target} did not finish within ${timeoutMs} ms (${recorded}):\n${this.capture(target, true).join('\n')}`)
  }

  kill(): void {
    spawnSync('tmux', ['-S', this.socket, 'kill-server'], { env: this.env })
  }
}
