// PostgreSQL connection URLs as --db / WSB_DB will take them (issue 13): read as
// libpq reads them, shown only with the password masked, the password never
// reaching any output (SPEC §3).
import { describe, expect, it } from 'vitest'
import { isWsbError, type WsbError } from '../../src/core/errors.js'
import { isPostgresUrl, parsePostgresUrl } from '../../src/core/store/postgres-url.js'
import { redact } from '../../src/core/redact.js'

const refused = (text: string): WsbError => {
  try {
    parsePostgresUrl(text)
  } catch (error) {
    if (isWsbError(error)) return error
    throw error
  }
  throw new Error(`accepted: ${text}`)
}

describe('PostgreSQL URLs', () => {
  it('recognises postgresql:// and postgres:// (as libpq, case-sensitive) and nothing else', () => {
    expect(isPostgresUrl('postgresql://h/db')).toBe(true)
    expect(isPostgresUrl('postgres://h/db')).toBe(true)
    expect(isPostgresUrl('postgres.sqlite')).toBe(false)
    expect(isPostgresUrl('./postgres://x')).toBe(false)
    expect(isPostgresUrl('POSTGRES://h/db')).toBe(false)
    expect(isPostgresUrl('mysql://h/db')).toBe(false)
  })

  it('reads user, password, host, port, database, sslmode and other parameters, percent-decoded', () => {
    const url = parsePostgresUrl('postgresql://bill%40ops:p%40ss%2Fw0rd%3F%25@db.example.com:6543/billing%20prod?sslmode=verify-full&application_name=wsb%20ci&connect_timeout=5')
    expect(url).toEqual({
      user: 'bill@ops',
      password: 'p@ss/w0rd?%',
      host: 'db.example.com',
      port: 6543,
      database: 'billing prod',
      sslmode: 'verify-full',
      params: { application_name: 'wsb ci', connect_timeout: '5' },
      display: 'postgresql://bill%40ops:***@db.example.com:6543/billing%20prod?sslmode=verify-full&application_name=wsb%20ci&connect_timeout=5',
    })
  })

  it("takes libpq's defaults: port 5432, sslmode prefer, database = user; no host is localhost", () => {
    expect(parsePostgresUrl('postgres://db.internal')).toEqual({ host: 'db.internal', port: 5432, sslmode: 'prefer', params: {}, display: 'postgres://db.internal' })
    expect(parsePostgresUrl('postgresql://alice@/')).toMatchObject({ host: 'localhost', user: 'alice', database: 'alice' })
    expect(parsePostgresUrl('postgresql://')).toMatchObject({ host: 'localhost', port: 5432 })
    // No '+' for space in libpq's decoding.
    expect(parsePostgresUrl('postgresql://h/a+b').database).toBe('a+b')
  })

  it('reads IPv6 addresses, unix-socket directories and an empty password', () => {
    expect(parsePostgresUrl('postgresql://[::1]:5433/x')).toMatchObject({ host: '::1', port: 5433, database: 'x' })
    expect(parsePostgresUrl('postgresql://%2Fvar%2Frun%2Fpostgresql/x')).toMatchObject({ host: '/var/run/postgresql', database: 'x' })
    expect(parsePostgresUrl('postgresql://u:@h/x')).toMatchObject({ user: 'u', password: '', display: 'postgresql://u:***@h/x' })
  })

  it('lets query parameters override the parts before them, as libpq does, and masks a password given there', () => {
    const url = parsePostgresUrl('postgresql:///db?host=pg.local&port=7000&user=carol&password=s3cret-in-query&dbname=other&ssl=true')
    expect(url).toMatchObject({ host: 'pg.local', port: 7000, user: 'carol', password: 's3cret-in-query', database: 'other', sslmode: 'require', params: {} })
    expect(url.display).toBe('postgresql:///db?host=pg.local&port=7000&user=carol&password=***&dbname=other&ssl=true')
  })

  it('SPEC §3 registers the password with the redaction point: decoded and as typed, it never reaches output', () => {
    parsePostgresUrl('postgresql://u:Tr0ub4dor%263@h/db')
    expect(redact('login failed with Tr0ub4dor&3 here')).toBe('login failed with [redacted] here')
    expect(redact('--db postgresql://u:Tr0ub4dor%263@h/db')).toBe('--db postgresql://u:***@h/db')
  })

  const cases: [string, string, RegExp][] = [
    ['several hosts', 'postgresql://u:pw-hosts-123456@h1,h2/db', /several hosts are not supported/],
    ['several hosts in the query', 'postgresql://u:pw-hosts-123456@/db?host=h1,h2', /several hosts are not supported/],
    ['a port beyond 65535', 'postgresql://u:pw-port-1234567@h:99999/db', /port "99999" is not a number from 1 to 65535/],
    ['a port that is no number', 'postgresql://u:pw-port-1234567@h:54x/db', /port "54x" is not a number/],
    ['an unknown parameter', 'postgresql://u:pw-param-123456@h/db?sslmod=require', /unknown parameter "sslmod"/],
    ['an unknown sslmode', 'postgresql://u:pw-ssl-12345678@h/db?sslmode=always', /sslmode "always" is not one of disable, allow, prefer, require, verify-ca, verify-full/],
    ['a malformed escape in the password', 'postgresql://u:pw%zz-escape-1@h/db', /the password has a malformed percent-encoding/],
    ['%00 in the database name', 'postgresql://u:pw-nul-1234567@h/a%00b', /the database name has a malformed percent-encoding/],
    ["an '@' left raw in the password", 'postgresql://u:pw@raw-at-1234@h/db', /percent-encode it as %40/],
    ["a '/' left raw in the password", 'postgresql://u:pw/raw-slash-12@h/db', /percent-encode them/],
    ['a parameter without =', 'postgresql://u:pw-eq-12345678@h/db?sslmode', /query parameter "sslmode" has no '='/],
    ['an unclosed IPv6 address', 'postgresql://u:pw-v6-12345678@[::1/db', /closing '\]'/],
  ]
  it.each(cases)('refuses %s as INVALID_INPUT (exit 2), naming the problem, the password masked', (_what, text, problem) => {
    const error = refused(text)
    expect(error.code).toBe('INVALID_INPUT')
    expect(error.exitCode).toBe(2)
    expect(error.message).toMatch(problem)
    expect(error.message).toMatch(/^invalid PostgreSQL URL postgresql:\/\/u:\*\*\*@/)
    const password = /^postgresql:\/\/u:(.*)@/.exec(text)?.[1] as string
    expect(error.message).not.toContain(password)
    expect(JSON.stringify(error.details)).not.toContain(password)
    expect(error.message).not.toMatch(/\n/)
  })
})
