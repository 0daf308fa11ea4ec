// A TCP relay in front of a PostgreSQL server that counts, from the bytes a
// client sends, how many connections it opened and how many times it waited
// for the server: the startup message, each password/SASL answer ('p'), each
// simple query ('Q') and each Sync ('S', the end of an extended-protocol
// statement). Nothing is changed on the way. For the round-trip budget tests
// and the bench (bench/pg-cold.ts); no vitest import here.
import { createServer, type Server, type Socket, connect } from 'node:net'

export type RoundTrips = {
  connections: number
  /** Startup and authentication exchanges (startup message, password/SASL answers). */
  connect: number
  /** Statements sent and waited for: simple queries and extended-protocol Syncs. */
  queries: number
  /** The simple-query texts and the parsed statements, in order (for a failure's message). */
  texts: string[]
}

export type CountingRelay = {
  /** `url` with its host and port pointed at the relay. */
  url: string
  /** The counts since the last `reset`. */
  counts(): RoundTrips
  reset(): void
  close(): Promise<void>
}

const SSL_REQUEST = 80877103
const GSSENC_REQUEST = 80877104

/** Counts one client's messages as they arrive in chunks. */
function clientParser(counts: RoundTrips): (chunk: Buffer) => void {
  let pending: Buffer = Buffer.alloc(0)
  let startup = true
  return (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk])
    for (;;) {
      if (startup) {
        if (pending.length < 8) return
        const length = pending.readInt32BE(0)
        if (pending.length < length) return
        const code = pending.readInt32BE(4)
        pending = pending.subarray(length)
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) continue
        counts.connect++
        startup = false
        continue
      }
      if (pending.length < 5) return
      const type = String.fromCharCode(pending[0] as number)
      const length = pending.readInt32BE(1)
      if (pending.length < 1 + length) return
      const body = pending.subarray(5, 1 + length)
      pending = pending.subarray(1 + length)
      if (type === 'p') counts.connect++
      else if (type === 'Q') {
        counts.queries++
        counts.texts.push(body.toString('utf8', 0, body.length - 1))
      } else if (type === 'S') counts.queries++
      else if (type === 'P') {
        // Parse: statement name, then the text (both NUL-terminated).
        const nameEnd = body.indexOf(0)
        counts.texts.push(body.toString('utf8', nameEnd + 1, body.indexOf(0, nameEnd + 1)))
      }
    }
  }
}

/** Starts a relay on 127.0.0.1 to the server of `url` (a postgres:// URL). */
export async function countingRelay(url: string): Promise<CountingRelay> {
  const target = new URL(url)
  const fresh = (): RoundTrips => ({ connections: 0, connect: 0, queries: 0, texts: [] })
  let counts = fresh()
  const sockets = new Set<Socket>()
  const server: Server = createServer((client) => {
    counts.connections++
    const upstream = connect(Number(target.port || 5432), target.hostname)
    sockets.add(client).add(upstream)
    const parse = clientParser(counts)
    client.on('data', (chunk: Buffer) => {
      parse(chunk)
      upstream.write(chunk)
    })
    upstream.on('data', (chunk: Buffer) => client.write(chunk))
    const end = () => {
      client.destroy()
      upstream.destroy()
      sockets.delete(client)
      sockets.delete(upstream)
    }
    client.on('close', end).on('error', end)
    upstream.on('close', end).on('error', end)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('the relay has no TCP port')
  const relayed = new URL(url)
  relayed.hostname = '127.0.0.1'
  relayed.port = String(address.port)
  return {
    url: relayed.toString(),
    counts: () => ({ ...counts, texts: [...counts.texts] }),
    reset: () => {
      counts = fresh()
    },
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
