// A strict, in-process fake of the Stripe API for tests that drive the real
// `stripe` SDK. Every request is checked against Stripe's OpenAPI
// description (unknown or missing parameters answer 400, as Stripe does),
// idempotency keys replay like Stripe's for 24 hours of the fake's own clock
// (409 while the first request with a key is still running), and failures can
// be injected. It keeps state as Stripe does: PaymentIntents that wait for the
// customer to authenticate, cancel, settle; customers that can be deleted;
// mandates for bank debits; keys that get rolled or restricted; and every
// change as an Event that tests send, signed, to a webhook endpoint.
// State lives in memory, one server per test file.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import Stripe from 'stripe'
import type { CardInput, TestCard } from './stripe-fake-cards.js'
import { StripeApiError, type StripeErrorBody, invalidRequest, notModelled } from './stripe-fake-errors.js'
import { FormDecodeError, type FormObject, canonicalJson, decodeForm } from './stripe-fake-form.js'
import { findRoute, isExpandable, stripeSpec, validateParams } from './stripe-fake-oas.js'
import { EXPANDABLE, authenticateIntent, deleteCustomer, detachPaymentMethod, expand, handlers, settleIntent } from './stripe-fake-resources.js'
import { type Customer, type Mandate, type PaymentIntent, type StoredPaymentMethod, type StripeEvent, StripeFakeState, newId } from './stripe-fake-state.js'

export type { CardInput, TestCard } from './stripe-fake-cards.js'
export type { Customer, Mandate, PaymentIntent, PaymentMethod, StoredPaymentMethod, StripeEvent } from './stripe-fake-state.js'

/** Stripe keeps an idempotency key's first answer this long, then forgets it. */
export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000

/** A webhook delivery: the body Stripe posts and its `Stripe-Signature` header. */
export type SignedEvent = { payload: string; signature: string }

export type RecordedRequest = {
  method: string
  /** The URL path without the query string. */
  path: string
  /** Decoded query string (GET parameters). */
  query: FormObject
  idempotencyKey: string | undefined
  stripeVersion: string | undefined
  headers: Record<string, string | string[] | undefined>
  /** The form body decoded into nested objects and arrays (values stay strings). */
  body: FormObject
  rawBody: string
  /** The HTTP status answered; 0 when the socket was destroyed instead. */
  status: number
  /** Answered from the idempotency store, without side effects. */
  replayed: boolean
  /** Answered (or dropped) by `failNext`. */
  injected: boolean
}

/**
 * 'network' drops the socket, a number answers that status with an api_error,
 * and an object answers its status with its error body, in any of Stripe's
 * documented shapes. `{authorization}` in its message is replaced by the
 * request's Authorization header: a hostile or buggy server echoing the key.
 */
export type FailureMode = 'network' | number | { status: number; error: StripeErrorBody }

export type StripeFakeOptions = {
  /** The fake's clock in milliseconds: creation times, card expiry, idempotency expiry. Defaults to Date.now; `advanceTime` moves it on. */
  now?: () => number
}

