// Temp directories and databases for tests: real SQLite files, removed after the run.
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll } from 'vitest'

const dirs: string[] = []

afterAll(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wsb-test-'))
  dirs.push(dir)
  return dir
}

export const tempDbPath = (): string => join(tempDir(), 'wsb.sqlite')

/**
 * A database in memory-backed storage (/dev/shm) where there is one, else in the
 * temp dir: for property tests that run thousands of histories, where fsync
 * (synchronous=FULL) would cost more than the billing under test.
 */
export function memoryDbPath(): string {
  let base = tmpdir()
  try {
    accessSync('/dev/shm', constants.W_OK)
    base = '/dev/shm'
  } catch {}
  const dir = mkdtempSync(join(base, 'wsb-test-'))
  dirs.push(dir)
  return join(dir, 'wsb.sqlite')
}
