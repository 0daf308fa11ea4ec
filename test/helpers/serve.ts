// The built `wsb serve` as a child process on a free 127.0.0.1 port, and a
// client that talks to it over the network and checks every answer against
// the server's own OpenAPI document (R-API-3).
import { type ChildProcess, spawn } from 'node:child_process'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { cleanEnv, engineDb, WSB, wsb } from './cli.js'

export type Served = {
  url: string
  child: ChildProcess
  /** Everything it logged so far. */
  log: () => string
  /** Settles with the exit code and signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** SIGTERM (or another signal), then the exit. */
  stop: (signal?: NodeJS.Signals) => Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

/** Starts `wsb serve --listen 127.0.0.1:0` on `db` (a test path; engineDb maps it) and waits for its "listening" line. */
export async function serve(db: string, args: string[] = [], env: Record<string, string | undefined> = {}): Promise<Served> {
  const child = spawn(process.execPath, [WSB, 'serve', '--listen', '127.0.0.1:0', ...args], {
    env: cleanEnv({ WSB_DB: engineDb(db), ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout?.on('data', (chunk) => (out += chunk))
  child.stderr?.on('data', (chunk) => (out += chunk))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })))
  const url = await new Promise<string>((resolve, reject) => {
    const check = () => {
      const match = /listening.*?address[=":]+(http:\/\/[0-9.:]+)/.exec(out)
      if (match) resolve(match[1] as string)
    }
    child.stdout?.on('data', check)
    void exited.then(({ code, signal }) => reject(new Error(`wsb serve exited (${code ?? signal}) before listening:\n${out}`)))
  })
  return {
    url,
    child,
    log: () => out,
    exited,
    stop: async (signal = 'SIGTERM') => {
      child.kill(signal)
      return await exited
    },
  }
}

export type Answer = { status: number; headers: Headers; body: any; text: string }

/** Every answer's body is checked against the OpenAPI document of the server that sent it. */
type Validate = (method: string, path: string, status: number, body: unknown) => void
const validators = new Map<string, Promise<Validate>>()

/** One per server (callers at once share it). */
function validatorFor(url: string): Promise<Validate> {
  let validate = validators.get(url)
  if (!validate) validators.set(url, (validate = makeValidator(url)))
  return validate
}

async function makeValidator(url: string): Promise<Validate> {
  const document = (await (await fetch(`${url}/v1/openapi.json`)).json()) as {
    paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>>
  }
  const ajv = new Ajv2020({ strict: false, allErrors: true })
  const compiled = new Map<string, ReturnType<typeof ajv.compile>>()
  return (method, path, status, body) => {
    const operation = document.paths[path]?.[method.toLowerCase()]
    // Routes outside the document (unknown paths) answer with the error object.
    const response = operation?.responses[String(status)]
    if (operation && !response) throw new Error(`${method} ${path} answered ${status}, which its OpenAPI document does not list`)
    const schema = response?.content?.['application/json']?.schema
    if (!schema) return
    const key = `${method} ${path} ${status}`
    let check = compiled.get(key)
    if (!check) compiled.set(key, (check = ajv.compile(schema)))
    if (!check(body)) throw new Error(`${key}: the body does not match the OpenAPI document: ${ajv.errorsText(check.errors)}\n${JSON.stringify(body).slice(0, 2000)}`)
  }
}

/** One request; `key` goes in Authorization: Bearer. The answer is checked against the OpenAPI document. */
export async function call(url: string, method: string, path: string, options: { key?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers }
  if (options.key !== undefined) headers.authorization = `Bearer ${options.key}`
  let body: string | undefined = options.raw
  if (options.body !== undefined) {
    body = JSON.stringify(options.body)
    headers['content-type'] = 'application/json'
  }
  const response = await fetch(`${url}${path}`, { method, headers, body })
  const text = await response.text()
  const json = response.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(text) : undefined
  const validate = await validatorFor(url)
  validate(method, path.split('?')[0] as string, response.status, json)
  return { status: response.status, headers: response.headers, body: json, text }
}

/** A workspace from an apply document (JSON) and an API key of each scope for it. */
export function seed(db: string, document: object): { workspaceId: string; write: string; read: string } {
  const applied = wsb(['apply', '-f', '-', '--json'], { db, input: JSON.stringify(document) })
  if (applied.code !== 0) throw new Error(`apply failed: ${applied.stdout}${applied.stderr}`)
  const workspaceId = applied.json().workspace.id as string
  const key = (scope: string) => {
    const made = wsb(['apikey', 'create', `${scope}-key`, '--scope', scope, '--workspace', workspaceId, '--json'], { db })
    if (made.code !== 0) throw new Error(`apikey create failed: ${made.stdout}${made.stderr}`)
    return made.json().key as string
  }
  return { workspaceId, write: key('usage:write'), read: key('usage:read') }
}

/** A workspace whose only pool holds `capacity` users, with the orgs named (top-level, or "Parent/Child"). */
export function pooled(name: string, capacity: number, orgs: { name: string; limits?: Record<string, number>; children?: { name: string; limits?: Record<string, number> }[] }[]) {
  return {
    version: 1,
    workspace: { name, mode: 'pooled', testClock: true, clockStart: '2026-01-01T00:00:00Z' },
    organizations: orgs,
    accounts: [{ name: `${name} account`, currency: 'USD', subscriptions: [{ label: 'main', items: { users: capacity } }] }],
  }
}

/** `clients` callers at once, each sending its reports one after another (keep-alive): every answer, in no particular order. */
export async function hammer(url: string, key: string, clients: number, perClient: number, reportOf: (client: number, i: number) => object): Promise<{ client: number; report: object; status: number; body: any }[]> {
  const answers: { client: number; report: object; status: number; body: any }[] = []
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      for (let i = 0; i < perClient; i++) {
        const report = reportOf(client, i)
        try {
          const answer = await call(url, 'POST', '/v1/usage', { key, body: report })
          answers.push({ client, report, status: answer.status, body: answer.body })
        } catch (error) {
          // No answer (the connection broke): recorded, for the test to say so with the server's log.
          answers.push({ client, report, status: -1, body: { error: String((error as Error).cause ?? error) } })
        }
      }
    }),
  )
  return answers
}