export type StripeFake = {
  /** e.g. http://127.0.0.1:54321 */
  url: string
  host: string
  port: number
  requests: RecordedRequest[]
  customers: ReadonlyMap<string, Customer>
  paymentMethods: ReadonlyMap<string, StoredPaymentMethod>
  paymentIntents: ReadonlyMap<string, PaymentIntent>
  mandates: ReadonlyMap<string, Mandate>
  /** Every event so far, oldest first. */
  events: readonly StripeEvent[]
  /** The fake's clock now (ms). */
  now(): number
  /** Moves the fake's clock on (idempotency keys older than 24 h are then forgotten). */
  advanceTime(ms: number): void
  /**
   * Makes the next `count` requests fail. 'network' destroys the socket
   * without answering; a number answers that status with an api_error body.
   * `when: 'before'` (default) fails before any side effect; 'after' runs the
   * request (storing its idempotent result) and then loses the answer, the
   * case idempotency keys exist for.
   */
  failNext(count: number, how: FailureMode, when?: 'before' | 'after'): void
  /**
   * Called as each request arrives, before it is answered; the answer waits for
   * the returned promise. Tests kill the client here, at a chosen request.
   */
  onRequest: ((request: RecordedRequest) => void | Promise<void>) | undefined
  /**
   * Called once a request has run (its side effects done, its events recorded, its idempotent
   * answer kept), before the answer is sent; the answer waits for the returned promise. Tests
   * deliver a webhook here, before the client hears the answer, or kill the client between a
   * charge and its record.
   */
  onAnswer: ((request: RecordedRequest) => void | Promise<void>) | undefined
  /** Drops the failures still queued; returns how many there were. */
  clearFailures(): number
  /** Adds a test token like `pm_card_visa`; attaching it creates a fresh `pm_…`. */
  addCard(id: string, card: CardInput): void
  /** The card behind a PaymentMethod id or a test token. */
  card(id: string): TestCard | undefined
  /** Forgets every stored idempotent answer, as Stripe does after 24 hours. */
  forgetIdempotencyKeys(): void
  /** Ends a `processing` PaymentIntent (a bank debit) as succeeded or failed with a code. */
  settle(paymentIntentId: string, outcome: 'succeeded' | { code: string; decline_code?: string; message: string }): void
  /** The customer authenticates a PaymentIntent waiting for them (3-D Secure): it succeeds, or fails authentication. */
  authenticate(paymentIntentId: string, outcome?: 'succeeded' | 'failed'): void
  /** Deletes a customer as the Dashboard would (its methods detached); events customer.deleted. */
  deleteCustomer(customerId: string): void
  /** Detaches a payment method as the Dashboard would; events payment_method.detached. */
  detachPaymentMethod(paymentMethodId: string): void
  /** From now on this key is refused: 'expired' (rolled) and 'revoked' answer 401, 'restricted' answers 403 on every endpoint not in `allow` (e.g. 'GET /v1/payment_intents'). */
  rejectKey(key: string, how: 'expired' | 'revoked' | 'restricted', allow?: string[]): void
  /** Accepts a rejected key again. */
  acceptKey(key: string): void
  /** The event as Stripe delivers it: its JSON body and a `Stripe-Signature` header signed with `secret` at `timestamp` (s, default now). */
  sign(event: StripeEvent, secret: string, timestamp?: number): SignedEvent
  /** POSTs the signed event to a webhook endpoint; returns the endpoint's answer. */
  send(event: StripeEvent, url: string, secret: string): Promise<{ status: number; body: string }>
  close(): Promise<void>
}

type Answer = { status: number; body: string; headers: Record<string, string> }
type StoredAnswer = { endpoint: string; params: string; answer: Answer; at: number }
type Failure = { how: FailureMode; when: 'before' | 'after' }

const json = (status: number, body: object, headers: Record<string, string> = {}): Answer => ({
  status,
  body: JSON.stringify(body, null, 2),
  headers: { 'Request-Id': newId('req', 14), ...headers },
})

const errorAnswer = (status: number, error: StripeErrorBody): Answer => json(status, { error })

/** A request whose client went away before sending all of it: Stripe never saw it, so it runs nothing and frees its key. */
class ClientGone extends Error {}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    if (req.destroyed) return reject(new ClientGone())
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
    req.on('close', () => reject(new ClientGone()))
  })
}

const header = (req: http.IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name]
  return Array.isArray(value) ? value[0] : value
}

const masked = (key: string): string => `${key.slice(0, 8)}${'*'.repeat(Math.max(0, key.length - 12))}${key.slice(-4)}`

type Rejection = { how: 'expired' | 'revoked' | 'restricted'; allow: string[] }

