// The SQLite writer thread of `wsb serve` (writer.ts): the group commit on a
// connection of its own, answering the main thread's messages. Its fsyncs
// block only this thread.
import { parentPort, workerData } from 'node:worker_threads'
import { touchApiKeys } from '../core/apikeys/verify.js'
import { contextFor } from '../core/context.js'
import { isWsbError } from '../core/errors.js'
import { catchUp } from '../core/lifecycle/run.js'
import { openDb } from '../core/store/open.js'
import { GroupCommit } from '../core/usage/group-commit.js'
import { resolveWorkspace } from '../core/workspaces/resolve.js'

const port = parentPort
if (!port) throw new Error('internal: the writer runs as a worker thread')
const { target, maxBatch } = workerData as { target: string; maxBatch?: number }
const db = openDb(target)
const group = new GroupCommit(async () => db, {
  maxBatch,
  // The main thread bounds the queue (it answers 429 before anything is sent here).
  maxQueue: Number.POSITIVE_INFINITY,
  beforeBatch: async (ctx) => (await catchUp(ctx)).steps > 0,
  onBatch: (batch) => port.postMessage({ type: 'batch', batch }),
})

const plain = (error: unknown) => {
  const e = error as { name?: string; message?: string; code?: string; exitCode?: number; details?: Record<string, unknown> }
  return isWsbError(error)
    ? { name: 'WsbError', message: error.message, code: error.code, exitCode: error.exitCode, details: error.details }
    : { name: e?.name ?? 'Error', message: e?.message ?? String(error), code: typeof e?.code === 'string' ? e.code : undefined }
}

type Message =
  | { type: 'submit'; id: number; workspaceId: string; reports: [] }
  | { type: 'catchUp'; id: number; workspaceId: string }
  | { type: 'touchKeys'; id: number; uses: [string, number][] }
  | { type: 'close'; id: number }

port.on('message', (message: Message) => {
  const answer = (work: () => Promise<unknown>) =>
    work().then(
      (value) => port.postMessage({ type: 'done', id: message.id, value }),
      (error: unknown) => port.postMessage({ type: 'failed', id: message.id, error: plain(error) }),
    )
  switch (message.type) {
    case 'submit':
      void answer(async () => await group.submit(message.workspaceId, message.reports))
      break
    case 'catchUp':
      void answer(() => group.exclusive(async (writer) => void (await catchUp(contextFor(writer, await resolveWorkspace(writer, message.workspaceId))))))
      break
    case 'touchKeys':
      void answer(() => group.exclusive((writer) => writer.write(() => touchApiKeys(writer, new Map(message.uses)))))
      break
    case 'close':
      void answer(async () => {
        await group.close()
        db.close()
      })
      break
  }
})
port.postMessage({ type: 'ready' })
