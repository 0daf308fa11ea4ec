// Reading requests and writing answers over node:http: the body as the exact
// bytes sent (a webhook's signature is over them), bounded in size; JSON out.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { invalid, WsbError, ExitCode } from '../core/errors.js'
import { httpFailure } from './errors.js'

/** Largest request body accepted (R-API-4: larger is 413, nothing applied). */
export const MAX_BODY_BYTES = 1 << 20

export const bodyTooLarge = () =>
  new WsbError('BODY_TOO_LARGE', `the request body is over ${MAX_BODY_BYTES} bytes (1 MiB); send fewer reports per request`, ExitCode.invalidInput, {
    limit: MAX_BODY_BYTES,
  })

/**
 * The whole body as a UTF-8 string, exactly as sent. Refuses a declared or
 * actual size over the limit (BODY_TOO_LARGE) and bytes that are not UTF-8.
 */
export function readBody(request: IncomingMessage, limit = MAX_BODY_BYTES): Promise<string> {
  const declared = Number(request.headers['content-length'] ?? 0)
  if (declared > limit) return Promise.reject(bodyTooLarge())
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let failed = false
    request.on('data', (chunk: Buffer) => {
      if (failed) return
      size += chunk.length
      if (size > limit) {
        failed = true
        reject(bodyTooLarge())
        return
      }
      chunks.push(chunk)
    })
    request.on('end', () => {
      if (failed) return
      const bytes = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size)
      const text = bytes.toString('utf8')
      // Invalid UTF-8 decodes to U+FFFD; a body that did not round-trip was not UTF-8.
      if (text.includes('\ufffd') && !Buffer.from(text, 'utf8').equals(bytes)) reject(invalid('the request body is not UTF-8 text'))
      else resolve(text)
    })
    request.on('error', (error) => {
      if (!failed) reject(error)
      failed = true
    })
  })
}

/** The body parsed as JSON, or INVALID_INPUT naming the problem. */
export function parseJson(text: string): unknown {
  if (text.trim() === '') throw invalid('the request body is empty; send a JSON document')
  try {
    return JSON.parse(text)
  } catch (error) {
    throw invalid(`the request body is not valid JSON: ${(error as Error).message}`)
  }
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body)
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers })
  response.end(text)
}

export function sendText(response: ServerResponse, status: number, text: string, contentType: string): void {
  response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) })
  response.end(text)
}

/** Sends the error object of any thrown value with its status; returns the status. */
export function sendError(response: ServerResponse, error: unknown, headers: Record<string, string> = {}): number {
  const { status, body } = httpFailure(error)
  if (response.headersSent) {
    response.destroy()
    return status
  }
  // A body refused before it was read whole: close the connection rather than read the rest.
  const close: Record<string, string> = status === 413 ? { connection: 'close' } : {}
  sendJson(response, status, body, { ...close, ...headers })
  return status
}
