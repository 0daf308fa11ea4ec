// The server's writer: the group commit (core/usage/group-commit.ts) on the
// one connection that writes. On PostgreSQL it runs in this thread (every
// statement is asynchronous I/O). On SQLite it runs in a worker thread: a
// commit's fsync blocks the thread that runs it (better-sqlite3 is
// synchronous), and measured under load the main thread spent 43% of its time
// there, answering nobody; in a worker, requests keep being read, checked
// and queued while a batch commits.
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { touchApiKeys } from '../core/apikeys/verify.js'
import { contextFor } from '../core/context.js'
import { ExitCode, WsbError } from '../core/errors.js'
import { catchUp } from '../core/lifecycle/run.js'
import type { Db } from '../core/store/db.js'
import type { UsageDecision, UsageReportInput } from '../core/usage/decision.js'
import { GroupCommit, type GroupCommitOptions } from '../core/usage/group-commit.js'
import { resolveWorkspace } from '../core/workspaces/resolve.js'
import type { Connections } from './connections.js'

export type BatchInfo = { reports: number; submissions: number; commitMs: number; committed: boolean }

export type Writer = {
  /** Reports of one workspace, decided in order; settles once committed (QUEUE_FULL, SHUTTING_DOWN at once). */
  submit(workspaceId: string, reports: readonly UsageReportInput[]): Promise<UsageDecision[]>
  /** Reports submitted and not yet answered. */
  readonly depth: number
  /** Runs the lifecycle steps due in a workspace (R-WS-4) on the writing side. */
  catchUp(workspaceId: string): Promise<void>
  /** Stamps API keys' last use. */
  touchKeys(uses: ReadonlyMap<string, number>): Promise<void>
  /** Any other write, between batches (in-process) or on a connection of its own waiting its turn (SQLite). */
  exclusive<T>(work: (db: Db) => Promise<T>): Promise<T>
  /** Refuses new reports; settles once everything submitted is committed and answered. */
  close(): Promise<void>
}

export type WriterOptions = Pick<GroupCommitOptions, 'maxBatch' | 'maxQueue'> & { onBatch: (batch: BatchInfo) => void }

const catchUpIn = async (db: Db, workspaceId: string) => (await catchUp(contextFor(db, await resolveWorkspace(db, workspaceId)))).steps > 0

/** The group commit in this thread, on the connections' writer (reopened when lost). */
export function inProcessWriter(connections: Connections, options: WriterOptions & { onLost: (lost: boolean) => void }): Writer {
  let waiting = 0
  const group = new GroupCommit(() => connections.writer(), {
    maxBatch: options.maxBatch,
    maxQueue: options.maxQueue,
    beforeBatch: async (ctx) => (await catchUp(ctx)).steps > 0,
    isConnectionLost: (error) => {
      const lost = connections.writerFailed(error)
      if (lost) options.onLost(true)
      return lost
    },
    onBatch: options.onBatch,
  })
  return {
    submit: (workspaceId, reports) => {
      const pending = group.submit(workspaceId, reports)
      waiting += reports.length
      return pending.finally(() => (waiting -= reports.length))
    },
    get depth() {
      return waiting
    },
    catchUp: async (workspaceId) => void (await group.exclusive((db) => catchUpIn(db, workspaceId))),
    touchKeys: async (uses) => await group.exclusive((db) => db.write(() => touchApiKeys(db, uses))),
    exclusive: (work) => group.exclusive(work),
    close: () => group.close(),
  }
}

/** The worker's bundle beside this one (dist/server/writer-worker.cjs), when the server runs from dist/. */
export function workerScript(): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url))
  const script = join(here, '..', 'server', 'writer-worker.cjs')
  return existsSync(script) ? script : undefined
}

type Message =
  | { type: 'ready' }
  | { type: 'done'; id: number; value: unknown }
  | { type: 'failed'; id: number; error: { name: string; message: string; code?: string; exitCode?: number; details?: Record<string, unknown> } }
  | { type: 'batch'; batch: BatchInfo }

/** An error as it crossed from the worker: a WsbError again, or an Error with its code. */
function revive(error: Extract<Message, { type: 'failed' }>['error']): Error {
  if (error.name === 'WsbError') return new WsbError(error.code ?? 'UNEXPECTED', error.message, (error.exitCode ?? ExitCode.unexpected) as 1, error.details ?? {})
  return Object.assign(new Error(error.message), error.code ? { code: error.code } : {})
}

/** The group commit in a worker thread on its own SQLite connection (`target`). */
export async function workerWriter(script: string, target: string, options: WriterOptions, side: () => Promise<Db>): Promise<Writer> {
  const worker = new Worker(script, { workerData: { target, maxBatch: options.maxBatch } })
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: unknown) => void; reports: number }>()
  let next = 0
  let waiting = 0
  let closing = false
  let failure: Error | undefined
  const maxQueue = options.maxQueue ?? 20_000
  const ready = new Promise<void>((resolve, reject) => {
    worker.on('message', (message: Message) => {
      if (message.type === 'ready') resolve()
      else if (message.type === 'batch') options.onBatch(message.batch)
      else {
        const call = pending.get(message.id)
        if (!call) return
        pending.delete(message.id)
        waiting -= call.reports
        if (message.type === 'done') call.resolve(message.value)
        else call.reject(revive(message.error))
      }
    })
    const fail = (error: Error) => {
      failure = error
      reject(error)
      for (const call of pending.values()) call.reject(error)
      pending.clear()
      waiting = 0
    }
    worker.on('error', fail)
    worker.on('exit', (code) => fail(new WsbError('WRITER_STOPPED', `the writer thread stopped (exit ${code})`, ExitCode.unexpected)))
  })
  await ready
  const send = <T>(message: Record<string, unknown>, reports = 0): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (failure) throw failure
      const id = next++
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject, reports })
      waiting += reports
      worker.postMessage({ ...message, id })
    })
  let sideDb: Promise<Db> | undefined
  return {
    submit: (workspaceId, reports) => {
      if (closing) throw new WsbError('SHUTTING_DOWN', 'the server is shutting down; retry against another instance', ExitCode.unexpected)
      if (waiting > 0 && waiting + reports.length > maxQueue)
        throw new WsbError('QUEUE_FULL', `${waiting} reports are waiting to be written; retry shortly`, ExitCode.unexpected, { waiting })
      return send<UsageDecision[]>({ type: 'submit', workspaceId, reports }, reports.length)
    },
    get depth() {
      return waiting
    },
    catchUp: (workspaceId) => send({ type: 'catchUp', workspaceId }),
    touchKeys: (uses) => send({ type: 'touchKeys', uses: [...uses] }),
    exclusive: async (work) => await work(await (sideDb ??= side())),
    close: async () => {
      closing = true
      if (!failure) await send({ type: 'close' })
      await worker.terminate()
      if (sideDb) (await sideDb).close()
    },
  }
}
