// Temp directories and databases for tests: real SQLite files, removed after the run.
import { mkdtempSync, rmSync } from 'node:fs'
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