/** A rolled or revoked key answers 401 (StripeAuthenticationError); a restricted one 403 (StripePermissionError) outside what it may do. */
function checkRejected(key: string, rejection: Rejection | undefined, endpoint: string): void {
  if (!rejection) return
  if (rejection.how === 'expired') throw new StripeApiError(401, { type: 'invalid_request_error', code: 'api_key_expired', message: `Expired API Key provided: ${masked(key)}` })
  if (rejection.how === 'revoked') throw new StripeApiError(401, { type: 'invalid_request_error', message: `Invalid API Key provided: ${masked(key)}` })
  if (rejection.allow.includes(endpoint)) return
  throw new StripeApiError(403, {
    type: 'invalid_request_error',
    message: `The provided key '${masked(key)}' does not have the required permissions for this endpoint on account 'acct_fake'. Having the 'rak_payment_intent_write' permission would allow this request to continue.`,
  })
}

/** Stripe's answer to a missing, malformed or non-test key; 401 makes the SDK raise StripeAuthenticationError. */
function checkAuth(authorization: string | undefined): string {
  if (!authorization)
    throw new StripeApiError(401, {
      type: 'invalid_request_error',
      message:
        "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
    })
  const key = /^Bearer (\S+)$/.exec(authorization)?.[1]
  if (!key || !/^(sk|rk)_test_\w+$/.test(key)) {
    const shown = key ? masked(key) : authorization
    throw new StripeApiError(401, { type: 'invalid_request_error', code: 'api_key_invalid', message: `Invalid API Key provided: ${shown}` })
  }
  return key
}

const unrecognized = (method: string, path: string, note = ''): StripeApiError =>
  new StripeApiError(404, {
    type: 'invalid_request_error',
    message: `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.${note}`,
  })

