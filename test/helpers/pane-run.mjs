// Runs a command in a tmux pane (test/helpers/tmux.ts) and writes how it ended
// to a file: tmux's own #{pane_dead_status} is not always filled in on a busy
// machine. Ctrl-C typed into the pane reaches both processes (one process group);
// this one ignores it and waits, the command handles it as it would anywhere.
// argv: STATUS_FILE STDIN (a file or FIFO to read, or - for the terminal) COMMAND ARG…
import { spawn } from 'node:child_process'
import { openSync, writeFileSync } from 'node:fs'

const [statusFile, stdin, command, ...args] = process.argv.slice(2)
process.on('SIGINT', () => {})
const child = spawn(command, args, { stdio: [stdin === '-' ? 'inherit' : openSync(stdin, 'r'), 'inherit', 'inherit'] })
child.on('exit', (code, signal) => {
  writeFileSync(statusFile, code === null ? `signal ${signal}` : String(code))
  process.exitCode = code ?? 1
})
