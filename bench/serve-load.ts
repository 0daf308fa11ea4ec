// The load client of the serve benchmark, in a process of its own: `connections`
// keep-alive connections, each sending one request after another for `seconds`
// (closed loop), or paced to a total `rate` per second (latency then counts
// from when each request was due, so a stall is not hidden). Prints JSON.
import { Agent, request } from 'node:http'

type Options = { url: string; path: string; key?: string; connections: number; seconds: number; reports: number; tag: string; rate?: number }
const options = JSON.parse(process.argv[2] ?? '{}') as Options
const target = new URL(options.path, options.url)
const agent = new Agent({ keepAlive: true, maxSockets: options.connections })
const orgs = ['o0', 'o1', 'o2', 'o3', 'o4', 'o5', 'o6', 'o7']

let sequence = 0
function body(): string {
  const one = () => {
    const n = sequence++
    return { org: `${orgs[n % 8]}/c${n % 5}`, product: 'users', delta: 1, key: `${options.tag}-${n}` }
  }
  return JSON.stringify(options.reports === 1 ? one() : Array.from({ length: options.reports }, one))
}

function send(text: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...(options.key ? { authorization: `Bearer ${options.key}` } : {}) },
      },
      (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode ?? 0))
      },
    )
    req.on('error', reject)
    req.end(text)
  })
}

const latencies: number[] = []
const statuses: Record<string, number> = {}
let errors = 0
const started = performance.now()
const end = started + options.seconds * 1000
const interval = options.rate ? (1000 * options.connections) / options.rate : 0

await Promise.all(
  Array.from({ length: options.connections }, async (_, c) => {
    let due = started + (interval * c) / options.connections
    while (performance.now() < end) {
      if (interval > 0) {
        const wait = due - performance.now()
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
      }
      const from = interval > 0 ? due : performance.now()
      due += interval
      try {
        const status = await send(body())
        statuses[status] = (statuses[status] ?? 0) + 1
        latencies.push(performance.now() - from)
      } catch {
        errors++
      }
    }
  }),
)
const ms = performance.now() - started
latencies.sort((a, b) => a - b)
const at = (p: number) => Math.round((latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0) * 100) / 100
agent.destroy()
process.stdout.write(JSON.stringify({ requests: latencies.length, perSecond: Math.round(latencies.length / (ms / 1000)), p50: at(0.5), p99: at(0.99), statuses, errors }))