export async function startStripeFake(options: StripeFakeOptions = {}): Promise<StripeFake> {
  const base = options.now ?? Date.now
  let offset = 0
  const now = () => base() + offset
  const state = new StripeFakeState(now)
  const requests: RecordedRequest[] = []
  const failures: Failure[] = []
  const idempotencyStore = new Map<string, StoredAnswer>()
  /** Keys whose first request has arrived and not yet been answered. */
  const inFlight = new Set<string>()
  const rejectedKeys = new Map<string, Rejection>()
  const specVersion = stripeSpec().info.version

  /** Runs the request; `store` says whether an idempotency key should keep the answer. */
  function execute(recorded: RecordedRequest, contentType: string | undefined): { answer: Answer; store: boolean } {
    const { method, path } = recorded
    if (method === 'POST' && recorded.rawBody && !contentType?.startsWith('application/x-www-form-urlencoded'))
      throw invalidRequest(`Invalid request: the body must be application/x-www-form-urlencoded, got ${contentType ?? 'no Content-Type'}.`)
    const route = findRoute(method, path)
    if (!route) throw unrecognized(method, path)
    const endpoint = `${route.method} ${route.template}`
    const handler = handlers[endpoint]
    if (!handler) throw unrecognized(method, path, ` (The Stripe fake does not implement ${endpoint}, operation ${route.operation.operationId}; extend test/helpers/stripe-fake-resources.ts.)`)
    if (method === 'GET' && recorded.rawBody) throw invalidRequest('GET requests take their parameters in the query string.')
    const params = validateParams(route, method === 'POST' ? recorded.body : recorded.query, recorded.stripeVersion)
    const paths = Array.isArray(params.expand) ? params.expand.map(String) : []
    for (const path of paths) {
      if (!isExpandable(route, path)) throw invalidRequest(`This property cannot be expanded (${path}).`, { param: 'expand' })
      if (!EXPANDABLE.has(path)) throw notModelled(`expand[]=${path}`, endpoint)
    }
    // From here on the endpoint "started executing": Stripe keeps even its errors for replay.
    try {
      const result = handler({ state, params, path: route.pathParams, apiVersion: recorded.stripeVersion })
      return { answer: json(200, paths.length ? expand(state, result, paths) : result), store: true }
    } catch (error) {
      if (error instanceof StripeApiError) return { answer: errorAnswer(error.status, error.body), store: error.status < 500 }
      throw error
    }
  }

  function answer(recorded: RecordedRequest, req: http.IncomingMessage): Answer {
    try {
      const apiKey = checkAuth(header(req, 'authorization'))
      const route = findRoute(recorded.method, recorded.path)
      checkRejected(apiKey, rejectedKeys.get(apiKey), route ? `${route.method} ${route.template}` : `${recorded.method} ${recorded.path}`)
      if (recorded.stripeVersion) state.eventApiVersion = recorded.stripeVersion
      const query = new URL(req.url ?? '/', 'http://fake').search.slice(1)
      try {
        recorded.query = decodeForm(query)
        recorded.body = decodeForm(recorded.rawBody)
      } catch (error) {
        if (error instanceof FormDecodeError) throw invalidRequest(error.message)
        throw error
      }
      const key = recorded.method === 'POST' ? recorded.idempotencyKey : undefined
      if (key !== undefined && key.length > 255) throw invalidRequest('Invalid idempotency key: must be at most 255 characters.')
      const endpoint = `${recorded.method} ${recorded.path}`
      const params = canonicalJson(recorded.body)
      let stored = key === undefined ? undefined : idempotencyStore.get(key)
      if (stored && now() - stored.at >= IDEMPOTENCY_WINDOW_MS) {
        idempotencyStore.delete(key as string)
        stored = undefined
      }
      if (stored) {
        const tryOther = ` Try using a key other than '${key}' if you meant to execute a different request.`
        if (stored.endpoint !== endpoint)
          throw new StripeApiError(400, {
            type: 'idempotency_error',
            message: `Keys for idempotent requests can only be used for the same endpoint they were first used for ('${stored.endpoint}' vs '${endpoint}').${tryOther}`,
          })
        if (stored.params !== params)
          throw new StripeApiError(400, {
            type: 'idempotency_error',
            message: `Keys for idempotent requests can only be used with the same parameters they were first used with.${tryOther}`,
          })
        recorded.replayed = true
        const original = stored.answer.headers['Request-Id'] ?? ''
        return { ...stored.answer, headers: { ...stored.answer.headers, 'Request-Id': newId('req', 14), 'Idempotent-Replayed': 'true', 'Original-Request': original } }
      }
      const { answer: result, store } = execute(recorded, header(req, 'content-type'))
      if (key !== undefined && store) idempotencyStore.set(key, { endpoint, params, answer: result, at: now() })
      return result
    } catch (error) {
      if (error instanceof StripeApiError) return errorAnswer(error.status, error.body)
      // A bug in the fake: say so loudly rather than look like a Stripe outage.
      console.error('stripe-fake: internal error', error)
      return errorAnswer(500, { type: 'api_error', message: `Stripe fake internal error: ${String(error)}` })
    }
  }

  function send(res: http.ServerResponse, recorded: RecordedRequest, result: Answer): void {
    recorded.status = result.status
    res.writeHead(result.status, {
      'Content-Type': 'application/json',
      'Stripe-Version': recorded.stripeVersion ?? specVersion,
      ...(recorded.idempotencyKey ? { 'Idempotency-Key': recorded.idempotencyKey } : {}),
      ...result.headers,
    })
    res.end(result.body)
  }

  function inject(req: http.IncomingMessage, res: http.ServerResponse, recorded: RecordedRequest, failure: Failure): void {
    recorded.injected = true
    if (failure.how === 'network') {
      recorded.status = 0
      req.socket.destroy()
      return
    }
    if (typeof failure.how === 'number') return send(res, recorded, errorAnswer(failure.how, { type: 'api_error', message: 'injected' }))
    const authorization = header(req, 'authorization') ?? ''
    const echo = (text: string) => text.split('{authorization}').join(authorization)
    const error = { ...failure.how.error, message: echo(failure.how.error.message), ...(failure.how.error.decline_code ? { decline_code: echo(failure.how.error.decline_code) } : {}) }
    send(res, recorded, errorAnswer(failure.how.status, error))
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: new URL(req.url ?? '/', 'http://fake').pathname,
      query: {},
      idempotencyKey: header(req, 'idempotency-key'),
      stripeVersion: header(req, 'stripe-version'),
      headers: { ...req.headers },
      body: {},
      rawBody: '',
      status: 0,
      replayed: false,
      injected: false,
    }
    // Recorded on arrival, so the order is the order the client sent them in.
    requests.push(recorded)
    // Stripe answers 409 to a key whose first request is still being processed.
    const key = recorded.method === 'POST' ? recorded.idempotencyKey : undefined
    if (key !== undefined && inFlight.has(key)) {
      recorded.rawBody = await readBody(req)
      return send(res, recorded, errorAnswer(409, {
        type: 'invalid_request_error',
        code: 'idempotency_key_in_use',
        message: `There is currently another in-progress request using this Stripe-Idempotency-Key (that probably means you submitted twice, and the other request is still going through): ${key}. Please try again later.`,
      }))
    }
    if (key !== undefined) inFlight.add(key)
    try {
      await fake.onRequest?.(recorded)
      recorded.rawBody = await readBody(req)
      const failure = failures.shift()
      if (failure?.when === 'before') return inject(req, res, recorded, failure)
      const result = answer(recorded, req)
      recorded.status = result.status
      await fake.onAnswer?.(recorded)
      if (failure) return inject(req, res, recorded, failure)
      send(res, recorded, result)
    } finally {
      if (key !== undefined) inFlight.delete(key)
    }
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!(error instanceof ClientGone)) console.error('stripe-fake: request failed', error)
      res.destroy()
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { address: host, port } = server.address() as AddressInfo

  const fake: StripeFake = {
    url: `http://${host}:${port}`,
    onRequest: undefined,
    onAnswer: undefined,
    host,
    port,
    requests,
    customers: state.customers,
    paymentMethods: state.paymentMethods,
    paymentIntents: state.paymentIntents,
    mandates: state.mandates,
    events: state.events,
    now,
    advanceTime(ms) {
      if (!(ms >= 0)) throw new Error(`advanceTime: expected a duration >= 0, got ${ms}`)
      offset += ms
    },
    failNext(count, how, when = 'before') {
      const status = typeof how === 'object' ? how.status : how
      if (status !== 'network' && !(Number.isInteger(status) && status >= 400 && status <= 599))
        throw new Error(`failNext: expected 'network' or an HTTP error status, got ${how}`)
      for (let i = 0; i < count; i++) failures.push({ how, when })
    },
    clearFailures: () => failures.splice(0).length,
    addCard: (id, card) => state.addToken(id, card),
    card: (id) => state.paymentMethods.get(id)?.card ?? state.tokens.get(id),
    settle: (id, outcome) => settleIntent(state, id, outcome),
    authenticate: (id, outcome = 'succeeded') => authenticateIntent(state, id, outcome),
    deleteCustomer: (id) => void deleteCustomer(state, id),
    detachPaymentMethod: (id) => void detachPaymentMethod({ state, params: {}, path: { payment_method: id }, apiVersion: undefined }),
    rejectKey: (key, how, allow = []) => void rejectedKeys.set(key, { how, allow }),
    acceptKey: (key) => void rejectedKeys.delete(key),
    sign(event, secret, timestamp = Math.floor(Date.now() / 1000)) {
      const payload = JSON.stringify(event, null, 2)
      return { payload, signature: Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp }) }
    },
    async send(event, url, secret) {
      const { payload, signature } = fake.sign(event, secret)
      const response = await fetch(url, { method: 'POST', body: payload, headers: { 'Content-Type': 'application/json; charset=utf-8', 'Stripe-Signature': signature } })
      return { status: response.status, body: await response.text() }
    },
    forgetIdempotencyKeys: () => idempotencyStore.clear(),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()))
        // The SDK keeps connections alive; without this close() would wait for them to time out.
        server.closeAllConnections()
      }),
  }
  return fake
}
