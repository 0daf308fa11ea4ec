// The SQLite checkpointer of `wsb serve` (store/checkpoint.ts): a thread with
// a connection of its own, started by the writer thread. Every turn it copies
// the WAL into the database file (PASSIVE: the writer's commits go on
// meanwhile) and, once the WAL has grown past RESTART_FRAMES, tells the writer
// it may finish and reuse the WAL from its start. Its fsyncs block only it.
import { parentPort, workerData } from 'node:worker_threads'
import { catchUpWal } from '../core/store/checkpoint.js'
import { openDb } from '../core/store/open.js'

const port = parentPort
if (!port) throw new Error('internal: the checkpointer runs as a worker thread')
const { target, everyMs, restartFrames } = workerData as { target: string; everyMs: number; restartFrames: number }
const db = openDb(target, { quickCheck: false })
let stopping = false

const turn = () => {
  if (stopping) return
  try {
    const state = catchUpWal(db)
    if (!state.busy && state.frames >= restartFrames) port.postMessage({ type: 'caughtUp', frames: state.frames })
  } catch {
    // A failed checkpoint changes nothing: the next turn tries again (and the writer's own bound stays).
  }
  timer = setTimeout(turn, everyMs)
}
let timer = setTimeout(turn, everyMs)

port.on('message', (message: { type: 'stop' }) => {
  if (message.type !== 'stop') return
  stopping = true
  clearTimeout(timer)
  db.close()
  port.postMessage({ type: 'stopped' })
  port.close()
})
