// Checks shared by the fault and abuse tests: the error contract of SPEC §2 and
// "nothing changed" as the state of the database (engine.ts engineState).
import { expect } from 'vitest'
import type { CliResult } from './cli.js'
import { engineState } from './engine.js'

/** A stack frame line, as Node prints them. */
const STACK = /^\s+at .+[:(]/m

/** The state of a database (bytes of a SQLite file, rows of a PostgreSQL database): equal snapshots mean nothing was written. */
export const snapshot = engineState

export type Expected = { exit: number; code: string; details?: Record<string, unknown> }

/**
 * A failure exactly as the contract says: the exit code, and either the JSON error
 * object as the only thing on stdout (--json) or one line `Error: … [CODE]` on
 * stderr and nothing on stdout; never a stack trace.
 */
export function expectFailure(out: CliResult, expected: Expected, what = ''): { code: string; message: string; details: Record<string, unknown> } {
  const label = `${what}\nstdout: ${out.stdout.slice(0, 2000)}\nstderr: ${out.stderr.slice(0, 2000)}`
  expect(out.code, label).toBe(expected.exit)
  expect(out.stderr, label).not.toMatch(STACK)
  expect(out.stdout, label).not.toMatch(STACK)
  const json = out.stdout.trim().startsWith('{')
  if (json) {
    const doc = JSON.parse(out.stdout) // throws unless stdout is exactly one JSON document
    expect(Object.keys(doc), label).toEqual(['error'])
    expect(Object.keys(doc.error).sort(), label).toEqual(['code', 'details', 'message'])
    expect(doc.error.code, label).toBe(expected.code)
    expect(typeof doc.error.message, label).toBe('string')
    expect(doc.error.message.length, label).toBeGreaterThan(0)
    expect(doc.error.message, label).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/)
    expect(typeof doc.error.details, label).toBe('object')
    if (expected.details) expect(doc.error.details, label).toMatchObject(expected.details)
    expect(out.stderr, label).toBe('')
    return doc.error
  }
  expect(out.stdout, label).toBe('')
  const lines = out.stderr.split('\n')
  expect(lines.at(-1), label).toBe('') // ends with a newline
  expect(lines, label).toHaveLength(2) // and is exactly one line
  const line = lines[0] as string
  expect(line, label).toMatch(new RegExp(`^Error: .+ \\[${expected.code}\\]$`))
  // Nothing that moves the cursor, changes colour or breaks the line in a terminal.
  expect(line, label).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/)
  return { code: expected.code, message: line.replace(/^Error: (.*) \[\w+\]$/, '$1'), details: {} }
}
