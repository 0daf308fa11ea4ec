// The one redaction point for every string that leaves wsb: error messages and
// details, stored provider messages, event data and anything written to stderr
// (debug output included). It removes Stripe secret keys (any sk_/rk_ key, a
// Bearer token, and every secret registered at run time such as the exact key
// or a database password), the password of any URL (scheme://user:PASSWORD@) and anything shaped like a card number (R-PM-2,
// card-number.ts: full-width digits too),
// whatever code path produced the text.
import { maskCardNumbers } from './card-number.js'

const STRIPE_KEY = /(?<![A-Za-z0-9])(?:sk|rk)_(?:test|live)_[0-9A-Za-z_]+/g
const BEARER = /\bBearer\s+[^\s"',;]+/gi
/** A workspace API key (core/apikeys/key.ts): its prefix may show, never the rest. */
const API_KEY = /\b(wsbk_)[0-9A-Za-z]{32}\b/g
/** The password of any URL's userinfo (postgres://user:password@host): masked even before it could be registered. */
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^\s:/@'"]*:)([^\s@/'"]+)@/gi

const secrets = new Set<string>()

/** A secret known at run time (the Stripe key, a database password): redacted wherever it appears. */
export function registerSecret(secret: string): void {
  if (secret.length >= 6) secrets.add(secret)
}

/** Text that may hold something to redact; anything beyond ASCII may hide full-width digits. */
const QUICK = /sk_|rk_|wsbk_|bearer|:\/\/|\d[ -]?\d[ -]?\d[ -]?\d|[^\u0000-\u007f]/i

/** The text with every secret and card number replaced by a marker. */
export function redact(text: string): string {
  let out = text
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join('[redacted]')
  if (!QUICK.test(out)) return out
  return maskCardNumbers(out.replace(STRIPE_KEY, '[redacted]').replace(BEARER, 'Bearer [redacted]').replace(API_KEY, '$1[redacted]').replace(URL_PASSWORD, '$1***@'))
}

/** Every string inside a JSON-like value redacted (numbers and keys are left as they are). */
export function redactDeep<T>(value: T): T {
  if (typeof value === 'string') return redact(value) as T
  if (Array.isArray(value)) return value.map((item) => redactDeep(item)) as T
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value)) out[key] = redactDeep(item)
    return out as T
  }
  return value
}
